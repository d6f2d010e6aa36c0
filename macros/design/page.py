"""The design page's evidence: how the stated Simon design behaves, and why.

The numbers behind four macros (:mod:`macros.site.design_page` renders each
with a ``design_*.html.jinja`` template):

* ``design_stages()``: the two stages and their decision rules as a flow;
* ``design_characteristics()``: the hypotheses with their provenance and the
  design's probability of declaring the treatment promising, chance of
  stopping early and expected size under ``p0`` and ``p1``;
* ``design_alternatives()``: Simon's minimax, admissible and optimal designs
  for the same hypotheses, with the stated design marked;
* ``design_curve()``: an inline SVG of the two probabilities against the true
  response rate, with the same numbers as a table.

Every number comes from the YAML or :mod:`macros.design.simon` and is turned into
text here, to a fixed number of decimals, so the page is the same bytes on
every build. Nothing here imports mkdocs.
"""

from __future__ import annotations

from dataclasses import dataclass

from macros.design import simon
from macros.design.plan_checks import (
    decimal_text,
    design_text,
    meets_alpha,
    meets_power,
    power_target_text,
    roles,
    search_for,
    stated_design,
)
from macros.trial.model import Hypotheses, StatisticalPlan

# Response rates drawn (every 0.01) and tabulated (every 0.05), as exact
# fractions of the grid so no float arithmetic creeps into the labels.
CURVE_STEPS = 100
TABLE_EVERY = 5


def probability_text(value: float) -> str:
    """A probability to 4 decimals: ``0.049933`` -> ``0.0499``."""
    return f"{value:.4f}"


def size_text(value: float) -> str:
    """An expected sample size to 2 decimals: ``23.5013`` -> ``23.50``."""
    return f"{value:.2f}"


def rate_text(value: float) -> str:
    """A hypothesised rate as the YAML writes it, at least 2 decimals: ``0.5`` -> ``0.50``."""
    return decimal_text(value, places=2)


# --------------------------------------------------------------------------
# Operating characteristics under p0 and p1


@dataclass(frozen=True)
class Scenario:
    """The stated design if the true response rate is ``p0`` (or ``p1``)."""

    key: str  # "p0" or "p1"
    rate: str
    promising: str
    early_stop: str
    expected_size: str


@dataclass(frozen=True)
class Characteristics:
    design: str
    hypotheses: Hypotheses
    p0: str
    p1: str
    alpha: str
    beta: str
    power_target: str
    null: Scenario
    alternative: Scenario
    meets_alpha: bool
    meets_power: bool
    # None when simon.search found nothing to compare with (a stated design
    # larger than any search may go).
    roles: tuple[str, ...] | None
    claimed: str


def characteristics(plan: StatisticalPlan) -> Characteristics | None:
    """The numbers of the characteristics table, or ``None`` without hypotheses."""
    h = plan.hypotheses
    if h is None:
        return None
    design = stated_design(plan)
    scenarios = []
    for key, rate in (("p0", h.p0), ("p1", h.p1)):
        oc = simon.operating_characteristics(plan.r1, plan.n1, plan.r, plan.n, rate)
        scenarios.append(
            Scenario(
                key=key,
                rate=rate_text(rate),
                promising=probability_text(oc.reject_probability),
                early_stop=probability_text(oc.early_termination_probability),
                expected_size=size_text(oc.expected_sample_size),
            )
        )
    try:
        found: tuple[str, ...] | None = tuple(roles(design, h, search_for(h)))
    except ValueError:
        found = None
    return Characteristics(
        design=design_text(plan),
        hypotheses=h,
        p0=rate_text(h.p0),
        p1=rate_text(h.p1),
        alpha=rate_text(h.alpha),
        beta=rate_text(h.beta),
        power_target=power_target_text(h.beta),
        null=scenarios[0],
        alternative=scenarios[1],
        meets_alpha=meets_alpha(design, h),
        meets_power=meets_power(design, h),
        roles=found,
        claimed=plan.claimed_design,
    )


# --------------------------------------------------------------------------
# Alternatives: Simon's designs for the same hypotheses


@dataclass(frozen=True)
class Alternative:
    kind: str  # "Minimax", "Admissible", "Optimal", "Optimal and minimax" or "Other"
    r1: int
    n1: int
    r: int
    n: int
    expected_size: str
    early_stop: str
    alpha: str
    power: str
    weights: tuple[str, str] | None
    stated: bool


@dataclass(frozen=True)
class Alternatives:
    p0: str
    rows: tuple[Alternative, ...]
    nmax: int
    warnings: tuple[str, ...]
    stated_is_listed: bool
    # Why there are no rows: simon.search found no design it could compare.
    problem: str | None = None


def _same_design(plan: StatisticalPlan, design: simon.Design) -> bool:
    return (plan.r1, plan.n1, plan.r, plan.n) == (design.r1, design.n1, design.r, design.n)


def _row(design: simon.Design, kind: str, weights: tuple[str, str] | None, stated: bool) -> Alternative:
    return Alternative(
        kind=kind,
        r1=design.r1,
        n1=design.n1,
        r=design.r,
        n=design.n,
        expected_size=size_text(design.en0),
        early_stop=probability_text(design.pet0),
        alpha=probability_text(design.alpha),
        power=probability_text(design.power),
        weights=weights,
        stated=stated,
    )


def alternatives(plan: StatisticalPlan) -> Alternatives | None:
    """The admissible designs, minimax first, and the stated one if it is not among them."""
    h = plan.hypotheses
    if h is None:
        return None
    try:
        result = search_for(h)
    except ValueError as exc:
        # Only when the stated design is larger than any search may go.
        return Alternatives(rate_text(h.p0), (), 0, (), False, problem=str(exc))
    designs = result.admissible
    ranges = simon.admissible_weight_ranges(designs)
    last = len(designs) - 1
    rows = []
    for i, (design, (low, high)) in enumerate(zip(designs, ranges, strict=True)):
        if i == 0 and i == last:
            kind = "Optimal and minimax"
        elif i == 0:
            kind = "Minimax"
        elif i == last:
            kind = "Optimal"
        else:
            kind = "Admissible"
        weights = (f"{low:.2f}", f"{high:.2f}")
        rows.append(_row(design, kind, weights, _same_design(plan, design)))
    listed = any(row.stated for row in rows)
    if not listed:
        rows.append(_row(stated_design(plan), "Other", None, True))
    return Alternatives(
        p0=rate_text(h.p0),
        rows=tuple(rows),
        nmax=result.nmax,
        warnings=result.warnings,
        stated_is_listed=listed,
    )


# --------------------------------------------------------------------------
# The figure: probabilities against the true response rate


@dataclass(frozen=True)
class Frame:
    """Where the plot sits in the SVG's coordinate system (user units)."""

    width: int = 600
    height: int = 340
    left: int = 64
    right: int = 20
    top: int = 30
    bottom: int = 56

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    def x(self, rate: float) -> str:
        return f"{self.left + rate * self.plot_width:.2f}"

    def y(self, probability: float) -> str:
        return f"{self.top + (1.0 - probability) * self.plot_height:.2f}"


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class Marker:
    """A hypothesised rate on the figure: a vertical line and a point on each curve."""

    key: str  # "p0" or "p1"
    rate: str
    x: str
    promising_y: str
    early_stop_y: str
    promising: str
    early_stop: str
    anchor: str  # label to the left of p0's line, to the right of p1's


@dataclass(frozen=True)
class Row:
    rate: str
    promising: str
    early_stop: str
    expected_size: str
    marks: tuple[str, ...]


@dataclass(frozen=True)
class Curve:
    design: str
    frame: Frame
    promising_points: str
    early_stop_points: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]
    rows: tuple[Row, ...]


def curve(plan: StatisticalPlan, frame: Frame | None = None) -> Curve:
    """Geometry and numbers of the figure and its table, all as fixed-decimal text."""
    frame = frame or Frame()
    grid = [i / CURVE_STEPS for i in range(CURVE_STEPS + 1)]
    values = simon.rejection_curve(plan.r1, plan.n1, plan.r, plan.n, grid)
    promising = " ".join(f"{frame.x(v.p)},{frame.y(v.reject_probability)}" for v in values)
    early = " ".join(f"{frame.x(v.p)},{frame.y(v.early_termination_probability)}" for v in values)
    h = plan.hypotheses
    rates = {"p0": h.p0, "p1": h.p1} if h else {}
    markers = []
    for key, rate in rates.items():
        oc = simon.operating_characteristics(plan.r1, plan.n1, plan.r, plan.n, rate)
        markers.append(
            Marker(
                key=key,
                rate=rate_text(rate),
                x=frame.x(rate),
                promising_y=frame.y(oc.reject_probability),
                early_stop_y=frame.y(oc.early_termination_probability),
                promising=probability_text(oc.reject_probability),
                early_stop=probability_text(oc.early_termination_probability),
                anchor="end" if key == "p0" else "start",
            )
        )
    rows = []
    for v in values[::TABLE_EVERY]:
        marks = tuple(key for key, rate in rates.items() if rate == v.p)
        rows.append(
            Row(
                rate=f"{v.p:.2f}",
                promising=probability_text(v.reject_probability),
                early_stop=probability_text(v.early_termination_probability),
                expected_size=size_text(v.expected_sample_size),
                marks=marks,
            )
        )
    return Curve(
        design=design_text(plan),
        frame=frame,
        promising_points=promising,
        early_stop_points=early,
        x_ticks=tuple(Tick(frame.x(i / 10), f"{i / 10:.1f}") for i in range(11)),
        y_ticks=tuple(Tick(frame.y(i / 5), f"{i / 5:.1f}") for i in range(6)),
        markers=tuple(markers),
        rows=tuple(rows),
    )
