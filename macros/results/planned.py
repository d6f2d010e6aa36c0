"""The analysis a Simon two-stage plan calls for, before and after the result.

* :func:`every_outcome`: what each possible result of the stated design would
  mean (stop after stage 1 with 0 .. r1 responses; go on with r1 + 1 .. n in
  total), with the decision, the unbiased estimate, the p-value and the
  exact interval: the analysis, registered before the result is known.
* :func:`observed_analysis`: the same analysis of the counts the trial file
  holds under ``statistical_plan.observed``, with their source.

Both use :mod:`macros.results.inference` with ``p0`` of the plan's hypotheses
and its ``alpha``: the one-sided level of each confidence limit is the
design's type I error, so the two-sided interval has level ``1 - 2 * alpha``
and excludes ``p0`` exactly when the p-value is at most ``alpha``. Numbers are
text to 4 decimals, so pages are the same bytes on every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from macros.results import inference
from macros.trial.model import StatisticalPlan

#: Largest planned ``n`` whose every outcome is tabulated (n + 1 rows).
MAX_TABLE_N = 200


def number_text(value: float) -> str:
    """A probability or estimate to 4 decimals."""
    return f"{value:.4f}"


def level_text(alpha: float) -> str:
    """The two-sided level ``1 - 2 * alpha`` as a percentage: ``0.05`` -> ``90%``."""
    return f"{(1 - 2 * alpha) * 100:.10g}%"


@dataclass(frozen=True)
class OutcomeRow:
    """One possible result of the design and what it would mean."""

    responses: int
    patients: int
    stage: int
    reject: bool
    decision: str
    umvue: str
    mle: str
    p_value: str
    ci_lower: str
    ci_upper: str
    mid_p_value: str
    mid_ci_lower: str
    mid_ci_upper: str


@dataclass(frozen=True)
class PlannedAnalysis:
    design: str
    p0: str
    alpha: str
    level: str
    rows: tuple[OutcomeRow, ...]
    # Why there are no rows, when there are none.
    problem: str | None = None


def _decision(result: inference.TwoStageAnalysis) -> str:
    if result.stage == 1:
        return "Not promising (stopped for futility)"
    if result.decision == inference.REJECT:
        return "Promising"
    return "Not promising"


def _row(result: inference.TwoStageAnalysis) -> OutcomeRow:
    return OutcomeRow(
        responses=result.responses,
        patients=result.patients,
        stage=result.stage,
        reject=result.decision == inference.REJECT,
        decision=_decision(result),
        umvue=number_text(result.umvue),
        mle=number_text(result.mle),
        p_value=number_text(result.p_value),
        ci_lower=number_text(result.ci_lower),
        ci_upper=number_text(result.ci_upper),
        mid_p_value=number_text(result.mid_p_value),
        mid_ci_lower=number_text(result.mid_ci_lower),
        mid_ci_upper=number_text(result.mid_ci_upper),
    )


@cache
def _all_outcomes(r1: int, n1: int, r: int, n: int, p0: float, alpha: float) -> tuple[OutcomeRow, ...]:
    return tuple(_row(a) for a in inference.all_outcomes(r1, n1, r, n, p0, alpha=alpha))


def every_outcome(plan: StatisticalPlan) -> PlannedAnalysis | None:
    """Every outcome of the stated design analysed, or None without hypotheses (no p0)."""
    h = plan.hypotheses
    if h is None:
        return None
    design = f"{plan.r1}/{plan.n1}, {plan.r}/{plan.n}"
    base = {"design": design, "p0": f"{h.p0:g}", "alpha": f"{h.alpha:g}", "level": level_text(h.alpha)}
    if plan.n > MAX_TABLE_N:
        problem = (
            f"The design has {plan.n + 1} possible results, too many to list here; "
            "python -m macros simon --analyse gives the analysis of any one of them."
        )
        return PlannedAnalysis(**base, rows=(), problem=problem)
    if h.alpha >= 0.5:
        return PlannedAnalysis(**base, rows=(), problem="alpha must be below 0.5 for a two-sided interval.")
    rows = _all_outcomes(plan.r1, plan.n1, plan.r, plan.n, h.p0, h.alpha)
    return PlannedAnalysis(**base, rows=rows)


@dataclass(frozen=True)
class ObservedView:
    """The analysis of the observed counts (``row`` is None until it can be made)."""

    stage1_evaluable: int
    stage1_responses: int
    stage2_evaluable: int | None
    total_responses: int | None
    source: str
    date: str | None
    stopped: bool
    # True while stage 2 is under way (it went on, but no stage-2 counts yet).
    pending: bool
    row: OutcomeRow | None
    decision_text: str | None
    level: str | None
    p0: str | None
    planned_sizes: bool


def observed_total(plan: StatisticalPlan) -> int | None:
    """The observed total of responses, if it is one of the planned design's outcomes.

    That needs a complete outcome from stages of the planned sizes; with other
    sizes the outcome belongs to another sample space, analysed on its own.
    """
    seen = plan.observed
    if seen is None or seen.stage1_evaluable != plan.n1:
        return None
    if seen.stage1_responses <= plan.r1:
        return seen.stage1_responses
    if seen.stage2_evaluable != plan.n - plan.n1:
        return None
    return seen.total_responses


def observed_analysis(plan: StatisticalPlan) -> ObservedView | None:
    """The analysis of ``plan.observed``; None when the file holds no observed counts."""
    seen = plan.observed
    if seen is None:
        return None
    stopped = seen.stage1_responses <= plan.r1
    pending = not stopped and seen.total_responses is None
    h = plan.hypotheses
    row = text = None
    if h is not None and h.alpha < 0.5 and not pending:
        result = inference.analyse(
            plan.r1, plan.n1, plan.r, plan.n, h.p0,
            seen.stage1_responses if stopped else seen.total_responses,
            stage1_responses=seen.stage1_responses,
            n1_actual=seen.stage1_evaluable,
            n2_actual=None if stopped else seen.stage2_evaluable,
            alpha=h.alpha,
        )
        row, text = _row(result), result.decision_text
    same = seen.stage1_evaluable == plan.n1 and (
        stopped or pending or seen.stage2_evaluable == plan.n - plan.n1
    )
    return ObservedView(
        stage1_evaluable=seen.stage1_evaluable,
        stage1_responses=seen.stage1_responses,
        stage2_evaluable=seen.stage2_evaluable,
        total_responses=seen.total_responses,
        source=seen.source,
        date=seen.date,
        stopped=stopped,
        pending=pending,
        row=row,
        decision_text=text,
        level=level_text(h.alpha) if h else None,
        p0=f"{h.p0:g}" if h else None,
        planned_sizes=same,
    )
