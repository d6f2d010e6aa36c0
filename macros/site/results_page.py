"""The Results page's macros: the posted results and the pre-specified analysis, rendered.

The numbers come from :mod:`macros.results` (``posted``, ``flow``,
``planned``); each macro renders one template. ``has_posted_results()`` and
``has_two_stage_plan()`` let the generic page choose its sections.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from macros.results.flow import flow_diagram, flow_tables
from macros.results.planned import every_outcome, observed_analysis, observed_total
from macros.results.posted import adverse_events_view, baseline_table, outcome_views
from macros.site.render import render
from macros.trial.model import Trial

MACROS = (
    "has_posted_results",
    "has_two_stage_plan",
    "results_status",
    "participant_flow",
    "baseline_characteristics",
    "outcome_measures",
    "adverse_events",
    "limitations_and_caveats",
    "planned_analysis",
)


def register(env: Any, trial: Trial, registry_url: str) -> None:
    """Register the Results page's macros; ``registry_url`` is the trial's registry page."""
    page = ResultsPage(trial, registry_url)
    for name in MACROS:
        env.macro(getattr(page, name), name)


class ResultsPage:
    """The Results page's macros; each returns escaped HTML (or a bool for the page's choices)."""

    def __init__(self, trial: Trial, registry_url: str) -> None:
        self.trial = trial
        self.results = trial.results
        self.registry_url = registry_url

    def has_posted_results(self) -> bool:
        return self.results is not None

    def has_two_stage_plan(self) -> bool:
        return self.trial.statistical_plan is not None

    def results_status(self) -> Markup:
        return render(
            "results_status",
            trial=self.trial,
            registry_url=self.registry_url,
            posted=self.results is not None,
        )

    def participant_flow(self) -> Markup:
        flow = self.results.participant_flow if self.results else None
        return render(
            "results_flow",
            flow=flow,
            diagram=flow_diagram(flow) if flow else None,
            tables=flow_tables(flow) if flow else (),
        )

    def baseline_characteristics(self) -> Markup:
        baseline = self.results.baseline_characteristics if self.results else None
        return render(
            "results_baseline", baseline=baseline, table=baseline_table(baseline) if baseline else None
        )

    def outcome_measures(self) -> Markup:
        return render("results_outcomes", views=outcome_views(self.results) if self.results else ())

    def adverse_events(self) -> Markup:
        events = self.results.adverse_events if self.results else None
        return render("results_adverse_events", view=adverse_events_view(events) if events else None)

    def limitations_and_caveats(self) -> Markup:
        return render("results_more_info", info=self.results.more_info if self.results else None)

    def planned_analysis(self) -> Markup:
        plan = self.trial.statistical_plan
        return render(
            "planned_analysis",
            plan=plan,
            view=every_outcome(plan) if plan else None,
            seen=observed_analysis(plan) if plan else None,
            observed=observed_total(plan) if plan else None,
        )
