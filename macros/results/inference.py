"""Exact inference after a Simon two-stage phase II trial.

The design ``r1/n1, r/n`` (Simon 1989) tests ``H0: p <= p0`` for the response
probability ``p``:

* stage 1 enrols ``n1`` patients; with ``X1 <= r1`` responses the trial stops
  for futility and H0 is not rejected (H0 is never rejected after stage 1);
* otherwise ``n2 = n - n1`` more patients are enrolled, with ``X2`` responses,
  and H0 is rejected if the total ``X1 + X2`` exceeds ``r``.

Testing at the planned boundaries is exact by construction. This module adds
the estimate, p-value and confidence interval that respect the design: the
naive binomial analysis of the pooled responses ignores the chance of stopping
early and is biased.

Outcome and its distribution
----------------------------
Write ``M`` for the stage at which the trial ended and ``S`` for the total
number of responses: ``S = X1`` if ``M = 1`` and ``S = X1 + X2`` if ``M = 2``.
``(M, S)`` is sufficient for ``p``. With ``b(x; m, p)`` the binomial mass::

    P(M = 1, S = s) = b(s; n1, p),                               s = 0 .. r1
    P(M = 2, S = s) = sum_{x1 = max(r1 + 1, s - n2)}^{min(s, n1)}
                          b(x1; n1, p) * b(s - x1; n2, p),       s = r1 + 1 .. n

Stage-wise ordering (Jennison and Turnbull 2000, chapter 8; Koyama and Chen
2008) ranks every stage-1 outcome below every stage-2 outcome, stage-1
outcomes by ``x1`` and stage-2 outcomes by the total ``s``. A trial that
stopped has at most ``r1`` responses and one that went on at least ``r1 + 1``,
so this ordering is simply the ordering by ``S``: each possible total names
exactly one outcome, and a tail ``P(T >= t)`` of the ordering is ``P(S >= s)``.

Estimates
---------
* UMVUE (Jung and Kim 2004), the uniformly minimum-variance unbiased
  estimator, obtained by Rao-Blackwellising the first patient's response::

      stopped with x1 responses:   x1 / n1
      went on with s in total:     sum_x1 C(n1 - 1, x1 - 1) C(n2, s - x1)
                                   / sum_x1 C(n1, x1) C(n2, s - x1)

  with both sums over ``x1 = max(r1 + 1, s - n2) .. min(s, n1)``. It is
  computed in exact integer arithmetic and rounded once.
* MLE ``s / (patients whose responses are counted)``, i.e. ``x1 / n1`` after
  a stop and ``s / (n1 + n2)`` otherwise. It is biased, because whether the
  second stage happens depends on ``X1``, and is reported only for comparison
  with the naive analysis.

p-values
--------
* p-value under stage-wise ordering (Koyama and Chen 2008)::

      p = P_p0(S >= s)

* mid-p value (Porcher and Desseaux 2012)::

      mid-p = P_p0(S > s) + 1/2 * P_p0(S = s) = p - 1/2 * P_p0(S = s)

Confidence intervals
--------------------
The exact two-sided ``1 - 2 * alpha`` interval ``[p_L(s), p_U(s)]`` inverts
two one-sided level-alpha tests (Jennison and Turnbull 2000, chapter 8;
Koyama and Chen 2008)::

    P_{p_L}(S >= s) = alpha,   with p_L(0) = 0
    P_{p_U}(S <= s) = alpha,   with p_U(n) = 1

``{S >= s}`` is an increasing event in the patients' responses, so both tails
are monotone in ``p`` and each equation has exactly one root in ``(0, 1)``.
At any ``p`` the outcomes whose interval lies above ``p`` form an upper tail of
the ordering with probability below alpha, and likewise below, so the exact
coverage is at least ``1 - 2 * alpha`` for every ``p`` (:func:`coverage`
computes it).

The mid-p interval (Porcher and Desseaux 2012) solves the same equations with
mid-p tails::

    P_p(S > s) + 1/2 * P_p(S = s) = alpha     (lower limit)
    P_p(S < s) + 1/2 * P_p(S = s) = alpha     (upper limit)

with lower limit 0 at ``s = 0`` and upper limit 1 at ``s = n``, where the
mid-p tail cannot fall to alpha. Its coverage is closer to nominal on average
but is not guaranteed at every ``p``.

R's clinfun package (``twostage.inference``, version 1.1.5) prints as upper
limit the root of ``P_p(S >= s) = 1 - alpha``, which is ``p_U(s - 1)``, the
upper limit of the previous outcome; that interval under-covers and is not
reproduced here.

Actual stage sizes
------------------
Enrolment often differs a little from the plan. ``n1_actual`` and
``n2_actual`` replace ``n1`` and ``n2 = n - n1`` in every formula above (the
sample space), while the planned boundaries ``r1`` and ``r`` are kept as
counts of responses: the trial is taken to stop if ``X1 <= r1`` among the
``n1_actual`` patients of stage 1, and H0 is rejected if the total exceeds
``r``. The analysis is exact if the sizes were not chosen in the light of the
responses (over-running enrolment, a patient not evaluable); if they were,
no analysis of this kind is. An outcome that stopped after stage 1 does not
depend on ``n2`` at all.

Numerics
--------
Binomial masses are built outwards from the mode by the ratio recurrence and
normalised, so nothing underflows for large ``m`` (``0.05 ** 2000`` would);
tails are sums of the small terms, never ``1 - cdf``. Limits are found by
Brent's method (Brent 1973, chapter 4) on the bracket ``[0, 1]`` to an absolute
tolerance of :data:`ROOT_TOLERANCE` in ``p``. Probabilities below the range
of double precision (about 1e-308) lose accuracy or become 0.

References:
    Simon R. Optimal two-stage designs for phase II clinical trials.
    Controlled Clinical Trials 1989; 10:1-10.

    Jung SH, Kim KM. On the estimation of the binomial probability in
    multistage clinical trials. Statistics in Medicine 2004; 23:881-896.

    Koyama T, Chen H. Proper inference from Simon's two-stage designs.
    Statistics in Medicine 2008; 27:3145-3154.

    Porcher R, Desseaux K. What inference for two-stage phase II trials?
    BMC Medical Research Methodology 2012; 12:117.

    Jennison C, Turnbull BW. Group Sequential Methods with Applications to
    Clinical Trials. Chapman & Hall/CRC, 2000; chapter 8.

    Brent RP. Algorithms for Minimization without Derivatives.
    Prentice-Hall, 1973; chapter 4.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import accumulate
from numbers import Real

__all__ = [
    "DO_NOT_REJECT",
    "MAX_N",
    "REJECT",
    "ROOT_TOLERANCE",
    "TwoStageAnalysis",
    "all_outcomes",
    "analyse",
    "coverage",
    "outcome_probabilities",
]

#: Largest number of patients (planned or actual, both stages) accepted.
MAX_N = 5000

#: Absolute tolerance in ``p`` of every confidence limit.
ROOT_TOLERANCE = 1e-12

#: Decision when the total number of responses exceeds ``r``.
REJECT = "reject"

#: Decision after a stop for futility or when the total is at most ``r``.
DO_NOT_REJECT = "do not reject"


@dataclass(frozen=True)
class TwoStageAnalysis:
    """The exact analysis of one outcome of a two-stage trial.

    Attributes:
        responses: total responses ``s`` (stage 1 only, if the trial stopped).
        stage1_responses: ``x1``; after a stop it equals ``responses``, after
            stage 2 it is what the caller gave, or ``None`` (the analysis
            depends on the total only).
        stage: 1 if the trial stopped after stage 1, 2 if it went on.
        n1: patients in stage 1 used for the sample space (actual if given).
        n2: patients in stage 2 used for the sample space (actual if given).
        patients: patients whose responses are counted: ``n1`` after a stop,
            ``n1 + n2`` otherwise.
        decision: :data:`REJECT` or :data:`DO_NOT_REJECT` (for ``H0: p <= p0``
            at the planned boundaries).
        decision_text: the decision in plain words.
        umvue: unbiased estimate of ``p`` (Jung and Kim 2004).
        mle: ``responses / patients``; biased, for comparison only.
        p_value: ``P_p0(S >= s)`` under stage-wise ordering.
        ci_lower, ci_upper: exact two-sided ``1 - 2 * alpha`` interval.
        mid_p_value: ``P_p0(S > s) + P_p0(S = s) / 2``.
        mid_ci_lower, mid_ci_upper: mid-p interval (no coverage guarantee).
        p0: the null response probability.
        alpha: the one-sided level of each confidence limit.
    """

    responses: int
    stage1_responses: int | None
    stage: int
    n1: int
    n2: int
    patients: int
    decision: str
    decision_text: str
    umvue: float
    mle: float
    p_value: float
    ci_lower: float
    ci_upper: float
    mid_p_value: float
    mid_ci_lower: float
    mid_ci_upper: float
    p0: float
    alpha: float

    @property
    def confidence_level(self) -> float:
        """``1 - 2 * alpha``, the nominal level of the two-sided intervals."""
        return 1.0 - 2.0 * self.alpha


# --------------------------------------------------------------------------
# Validation


def _whole(name: str, value: object, low: int, high: int) -> int:
    number: int | None = None
    # bool is an int subclass, but True as a count of patients is a mistake.
    if not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    ):
        number = int(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"{name} ({value!r}) must be a whole number between {low} and {high}")
    return number


def _number(name: str, value: object, low: float, high: float, *, closed: bool) -> float:
    kind = f"between {low:g} and {high:g}" if closed else f"strictly between {low:g} and {high:g}"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} ({value!r}) must be a number {kind}")
    number = float(value)
    inside = low <= number <= high if closed else low < number < high  # both reject NaN
    if not inside:
        raise ValueError(f"{name} ({value!r}) must be a number {kind}")
    return number


@dataclass(frozen=True)
class _Space:
    """The sample space: stage sizes used and the planned boundaries."""

    r1: int
    n1: int
    n2: int
    r: int

    @property
    def n(self) -> int:
        return self.n1 + self.n2


def _space(r1: object, n1: object, r: object, n: object, n1_actual: object, n2_actual: object) -> _Space:
    n_ = _whole("n", n, 2, MAX_N)
    n1_ = _whole("n1", n1, 1, n_ - 1)
    r1_ = _whole("r1", r1, 0, n1_ - 1)
    r_ = _whole("r", r, r1_, n_ - 1)
    stage1 = n1_ if n1_actual is None else _whole("n1_actual", n1_actual, r1_ + 1, MAX_N - 1)
    stage2 = n_ - n1_ if n2_actual is None else _whole("n2_actual", n2_actual, 1, MAX_N - stage1)
    return _Space(r1_, stage1, stage2, r_)


# --------------------------------------------------------------------------
# Binomial building blocks


def _binomial_pmf(m: int, p: float) -> list[float]:
    """``[b(0; m, p), ..., b(m; m, p)]`` for any ``m`` and ``0 <= p <= 1``.

    The ratios ``b(k+1) / b(k) = (m - k) / (k + 1) * p / q`` are applied
    outwards from the mode, where the mass is largest, and the result is
    normalised; far tails may underflow to zero, which is harmless. The
    relative error of each term grows only linearly with its distance from
    the mode.
    """
    if p <= 0.0:
        return [1.0] + [0.0] * m
    if p >= 1.0:
        return [0.0] * m + [1.0]
    q = 1.0 - p
    mode = min(m, int((m + 1) * p))
    weights = [0.0] * (m + 1)
    weights[mode] = 1.0
    value, ratio = 1.0, p / q
    for k in range(mode, m):
        value *= (m - k) / (k + 1) * ratio
        if value == 0.0:
            break
        weights[k + 1] = value
    value, ratio = 1.0, q / p
    for k in range(mode, 0, -1):
        value *= k / (m - k + 1) * ratio
        if value == 0.0:
            break
        weights[k - 1] = value
    total = math.fsum(weights)
    return [w / total for w in weights]


def _lower_tails(pmf: list[float]) -> list[float]:
    """``[P(X <= 0), ..., P(X <= m)]``, each summed from the small end."""
    return list(accumulate(pmf))


def _upper_tails(pmf: list[float]) -> list[float]:
    """``[P(X >= 0), ..., P(X >= m)]``, each summed from the small end."""
    return list(accumulate(reversed(pmf)))[::-1]


def _at_least(space: _Space, s: int, p: float) -> float:
    """``P_p(S >= s)``: the upper tail of the stage-wise ordering."""
    if s <= 0:
        return 1.0
    if s > space.n:
        return 0.0
    first = _binomial_pmf(space.n1, p)
    if s <= space.r1:
        return _upper_tails(first)[s]
    # Went on: X1 > r1 and X2 >= s - X1.
    second = _upper_tails(_binomial_pmf(space.n2, p))
    terms = []
    for x1 in range(space.r1 + 1, space.n1 + 1):
        need = s - x1
        if need <= 0:
            terms.append(first[x1])
        elif need <= space.n2:
            terms.append(first[x1] * second[need])
    return math.fsum(terms)


def _at_most(space: _Space, s: int, p: float) -> float:
    """``P_p(S <= s)``: the lower tail of the stage-wise ordering."""
    if s < 0:
        return 0.0
    if s >= space.n:
        return 1.0
    first = _binomial_pmf(space.n1, p)
    below = _lower_tails(first)
    if s <= space.r1:
        return below[s]
    # Stopped (X1 <= r1), or went on with X2 <= s - X1.
    second = _lower_tails(_binomial_pmf(space.n2, p))
    terms = [below[space.r1]]
    for x1 in range(space.r1 + 1, min(s, space.n1) + 1):
        need = s - x1
        terms.append(first[x1] * (1.0 if need >= space.n2 else second[need]))
    return math.fsum(terms)


def _probabilities(space: _Space, p: float) -> list[float]:
    """``[P_p(S = 0), ..., P_p(S = n)]`` with the stage given by ``s``."""
    first = _binomial_pmf(space.n1, p)
    second = _binomial_pmf(space.n2, p)
    result = first[: space.r1 + 1]
    for s in range(space.r1 + 1, space.n + 1):
        low, high = max(space.r1 + 1, s - space.n2), min(s, space.n1)
        result.append(math.fsum(first[x1] * second[s - x1] for x1 in range(low, high + 1)))
    return result


def _umvue(space: _Space, s: int) -> float:
    """Jung and Kim (2004), in exact integers."""
    if s <= space.r1:
        return float(Fraction(s, space.n1))
    low, high = max(space.r1 + 1, s - space.n2), min(s, space.n1)
    numerator = sum(
        math.comb(space.n1 - 1, x1 - 1) * math.comb(space.n2, s - x1) for x1 in range(low, high + 1)
    )
    denominator = sum(math.comb(space.n1, x1) * math.comb(space.n2, s - x1) for x1 in range(low, high + 1))
    return float(Fraction(numerator, denominator))


# --------------------------------------------------------------------------
# Confidence limits


def _brent(f: Callable[[float], float], a: float, b: float, fa: float, fb: float) -> float:
    """A zero of ``f`` in ``[a, b]`` given ``fa * fb < 0`` (Brent 1973, ``zero``).

    Each step takes inverse quadratic interpolation, the secant, or bisection,
    keeping a bracket; it stops when the bracket around the returned point is
    within :data:`ROOT_TOLERANCE`.
    """
    c, fc = a, fa
    d = e = b - a
    for _ in range(1000):
        if (fb > 0.0) == (fc > 0.0):
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * 2.220446049250313e-16 * abs(b) + 0.5 * ROOT_TOLERANCE
        half = 0.5 * (c - b)
        if abs(half) <= tol or fb == 0.0:
            return b
        if abs(e) < tol or abs(fa) <= abs(fb):
            d = e = half
        else:
            s = fb / fa
            if a == c:
                num, den = 2.0 * half * s, 1.0 - s
            else:
                qa, rb = fa / fc, fb / fc
                num = s * (2.0 * half * qa * (qa - rb) - (b - a) * (rb - 1.0))
                den = (qa - 1.0) * (rb - 1.0) * (s - 1.0)
            if num > 0.0:
                den = -den
            else:
                num = -num
            if 2.0 * num < min(3.0 * half * den - abs(tol * den), abs(e * den)):
                e, d = d, num / den
            else:
                d = e = half
        a, fa = b, fb
        b += d if abs(d) > tol else math.copysign(tol, half)
        fb = f(b)
    raise ArithmeticError("Brent's method did not converge")  # pragma: no cover - cannot happen


def _solve_increasing(g: Callable[[float], float], alpha: float) -> float:
    """Where the nondecreasing ``g`` crosses ``alpha``; 0 if ``g(0) >= alpha``, 1 if ``g(1) <= alpha``."""
    low, high = g(0.0) - alpha, g(1.0) - alpha
    if low >= 0.0:
        return 0.0
    if high <= 0.0:
        return 1.0
    root = _brent(lambda p: g(p) - alpha, 0.0, 1.0, low, high)
    return min(1.0, max(0.0, root))


def _solve_decreasing(h: Callable[[float], float], alpha: float) -> float:
    """Where the nonincreasing ``h`` crosses ``alpha``; 1 if ``h(1) >= alpha``, 0 if ``h(0) <= alpha``."""
    low, high = h(0.0) - alpha, h(1.0) - alpha
    if high >= 0.0:
        return 1.0
    if low <= 0.0:
        return 0.0
    root = _brent(lambda p: h(p) - alpha, 0.0, 1.0, low, high)
    return min(1.0, max(0.0, root))


@lru_cache(maxsize=8192)
def _interval(space: _Space, s: int, alpha: float, mid: bool) -> tuple[float, float]:
    """``(lower, upper)`` for total ``s``: exact, or mid-p if ``mid``."""
    if mid:

        def upper_tail(p: float) -> float:
            return 0.5 * (_at_least(space, s, p) + _at_least(space, s + 1, p))

        def lower_tail(p: float) -> float:
            return 0.5 * (_at_most(space, s, p) + _at_most(space, s - 1, p))

        return _solve_increasing(upper_tail, alpha), _solve_decreasing(lower_tail, alpha)
    lower = 0.0 if s == 0 else _solve_increasing(lambda p: _at_least(space, s, p), alpha)
    upper = 1.0 if s == space.n else _solve_decreasing(lambda p: _at_most(space, s, p), alpha)
    return lower, upper


# --------------------------------------------------------------------------
# Public interface


def _analysis(
    space: _Space, s: int, stage1_responses: int | None, p0: float, alpha: float
) -> TwoStageAnalysis:
    stage = 1 if s <= space.r1 else 2
    patients = space.n1 if stage == 1 else space.n
    who = f"{s} of {patients} patients responded"
    if stage == 1:
        decision = DO_NOT_REJECT
        text = f"stopped for futility after stage 1 ({who}; the trial stops with at most r1 = {space.r1})"
    elif s > space.r:
        decision = REJECT
        text = f"completed stage 2 and rejected H0: p <= {p0:g} ({who}, more than r = {space.r})"
    else:
        decision = DO_NOT_REJECT
        text = f"completed stage 2 without rejecting H0: p <= {p0:g} ({who}, at most r = {space.r})"
    p_value = _at_least(space, s, p0)
    lower, upper = _interval(space, s, alpha, False)
    mid_lower, mid_upper = _interval(space, s, alpha, True)
    return TwoStageAnalysis(
        responses=s,
        stage1_responses=s if stage == 1 else stage1_responses,
        stage=stage,
        n1=space.n1,
        n2=space.n2,
        patients=patients,
        decision=decision,
        decision_text=text,
        umvue=_umvue(space, s),
        mle=s / patients,
        p_value=p_value,
        ci_lower=lower,
        ci_upper=upper,
        mid_p_value=0.5 * (p_value + _at_least(space, s + 1, p0)),
        mid_ci_lower=mid_lower,
        mid_ci_upper=mid_upper,
        p0=p0,
        alpha=alpha,
    )


def analyse(
    r1: int,
    n1: int,
    r: int,
    n: int,
    p0: float,
    responses: int,
    *,
    stage1_responses: int | None = None,
    n1_actual: int | None = None,
    n2_actual: int | None = None,
    alpha: float = 0.05,
) -> TwoStageAnalysis:
    """Exact analysis of a finished Simon two-stage trial ``r1/n1, r/n``.

    Args:
        r1, n1, r, n: the planned design, whole numbers with
            ``0 <= r1 < n1 < n <= MAX_N`` and ``r1 <= r < n``.
        p0: the null response probability, strictly between 0 and 1.
        responses: total responses ``s``. At most ``r1`` (with no
            ``stage1_responses``) means the trial stopped after stage 1 with
            ``s`` responses; more than ``r1`` means it went on.
        stage1_responses: responses in stage 1, optional and used only to
            check ``responses``: if at most ``r1`` the trial stopped and the
            total must equal it; otherwise the total must lie between it and
            it plus the stage-2 size.
        n1_actual, n2_actual: stage sizes actually enrolled, if they differ
            from ``n1`` and ``n - n1``; they define the sample space, while
            ``r1`` and ``r`` stay as planned (see the module docstring).
            ``n1_actual`` must exceed ``r1``; ``n2_actual`` is at least 1.
        alpha: one-sided level of each confidence limit, strictly between 0
            and 0.5; the intervals are two-sided ``1 - 2 * alpha``.

    Returns:
        The estimates, p-values and intervals of the outcome.

    Raises:
        ValueError: naming the argument, its value and the allowed range.
    """
    space = _space(r1, n1, r, n, n1_actual, n2_actual)
    p0_ = _number("p0", p0, 0.0, 1.0, closed=False)
    alpha_ = _number("alpha", alpha, 0.0, 0.5, closed=False)
    s = _whole("responses", responses, 0, space.n)
    x1: int | None = None
    if stage1_responses is not None:
        x1 = _whole("stage1_responses", stage1_responses, 0, space.n1)
        if x1 <= space.r1 and s != x1:
            raise ValueError(
                f"responses ({responses!r}) must equal stage1_responses ({stage1_responses!r}): with at "
                f"most r1 = {space.r1} responses in stage 1 the trial stopped"
            )
        if x1 > space.r1 and not x1 <= s <= x1 + space.n2:
            raise ValueError(
                f"responses ({responses!r}) must be between stage1_responses ({stage1_responses!r}) and "
                f"{x1 + space.n2}, that plus the {space.n2} patients of stage 2"
            )
    return _analysis(space, s, x1, p0_, alpha_)


def all_outcomes(
    r1: int,
    n1: int,
    r: int,
    n: int,
    p0: float,
    *,
    n1_actual: int | None = None,
    n2_actual: int | None = None,
    alpha: float = 0.05,
) -> tuple[TwoStageAnalysis, ...]:
    """The analysis of every possible outcome, in the stage-wise ordering.

    Element ``s`` is the outcome with ``s`` responses in total: stops after
    stage 1 for ``s = 0 .. r1``, then completed trials for
    ``s = r1 + 1 .. n1 + n2``. Arguments as for :func:`analyse`.
    """
    space = _space(r1, n1, r, n, n1_actual, n2_actual)
    p0_ = _number("p0", p0, 0.0, 1.0, closed=False)
    alpha_ = _number("alpha", alpha, 0.0, 0.5, closed=False)
    return tuple(_analysis(space, s, None, p0_, alpha_) for s in range(space.n + 1))


def outcome_probabilities(
    r1: int,
    n1: int,
    r: int,
    n: int,
    p: float,
    *,
    n1_actual: int | None = None,
    n2_actual: int | None = None,
) -> tuple[float, ...]:
    """``(P_p(S = 0), ..., P_p(S = n1 + n2))``, aligned with :func:`all_outcomes`.

    ``p`` may be any number from 0 to 1; the other arguments are as for
    :func:`analyse`.
    """
    space = _space(r1, n1, r, n, n1_actual, n2_actual)
    return tuple(_probabilities(space, _number("p", p, 0.0, 1.0, closed=True)))


def coverage(
    r1: int,
    n1: int,
    r: int,
    n: int,
    p: float,
    *,
    n1_actual: int | None = None,
    n2_actual: int | None = None,
    alpha: float = 0.05,
    mid_p: bool = False,
) -> float:
    """Exact coverage of the interval at the true response probability ``p``.

    The sum of ``P_p(S = s)`` over the outcomes ``s`` whose closed interval
    contains ``p``: at least ``1 - 2 * alpha`` for the exact interval, with no
    such guarantee for the mid-p interval (``mid_p=True``). ``p`` may be any
    number from 0 to 1; the other arguments are as for :func:`analyse`.
    """
    space = _space(r1, n1, r, n, n1_actual, n2_actual)
    p_ = _number("p", p, 0.0, 1.0, closed=True)
    alpha_ = _number("alpha", alpha, 0.0, 0.5, closed=False)
    probabilities = _probabilities(space, p_)
    covered = []
    for s, probability in enumerate(probabilities):
        lower, upper = _interval(space, s, alpha_, bool(mid_p))
        if lower <= p_ <= upper:
            covered.append(probability)
    return math.fsum(covered)
