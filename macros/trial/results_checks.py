"""Checks of the posted results and of the observed counts, across fields.

Run by :mod:`macros.trial.consistency` once the types are right. Each check
yields ``(path, message)``:

* every group id that a count, measurement, analysis or event names is one of
  its module's groups (each measure has its own), and no group id is listed
  twice;
* no more participants are affected than are at risk;
* a file with results says the registry has them (``has_results: true``);
* the counts a two-stage trial observed fit its design: no more responses than
  participants, and a trial that stopped after stage 1 has no stage 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from macros.trial.errors import Path, format_path
from macros.trial.limits import MAX_ANALYSIS_N
from macros.trial.model import StatisticalPlan, Trial
from macros.trial.results_model import Denom, MeasureClass, Results

Problems = Iterator[tuple[Path, str]]

BASE: Path = ("results",)


def check(trial: Trial) -> list[tuple[Path, str]]:
    """Every problem of ``trial.results`` and ``trial.statistical_plan.observed``."""
    problems: list[tuple[Path, str]] = []
    if trial.results is not None:
        if not trial.has_results:
            problems.append(
                (BASE, "the file holds posted results, but has_results is not true; set has_results: true")
            )
        problems += _results(trial.results)
    plan = trial.statistical_plan
    if plan is not None and plan.observed is not None:
        problems += _observed(plan)
    return problems


# --- posted results ---------------------------------------------------------------


def _results(results: Results) -> Problems:
    flow = results.participant_flow
    if flow is not None:
        base = (*BASE, "participant_flow")
        ids = yield from _group_ids(flow.groups, base)
        for i, period in enumerate(flow.periods):
            for j, milestone in enumerate(period.milestones):
                for k, stats in enumerate(milestone.achievements):
                    yield from _known(stats.group_id, ids, (*base, "periods", i, "milestones", j,
                                                            "achievements", k, "group_id"), base)
            for j, drop in enumerate(period.drop_withdraws):
                for k, stats in enumerate(drop.reasons):
                    yield from _known(stats.group_id, ids, (*base, "periods", i, "drop_withdraws", j,
                                                            "reasons", k, "group_id"), base)
    baseline = results.baseline_characteristics
    if baseline is not None:
        base = (*BASE, "baseline_characteristics")
        ids = yield from _group_ids(baseline.groups, base)
        yield from _denoms(baseline.denoms, ids, (*base, "denoms"), base)
        for i, measure in enumerate(baseline.measures):
            where = (*base, "measures", i)
            yield from _denoms(measure.denoms, ids, (*where, "denoms"), base)
            yield from _classes(measure.classes, ids, (*where, "classes"), base)
    for i, outcome in enumerate(results.outcome_measures):
        base = (*BASE, "outcome_measures", i)
        ids = yield from _group_ids(outcome.groups, base)
        yield from _denoms(outcome.denoms, ids, (*base, "denoms"), base)
        yield from _classes(outcome.classes, ids, (*base, "classes"), base)
        for j, analysis in enumerate(outcome.analyses):
            for k, group_id in enumerate(analysis.group_ids):
                yield from _known(group_id, ids, (*base, "analyses", j, "group_ids", k), base)
    events = results.adverse_events
    if events is not None:
        base = (*BASE, "adverse_events")
        ids = yield from _group_ids(events.event_groups, base, key="event_groups")
        for i, group in enumerate(events.event_groups):
            for kind in ("deaths", "serious", "other"):
                yield from _at_most_at_risk(
                    getattr(group, f"{kind}_num_affected"),
                    getattr(group, f"{kind}_num_at_risk"),
                    (*base, "event_groups", i),
                    f"{kind}_num_affected",
                    f"{kind}_num_at_risk",
                )
        for kind in ("serious_events", "other_events"):
            for i, event in enumerate(getattr(events, kind)):
                for j, stats in enumerate(event.stats):
                    where = (*base, kind, i, "stats", j)
                    yield from _known(stats.group_id, ids, (*where, "group_id"), base, key="event_groups")
                    yield from _at_most_at_risk(
                        stats.num_affected, stats.num_at_risk, where, "num_affected", "num_at_risk"
                    )


def _group_ids(groups: Iterable, base: Path, key: str = "groups") -> Iterator[tuple[Path, str]]:
    """Report ids listed twice; return the set of ids (``ids = yield from ...``)."""
    seen: list[str] = []
    for i, group in enumerate(groups):
        if group.id in seen:
            yield (*base, key, i, "id"), f"group id '{group.id}' is listed twice; each group needs its own id"
        else:
            seen.append(group.id)
    return seen


def _known(group_id: str, ids: list[str], path: Path, base: Path, key: str = "groups") -> Problems:
    if group_id not in ids:
        listed = ", ".join(f"'{x}'" for x in ids) or "none"
        where = format_path((*base[1:], key))
        yield path, f"names group '{group_id}', which is not in {where} (groups: {listed})"


def _denoms(denoms: list[Denom], ids: list[str], path: Path, base: Path) -> Problems:
    for i, denom in enumerate(denoms):
        for j, count in enumerate(denom.counts):
            yield from _known(count.group_id, ids, (*path, i, "counts", j, "group_id"), base)


def _classes(classes: list[MeasureClass], ids: list[str], path: Path, base: Path) -> Problems:
    for i, klass in enumerate(classes):
        yield from _denoms(klass.denoms, ids, (*path, i, "denoms"), base)
        for j, category in enumerate(klass.categories):
            for k, measurement in enumerate(category.measurements):
                where = (*path, i, "categories", j, "measurements", k, "group_id")
                yield from _known(measurement.group_id, ids, where, base)


def _at_most_at_risk(
    affected: int | None, at_risk: int | None, where: Path, affected_key: str, at_risk_key: str
) -> Problems:
    if affected is not None and at_risk is not None and affected > at_risk:
        yield (*where, affected_key), (
            f"{affected} affected is more than the {at_risk} at risk ({at_risk_key}); "
            "no more participants can be affected than are at risk"
        )


# --- what a two-stage trial observed --------------------------------------------------


def _observed(plan: StatisticalPlan) -> Problems:
    seen = plan.observed
    base: Path = ("statistical_plan", "observed")
    if not (plan.r1 < plan.n1 < plan.n and plan.r1 <= plan.r < plan.n):
        return  # consistency says what is wrong with the design; counts cannot be judged
    if plan.n > MAX_ANALYSIS_N:
        yield base, (
            f"the exact analysis handles designs of at most {MAX_ANALYSIS_N} participants; "
            f"this plan has n = {plan.n}"
        )
        return
    if seen.stage1_responses > seen.stage1_evaluable:
        yield (*base, "stage1_responses"), (
            f"{seen.stage1_responses} responses is more than the {seen.stage1_evaluable} "
            "evaluable participants of stage 1 (stage1_evaluable)"
        )
        return
    if seen.stage1_evaluable <= plan.r1:
        yield (*base, "stage1_evaluable"), (
            f"{seen.stage1_evaluable} evaluable participants cannot apply the stopping rule: "
            f"the trial stops with r1 = {plan.r1} or fewer responses, so stage 1 needs at least "
            f"{plan.r1 + 1} evaluable participants"
        )
        return
    # The analysis's sample space takes the planned stage 2 when none was observed.
    size = seen.stage1_evaluable + (seen.stage2_evaluable or plan.n - plan.n1)
    if size > MAX_ANALYSIS_N:
        yield (*base, "stage1_evaluable"), (
            f"the two stages hold {size} participants, more than the {MAX_ANALYSIS_N} "
            "the exact analysis handles"
        )
        return
    stage2 = {
        name: getattr(seen, name)
        for name in ("stage2_evaluable", "total_responses")
        if getattr(seen, name) is not None
    }
    if seen.stage1_responses <= plan.r1:
        for name in stage2:
            yield (*base, name), (
                f"the trial stopped after stage 1 ({seen.stage1_responses} responses, at most "
                f"r1 = {plan.r1}), so it has no stage 2; remove {name}"
            )
        return
    if len(stage2) == 1:
        (given,) = stage2
        missing = "total_responses" if given == "stage2_evaluable" else "stage2_evaluable"
        yield (*base, given), f"goes with {missing}: give both once stage 2 is complete, or neither"
        return
    if not stage2:
        return  # stage 2 under way
    total, n2 = seen.total_responses, seen.stage2_evaluable
    if not seen.stage1_responses <= total <= seen.stage1_responses + n2:
        yield (*base, "total_responses"), (
            f"{total} must be between the {seen.stage1_responses} responses of stage 1 and "
            f"{seen.stage1_responses + n2}, those plus the {n2} evaluable participants of stage 2"
        )
