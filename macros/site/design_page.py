"""The design page's macros: the numbers of :mod:`macros.design.page`, rendered."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from macros.design.enrollment import inflated_enrollment
from macros.design.page import alternatives, characteristics, curve
from macros.design.plan_checks import percent_text
from macros.results.planned import every_outcome, observed_total
from macros.site.render import render
from macros.trial.model import Trial

MACROS = (
    "design_stages",
    "design_characteristics",
    "design_alternatives",
    "design_curve",
    "design_outcomes",
)


def register(env: Any, trial: Trial) -> None:
    """Register the design page's macros."""
    page = DesignPage(trial)
    for name in MACROS:
        env.macro(getattr(page, name), name)



class DesignPage:
    """The design page's macros; each returns escaped HTML."""

    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.plan = trial.statistical_plan

    def design_stages(self) -> Markup:
        plan = self.plan
        return render(
            "design_stages",
            plan=plan,
            inflated=inflated_enrollment(plan.n, plan.dropout_rate) if plan else None,
            dropout=percent_text(plan.dropout_rate) if plan else None,
        )

    def design_characteristics(self) -> Markup:
        plan = self.plan
        return render(
            "design_characteristics",
            plan=plan,
            view=characteristics(plan) if plan else None,
        )

    def design_alternatives(self) -> Markup:
        plan = self.plan
        return render(
            "design_alternatives",
            plan=plan,
            view=alternatives(plan) if plan else None,
        )

    def design_curve(self) -> Markup:
        plan = self.plan
        return render("design_curve", plan=plan, view=curve(plan) if plan else None)

    def design_outcomes(self) -> Markup:
        plan = self.plan
        return render(
            "design_outcomes",
            plan=plan,
            view=every_outcome(plan) if plan else None,
            observed=observed_total(plan) if plan else None,
        )
