"""The posted results as tables: rows of text, one cell per group.

The Results page (:mod:`macros.site.results_page`) renders these with
autoescaping templates. Every number is the registry's own text, except the
percentages of participants affected by adverse events, which are computed
here exactly (:func:`percent_text`).

* :func:`baseline_table`: the baseline characteristics, one column per group;
* :func:`outcome_views`: each outcome measure with its table and analyses;
* :func:`adverse_events_view`: all-cause mortality, serious and other adverse
  events by organ system, as affected / at risk (percentage).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from macros.trial.labels import label
from macros.trial.results_model import (
    AdverseEvent,
    AdverseEvents,
    BaselineCharacteristics,
    Denom,
    EventGroup,
    FlowGroup,
    MeasureAnalysis,
    MeasureClass,
    MeasureGroup,
    Measurement,
    OutcomeMeasure,
    Results,
)

# Words for the registry's codes where title case would read wrongly.
_PARAM_WORDS = {
    "LEAST_SQUARES_MEAN": "Least squares mean",
    "GEOMETRIC_LEAST_SQUARES_MEAN": "Geometric least squares mean",
    "COUNT_OF_PARTICIPANTS": "Count of participants",
    "COUNT_OF_UNITS": "Count of units",
}
_DISPERSION_WORDS = {
    "NA": "no dispersion given",
    "CONFIDENCE_80": "80% confidence interval",
    "CONFIDENCE_90": "90% confidence interval",
    "CONFIDENCE_95": "95% confidence interval",
    "CONFIDENCE_975": "97.5% confidence interval",
    "CONFIDENCE_99": "99% confidence interval",
    "CONFIDENCE_OTHER": "other confidence interval",
    "STANDARD_ERROR_OF_MEAN": "Standard error of the mean",
}
_OUTCOME_KINDS = {
    "PRIMARY": "Primary outcome",
    "SECONDARY": "Secondary outcome",
    "OTHER_PRE_SPECIFIED": "Other pre-specified outcome",
    "POST_HOC": "Post hoc outcome",
}
_MILESTONE_WORDS = {"STARTED": "Started", "COMPLETED": "Completed", "NOT COMPLETED": "Not completed"}


def code_text(value: str | None) -> str:
    """A registry code in plain words: ``LEAST_SQUARES_MEAN`` -> ``Least squares mean``."""
    if value is None:
        return ""
    return _PARAM_WORDS.get(value) or _DISPERSION_WORDS.get(value) or label(value)


def milestone_text(kind: str) -> str:
    """``NOT COMPLETED`` -> ``Not completed``; a trial's own milestone stays as written."""
    return _MILESTONE_WORDS.get(kind, kind)


def percent_text(affected: int, at_risk: int) -> str | None:
    """``affected / at_risk`` as a percentage to 2 decimals, rounded half up; None if no one was at risk."""
    if at_risk <= 0:
        return None
    exact = Fraction(100 * affected, at_risk)
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def anchor(prefix: str, index: int, title: str) -> str:
    """A stable HTML id: ``outcome-1-percentage-of-participants``."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48].strip("-")
    return f"{prefix}-{index}" + (f"-{words}" if words else "")


# --------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class Column:
    """A group: one column of a table."""

    id: str
    title: str
    description: str | None


@dataclass(frozen=True)
class Cell:
    text: str
    note: str | None = None


@dataclass(frozen=True)
class Row:
    """A table row. ``kind``: ``heading`` (a label across all columns), ``count``
    (a denominator or total), ``value`` (measurements), ``sub`` (an indented value)."""

    label: str
    cells: tuple[Cell, ...] = ()
    kind: str = "value"
    detail: str | None = None


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def _columns(groups: Sequence[FlowGroup | MeasureGroup | EventGroup]) -> tuple[Column, ...]:
    return tuple(Column(g.id, g.title or g.id, g.description) for g in groups)


def measurement_text(m: Measurement | None) -> Cell:
    """``16 (12 to 18)`` for limits, ``12.5 (2.1)`` for a spread, as posted."""
    if m is None:
        return Cell("")
    text = m.value if m.value is not None else "NA"
    if m.spread is not None:
        text += f" ({m.spread})"
    elif m.lower_limit is not None or m.upper_limit is not None:
        text += f" ({m.lower_limit or 'NA'} to {m.upper_limit or 'NA'})"
    return Cell(text, m.comment)


def _denom_rows(denoms: list[Denom], columns: tuple[Column, ...], what: str) -> list[Row]:
    rows = []
    for denom in denoms:
        counts = {c.group_id: c.value for c in denom.counts}
        units = denom.units or "Participants"
        rows.append(
            Row(
                f"{what} ({units.lower() if units == 'Participants' else units})",
                tuple(Cell(str(counts[c.id]) if c.id in counts else "") for c in columns),
                kind="count",
            )
        )
    return rows


def _class_rows(classes: list[MeasureClass], columns: tuple[Column, ...], fallback: str) -> list[Row]:
    rows: list[Row] = []
    for klass in classes:
        titled = [c for c in klass.categories if c.title]
        if klass.title and (len(klass.categories) > 1 or titled):
            rows.append(Row(klass.title, kind="heading"))
        rows += _denom_rows(klass.denoms, columns, "Number analysed")
        for category in klass.categories:
            values = {m.group_id: m for m in category.measurements}
            name = category.title or (klass.title if not titled else None) or fallback
            kind = "sub" if klass.title and category.title else "value"
            rows.append(Row(name, tuple(measurement_text(values.get(c.id)) for c in columns), kind=kind))
    return rows


def _measure_detail(param: str | None, dispersion: str | None, unit: str | None) -> str:
    parts = []
    if param:
        what = code_text(param)
        if dispersion and dispersion != "NA":
            what += f" ({code_text(dispersion) if dispersion.isupper() else dispersion})"
        parts.append(what)
    if unit:
        parts.append(f"Unit: {unit}")
    return ". ".join(parts)


def baseline_table(baseline: BaselineCharacteristics) -> Table:
    """Every baseline measure under its title, one column per group."""
    columns = _columns(baseline.groups)
    rows = _denom_rows(baseline.denoms, columns, "Overall number of baseline participants")
    for measure in baseline.measures:
        rows.append(
            Row(
                measure.title,
                kind="heading",
                detail=_measure_detail(measure.param_type, measure.dispersion_type, measure.unit_of_measure),
            )
        )
        rows += _denom_rows(measure.denoms, columns, "Number analysed")
        rows += _class_rows(measure.classes, columns, measure.unit_of_measure or measure.title)
    return Table(columns, tuple(rows))


# --------------------------------------------------------------------------
# Outcome measures


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class AnalysisView:
    groups: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class OutcomeView:
    anchor: str
    kind: str
    measure: OutcomeMeasure
    facts: tuple[Fact, ...]
    table: Table | None
    analyses: tuple[AnalysisView, ...]


def _ci_text(a: MeasureAnalysis) -> str | None:
    if a.ci_lower_limit is None and a.ci_upper_limit is None:
        return None
    level = f"{a.ci_pct_value}% " if a.ci_pct_value else ""
    sides = f"{code_text(a.ci_num_sides).lower()} " if a.ci_num_sides else ""
    return f"{level}{sides}confidence interval: {a.ci_lower_limit or 'NA'} to {a.ci_upper_limit or 'NA'}"


def _analysis(a: MeasureAnalysis, titles: dict[str, str]) -> AnalysisView:
    groups = " vs ".join(titles.get(g, g) for g in a.group_ids) or "Groups not stated"
    facts: list[Fact] = []

    def add(name: str, value: str | None) -> None:
        if value:
            facts.append(Fact(name, value))

    add("Comparison", a.group_description)
    if a.non_inferiority_type:
        add("Type of test", code_text(a.non_inferiority_type))
    add("Non-inferiority or equivalence", a.non_inferiority_comment)
    add("Statistical method", a.statistical_method)
    add("Method comment", a.statistical_comment)
    add("P-value", a.p_value)
    add("P-value comment", a.p_value_comment)
    if a.param_type or a.param_value:
        add("Estimate", ": ".join(x for x in (a.param_type, a.param_value) if x))
    add("Confidence interval", _ci_text(a))
    add("Lower limit comment", a.ci_lower_limit_comment)
    add("Upper limit comment", a.ci_upper_limit_comment)
    if a.dispersion_type or a.dispersion_value:
        kind = code_text(a.dispersion_type) if a.dispersion_type else "Dispersion"
        add("Dispersion", f"{kind}: {a.dispersion_value or 'NA'}")
    add("Estimation comment", a.estimate_comment)
    add("Other analysis", a.other_analysis_description)
    return AnalysisView(groups, tuple(facts))


def outcome_views(results: Results) -> tuple[OutcomeView, ...]:
    """Each outcome measure: its facts, its table of values and its analyses."""
    views = []
    for i, m in enumerate(results.outcome_measures, start=1):
        facts = []
        for name, value in (
            ("Description", m.description),
            ("Population analysed", m.population_description),
            ("Time frame", m.time_frame),
            ("Unit of measure", m.unit_of_measure),
            ("Measure type", _measure_detail(m.param_type, m.dispersion_type, None) or None),
            ("Units analysed", m.type_units_analyzed),
        ):
            if value:
                facts.append(Fact(name, value))
        if m.reporting_status == "NOT_POSTED":
            when = f"; expected {m.anticipated_posting_date}" if m.anticipated_posting_date else ""
            facts.append(Fact("Reporting status", f"Not posted yet{when}"))
        columns = _columns(m.groups)
        rows = _denom_rows(m.denoms, columns, "Number analysed")
        rows += _class_rows(m.classes, columns, m.unit_of_measure or m.title)
        table = Table(columns, tuple(rows)) if columns and rows else None
        titles = {c.id: c.title for c in columns}
        views.append(
            OutcomeView(
                anchor=anchor("outcome", i, m.title),
                kind=_OUTCOME_KINDS.get(m.type or "", "Outcome"),
                measure=m,
                facts=tuple(facts),
                table=table,
                analyses=tuple(_analysis(a, titles) for a in m.analyses),
            )
        )
    return tuple(views)


# --------------------------------------------------------------------------
# Adverse events


@dataclass(frozen=True)
class EventTable:
    """Serious or other adverse events: a total row, then terms by organ system."""

    kind: str  # "serious" or "other"
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class AdverseEventsView:
    events: AdverseEvents
    columns: tuple[Column, ...]
    mortality: Row | None
    serious: EventTable
    other: EventTable


def affected_cell(affected: int | None, at_risk: int | None, events: int | None = None) -> Cell:
    """``1/97 (1.03%)``, with the number of events as a note."""
    if affected is None and at_risk is None:
        return Cell("")
    text = f"{'NA' if affected is None else affected}/{'NA' if at_risk is None else at_risk}"
    if affected is not None and at_risk is not None:
        pct = percent_text(affected, at_risk)
        if pct:
            text += f" ({pct})"
    note = None
    if events is not None:
        note = f"{events} event{'s' if events != 1 else ''}"
    return Cell(text, note)


def _total_row(groups: list[EventGroup], kind: str, name: str) -> Row | None:
    cells = tuple(
        affected_cell(getattr(g, f"{kind}_num_affected"), getattr(g, f"{kind}_num_at_risk")) for g in groups
    )
    if all(cell.text == "" for cell in cells):
        return None
    return Row(name, cells, kind="count")


def _event_rows(events: list[AdverseEvent], columns: tuple[Column, ...]) -> list[Row]:
    """Terms under their organ system, systems in order of first appearance."""
    systems: dict[str, list[AdverseEvent]] = {}
    for event in events:
        systems.setdefault(event.organ_system or "Organ system not stated", []).append(event)
    rows = []
    for system, members in systems.items():
        rows.append(Row(system, kind="heading"))
        for event in members:
            stats = {s.group_id: s for s in event.stats}
            cells = tuple(
                affected_cell(s.num_affected, s.num_at_risk, s.num_events) if s else Cell("")
                for s in (stats.get(c.id) for c in columns)
            )
            assessed = code_text(event.assessment_type)
            details = [x for x in (event.source_vocabulary, assessed, event.notes) if x]
            rows.append(Row(event.term, cells, kind="sub", detail="; ".join(details) or None))
    return rows


def adverse_events_view(events: AdverseEvents) -> AdverseEventsView:
    """Mortality, serious and other adverse events, one column per event group."""
    columns = _columns(events.event_groups)
    groups = events.event_groups
    serious = [r for r in (_total_row(groups, "serious", "Total, serious adverse events"),) if r]
    other = [r for r in (_total_row(groups, "other", "Total, other adverse events"),) if r]
    return AdverseEventsView(
        events=events,
        columns=columns,
        mortality=_total_row(groups, "deaths", "All-cause mortality"),
        serious=EventTable("serious", tuple(serious + _event_rows(events.serious_events, columns))),
        other=EventTable("other", tuple(other + _event_rows(events.other_events, columns))),
    )
