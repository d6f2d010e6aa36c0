"""Checks that span several fields, run once the types are known to be right.

Each check yields ``(path, message)``; the loader turns the path into a line.
"""

from __future__ import annotations

from collections.abc import Iterator

from macros.trial import results_checks, rules
from macros.trial.dates import date_key
from macros.trial.errors import Path
from macros.trial.model import Trial


def check(trial: Trial) -> list[tuple[Path, str]]:
    return [
        *_dates(trial),
        *_arm_labels(trial),
        *_criterion_ids(trial),
        *_statistical_plan(trial),
        *rules.check_trial(trial),
        *results_checks.check(trial),
    ]


def _dates(trial: Trial) -> Iterator[tuple[Path, str]]:
    status = trial.status
    start = status.start_date
    for name in ("primary_completion_date", "completion_date"):
        end = getattr(status, name)
        if start and end and date_key(end.date) < date_key(start.date):
            yield (
                ("status", name, "date"),
                f"{end.date} is before the start date {start.date}",
            )


def _arm_labels(trial: Trial) -> Iterator[tuple[Path, str]]:
    arms = trial.arms_interventions
    labels = [arm.label for arm in arms.arm_groups]
    seen: set[str] = set()
    for i, label in enumerate(labels):
        if label in seen:
            path = ("arms_interventions", "arm_groups", i, "label")
            yield path, f"arm '{label}' is listed twice"
        seen.add(label)
    if not labels:
        return  # an old record lists interventions only: nothing to check them against
    for i, intervention in enumerate(arms.interventions):
        for j, label in enumerate(intervention.arm_group_labels):
            if label not in seen:
                known = ", ".join(f"'{x}'" for x in labels) or "none"
                yield (
                    ("arms_interventions", "interventions", i, "arm_group_labels", j),
                    f"names arm '{label}', which is not in arm_groups (arms: {known})",
                )


def _criterion_ids(trial: Trial) -> Iterator[tuple[Path, str]]:
    seen: dict[str, str] = {}
    for group in ("inclusion", "exclusion"):
        for i, criterion in enumerate(getattr(trial.eligibility, group)):
            if criterion.id in seen:
                yield (
                    ("eligibility", group, i, "id"),
                    f"criterion id '{criterion.id}' is already used in {seen[criterion.id]}; "
                    "each criterion needs its own id",
                )
            else:
                seen[criterion.id] = f"eligibility.{group}"


def _statistical_plan(trial: Trial) -> Iterator[tuple[Path, str]]:
    plan = trial.statistical_plan
    if plan is None:
        return
    base = ("statistical_plan",)
    if not plan.n1 < plan.n:
        yield (*base, "n1"), f"n1 ({plan.n1}) must be smaller than the total n ({plan.n})"
    if not plan.r1 < plan.n1:
        yield (*base, "r1"), f"r1 ({plan.r1}) must be smaller than n1 ({plan.n1})"
    if not plan.r1 <= plan.r < plan.n:
        yield (*base, "r"), (
            f"r ({plan.r}) must be at least r1 ({plan.r1}) and smaller than n ({plan.n})"
        )
    # Hypotheses, error rates, the declared design and the enrollment are
    # checked by macros.design.plan_checks, passed to the loader as a check.
