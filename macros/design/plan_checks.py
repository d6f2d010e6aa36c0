"""Does the stated Simon plan add up? Checks against its own hypotheses.

Run by :mod:`macros.consistency` once the plan's fields have the right types.
Each check yields ``(path, message)`` like every other cross-field check:

* a claimed design needs hypotheses, and ``p1`` must exceed ``p0``;
* for a valid design ``r1/n1, r/n`` only: the planned enrollment is ``n``
  inflated for dropout; the design meets ``alpha`` and ``1 - beta``; and it is
  the optimal, minimax or admissible design it is declared to be.

The design page reads the same answers (:func:`stated_design`,
:func:`search_for`, :func:`roles`), so what the build accepted is what the
page shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from functools import cache

from macros.design import simon
from macros.design.enrollment import inflated_enrollment
from macros.trial.errors import Path
from macros.trial.model import Hypotheses, StatisticalPlan, Trial

BASE: Path = ("statistical_plan",)

# Two designs with the same n whose EN(p0) differ by less than this are
# equally good: EN is a sum of rounded binomial terms.
_EN_TOLERANCE = 1e-9

_ROLE_WORDS = {
    "OPTIMAL": "the optimal design",
    "MINIMAX": "the minimax design",
    "ADMISSIBLE": "an admissible design",
}


# --------------------------------------------------------------------------
# Numbers as text, exactly and deterministically


def decimal_text(value: float, *, places: int = 0) -> str:
    """A decimal as written in the YAML, with at least ``places`` decimals.

    ``0.5`` -> ``0.50`` with ``places=2``; ``0.025`` stays ``0.025``. Uses the
    float's shortest repr, so ``0.3`` from the YAML reads ``0.3``, never its
    binary value ``0.299999999999999988897769753748...``.
    """
    return _plain(Decimal(repr(float(value))), places)


def _plain(number: Decimal, places: int) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    decimals = len(text.partition(".")[2])
    if decimals < places:
        text += ("." if decimals == 0 else "") + "0" * (places - decimals)
    return text


def power_target_text(beta: float) -> str:
    """``1 - beta`` in exact decimal arithmetic: ``0.2`` -> ``0.80``."""
    return _plain(1 - Decimal(repr(float(beta))), 2)


def percent_text(rate: float) -> str:
    """A rate as a percentage without float noise: ``0.15`` -> ``15``."""
    return _plain(Decimal(repr(float(rate))) * 100, 0)


def distinct_text(value: float, target: float, places: int = 4) -> str:
    """``value`` to ``places`` decimals, or more until it differs visibly from ``target``."""
    for digits in range(places, 13):
        text = f"{value:.{digits}f}"
        if Decimal(text) != Decimal(repr(float(target))):
            return text
    return f"{value:.12f}"


def design_text(design: StatisticalPlan | simon.Design) -> str:
    """Simon's notation ``r1/n1, r/n``: ``8/15, 26/43``."""
    return f"{design.r1}/{design.n1}, {design.r}/{design.n}"


def hypotheses_text(h: Hypotheses) -> str:
    return (
        f"p0 = {decimal_text(h.p0, places=2)}, p1 = {decimal_text(h.p1, places=2)}, "
        f"alpha = {decimal_text(h.alpha, places=2)}, beta = {decimal_text(h.beta, places=2)}"
    )


# --------------------------------------------------------------------------
# The answers the checks and the page share


def stated_design(plan: StatisticalPlan) -> simon.Design:
    """The stated design with its exact alpha, power, PET and EN under the hypotheses."""
    h = plan.hypotheses
    if h is None:
        raise ValueError("the plan states no hypotheses")
    return simon.evaluate(plan.r1, plan.n1, plan.r, plan.n, h.p0, h.p1)


@cache
def _search(p0: float, p1: float, alpha: float, beta: float) -> simon.SearchResult:
    return simon.search(p0, p1, alpha, beta)


def search_for(h: Hypotheses) -> simon.SearchResult:
    """Simon's optimal, minimax and admissible designs for the hypotheses (cached)."""
    return _search(h.p0, h.p1, h.alpha, h.beta)


def meets_alpha(design: simon.Design, h: Hypotheses) -> bool:
    return design.alpha <= h.alpha + simon.PROBABILITY_TOLERANCE


def meets_power(design: simon.Design, h: Hypotheses) -> bool:
    return design.power >= (1.0 - h.beta) - simon.PROBABILITY_TOLERANCE


def _same_cost(a: simon.Design, b: simon.Design) -> bool:
    return a.n == b.n and math.isclose(a.en0, b.en0, rel_tol=0.0, abs_tol=_EN_TOLERANCE)


def roles(design: simon.Design, h: Hypotheses, result: simon.SearchResult) -> list[str]:
    """Which of ``OPTIMAL``, ``MINIMAX``, ``ADMISSIBLE`` the design is (in that order).

    A design counts as optimal (or minimax) when it meets alpha and power and
    ties the one the search reports in ``n`` and ``EN(p0)``: two such designs
    differ only in an equally good rejection threshold.
    """
    if not (meets_alpha(design, h) and meets_power(design, h)):
        return []
    found = []
    if design.en0 <= result.optimal.en0 + _EN_TOLERANCE:
        found.append("OPTIMAL")
    if _same_cost(design, result.minimax):
        found.append("MINIMAX")
    if any(_same_cost(design, other) for other in result.admissible):
        found.append("ADMISSIBLE")
    return found


def role_text(found: list[str]) -> str:
    """Plain words for :func:`roles`: ``the optimal and minimax design``."""
    if "OPTIMAL" in found and "MINIMAX" in found:
        return "the optimal and minimax design"
    for name in ("OPTIMAL", "MINIMAX", "ADMISSIBLE"):
        if name in found:
            return _ROLE_WORDS[name]
    return "neither optimal, minimax nor admissible"


# --------------------------------------------------------------------------
# The checks


def check(trial: Trial) -> Iterator[tuple[Path, str]]:
    """Every problem of the plan beyond the shape of its own fields."""
    plan = trial.statistical_plan
    if plan is None:
        return
    h = plan.hypotheses
    if h is None and plan.claimed_design != "NONE":
        yield (*BASE, "claimed_design"), (
            f"declares {_ROLE_WORDS[plan.claimed_design]}, but the plan states no hypotheses "
            "(p0, p1, alpha, beta) to check that against; add statistical_plan.hypotheses "
            "or set claimed_design to NONE"
        )
    ordered = h is not None and h.p1 > h.p0
    if h is not None and not ordered:
        yield (*BASE, "hypotheses", "p1"), (
            f"p1 ({decimal_text(h.p1, places=2)}) must be greater than "
            f"p0 ({decimal_text(h.p0, places=2)}): "
            "p1 is the response rate of a promising treatment, p0 that of one not worth pursuing"
        )
    if not _is_design(plan):
        # consistency has said what is wrong with r1, n1, r, n; nothing else
        # about the design (its size, its error rates) can be trusted.
        return
    yield from _enrollment(trial, plan)
    if h is not None and ordered:
        yield from _error_rates(plan, h)


def _is_design(plan: StatisticalPlan) -> bool:
    return plan.r1 < plan.n1 < plan.n and plan.r1 <= plan.r < plan.n


def _enrollment(trial: Trial, plan: StatisticalPlan) -> Iterator[tuple[Path, str]]:
    info = trial.design.enrollment_info
    # An actual enrollment is what happened, not a plan: it may differ.
    if info is None or info.count is None or info.type == "ACTUAL":
        return
    needed = inflated_enrollment(plan.n, plan.dropout_rate)
    if info.count == needed:
        return
    if plan.dropout_rate:
        rate = decimal_text(plan.dropout_rate)
        how = (
            f"{plan.n} evaluable participants with a {percent_text(plan.dropout_rate)}% dropout "
            f"allowance need ceil({plan.n} / (1 - {rate})) = {needed} enrolled"
        )
    else:
        how = f"{plan.n} evaluable participants with no dropout allowance need {needed} enrolled"
    yield ("design", "enrollment_info", "count"), (
        f"{info.count} does not match the statistical plan: {how}"
    )


def _error_rates(plan: StatisticalPlan, h: Hypotheses) -> Iterator[tuple[Path, str]]:
    try:
        design = stated_design(plan)
    except ValueError as exc:  # bounds are checked above; kept as a message, not a traceback
        yield BASE, str(exc)
        return
    name = design_text(design)
    if not meets_alpha(design, h):
        yield (*BASE, "hypotheses", "alpha"), (
            f"the stated design {name} has type I error {distinct_text(design.alpha, h.alpha)} "
            f"at p0 = {decimal_text(h.p0, places=2)}, more than alpha = {decimal_text(h.alpha)}"
        )
    if not meets_power(design, h):
        target = power_target_text(h.beta)
        yield (*BASE, "hypotheses", "beta"), (
            f"the stated design {name} has power {distinct_text(design.power, float(target))} "
            f"at p1 = {decimal_text(h.p1, places=2)}, less than 1 - beta = {target}"
        )
    if plan.claimed_design == "NONE":
        return
    try:
        result = search_for(h)
    except ValueError as exc:
        yield (*BASE, "hypotheses"), str(exc)
        return
    found = roles(design, h, result)
    if plan.claimed_design in found:
        return
    claimed = plan.claimed_design
    if claimed == "ADMISSIBLE":
        listed = "; ".join(design_text(d) for d in result.admissible)
        answer = f"the admissible designs are {listed}"
    else:
        best = result.optimal if claimed == "OPTIMAL" else result.minimax
        answer = f"{_ROLE_WORDS[claimed]} is {design_text(best)} (n = {best.n}, EN(p0) = {best.en0:.2f})"
    if meets_alpha(design, h) and meets_power(design, h):
        what = f"is {role_text(found)}"
    else:
        what = "does not meet alpha and power"
    yield (*BASE, "claimed_design"), (
        f"declares {_ROLE_WORDS[claimed]}, but for {hypotheses_text(h)} {answer}; "
        f"the stated design {name} (n = {design.n}, EN(p0) = {design.en0:.2f}) {what}"
    )
