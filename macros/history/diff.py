"""What changed between two versions of the trial, by content rather than by YAML lines.

:func:`compare` returns sections of changes (criteria, computable rules,
sites, status, dates and enrollment, the sample-size plan, outcomes, other
parts). Every change is one line of text, an optional word-level diff, and
whom it affects: a reworded criterion means a reprinted checklist with a new
fingerprint and possibly re-screening; a changed primary outcome is flagged
prominently, since outcome switching is what readers check first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from macros.design.page import characteristics
from macros.design.plan_checks import decimal_text, design_text
from macros.eligibility.checklist import GROUPS, fingerprint, form_rows
from macros.history.rule_diff import rule_changes
from macros.history.wording import Segment, arrow, normal, word_diff
from macros.trial.labels import label
from macros.trial.model import (
    Criterion,
    DateStruct,
    Location,
    Outcome,
    StatisticalPlan,
    Trial,
)


@dataclass(frozen=True)
class Change:
    """One difference: what changed, whom it affects, and the words that changed."""

    text: str
    affects: str
    words: tuple[Segment, ...] = ()
    # Shown at the top of the version: a changed primary outcome.
    prominent: bool = False


@dataclass(frozen=True)
class PlanRow:
    """One line of the plan before and after, with the operating characteristics recomputed."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    changes: tuple[Change, ...]
    # Only the plan section: the old and the new plan side by side.
    plan: tuple[PlanRow, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The differences from one version to the next, by section; empty sections are left out."""

    sections: tuple[Section, ...]
    fingerprint_before: str
    fingerprint_after: str

    @property
    def prominent(self) -> list[Change]:
        return [c for s in self.sections for c in s.changes if c.prominent]

    @property
    def status_change(self) -> Change | None:
        """The change of overall status, if there is one."""
        for section in self.sections:
            if section.key == "status":
                return next((c for c in section.changes if c.text.startswith("Overall status")), None)
        return None


def compare(old: Trial, new: Trial) -> Comparison:
    """Every difference from ``old`` to ``new`` that the Changes page reports."""
    sections = [
        Section("criteria", "Eligibility criteria", tuple(_criteria(old, new))),
        Section("rules", "Computable rules (pre-screen)", tuple(_rules(old, new))),
        Section("outcomes", "Outcomes", tuple(_outcomes(old, new))),
        Section("status", "Status", tuple(_status(old, new))),
        Section("sites", "Sites", tuple(_sites(old, new))),
        Section("dates", "Dates and enrollment", tuple(_dates(old, new))),
        _plan(_stated(old.statistical_plan), _stated(new.statistical_plan)),
        Section("other", "Other parts of the record", tuple(_other(old, new))),
    ]
    return Comparison(
        tuple(s for s in sections if s.changes or s.plan), fingerprint(old), fingerprint(new)
    )


# --- criteria -------------------------------------------------------------------------


def _placed(trial: Trial) -> dict[str, tuple[str, Criterion]]:
    return {c.id: (group, c) for group in GROUPS for c in getattr(trial.eligibility, group)}


def _criteria(old: Trial, new: Trial) -> list[Change]:
    before, after = _placed(old), _placed(new)
    was, now = fingerprint(old), fingerprint(new)
    reprint = (
        f"Checklist reprinted, fingerprint {was} → {now}; patients screened under the old "
        "version may need re-screening."
    )
    changes: list[Change] = []
    for cid, (group, criterion) in after.items():
        if cid not in before:
            changes.append(
                Change(f"{cid} added ({group})", reprint, (Segment("ins", normal(criterion.text)),))
            )
            continue
        old_group, old_criterion = before[cid]
        if old_group != group:
            changes.append(Change(f"{cid} moved from {old_group} to {group}", reprint))
        if normal(old_criterion.text) != normal(criterion.text):
            changes.append(
                Change(f"{cid} reworded", reprint, word_diff(old_criterion.text, criterion.text))
            )
    for cid, (group, criterion) in before.items():
        if cid not in after:
            changes.append(
                Change(f"{cid} removed ({group})", reprint, (Segment("del", normal(criterion.text)),))
            )
    for group in GROUPS:
        common = [cid for cid, (g, _) in before.items() if g == group and after.get(cid, ("",))[0] == g]
        reordered = [cid for cid, (g, _) in after.items() if g == group and cid in common]
        if common != reordered:
            changes.append(
                Change(f"{group.capitalize()} criteria reordered: {', '.join(reordered)} "
                       f"(was {', '.join(common)})", reprint)
            )
    rescreen = "Eligibility; patients screened under the old version may need re-screening."
    for field, name in (
        ("sex", "Sex"), ("minimum_age", "Minimum age"), ("maximum_age", "Maximum age"),
        ("healthy_volunteers", "Healthy volunteers"),
    ):
        a, b = getattr(old.eligibility, field), getattr(new.eligibility, field)
        if a != b:
            changes.append(Change(f"{name} {arrow(_plain(a), _plain(b))}", rescreen))
    return changes


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "accepted" if value else "not accepted"
    return label(value) if isinstance(value, str) and value.isupper() else str(value)


# --- computable rules -------------------------------------------------------------------


def _rules(old: Trial, new: Trial) -> list[Change]:
    before, after = _placed(old), _placed(new)
    was, now = fingerprint(old), fingerprint(new)
    changes = []
    for cid, (group, criterion) in after.items():
        if cid not in before:
            continue
        old_criterion = before[cid][1]
        if old_criterion.rule == criterion.rule:
            continue
        if was != now:
            affects = f"Pre-screen, and the checklist reprinted with fingerprint {was} → {now}."
        elif _measures(old, before[cid][0], cid) != _measures(new, group, cid):
            affects = (
                "Pre-screen, and the measurement fields of the printed checklist "
                f"(its fingerprint {now} stays: it covers the criteria's words only)."
            )
        else:
            affects = f"Pre-screen only; the printed checklist is unchanged (fingerprint {now})."
        changes += [Change(line, affects) for line in rule_changes(cid, old_criterion.rule, criterion.rule)]
    return changes


def _measures(trial: Trial, group: str, cid: str) -> list[tuple[Any, ...]]:
    for row in form_rows(trial, group):
        if row.criterion.id == cid:
            return [(m.label, m.unit, m.uln, m.dated, m.never) for m in row.measures]
    return []


# --- outcomes ---------------------------------------------------------------------------


_OUTCOME_KINDS = (
    ("primary_outcomes", "Primary outcome"),
    ("secondary_outcomes", "Secondary outcome"),
    ("other_outcomes", "Other outcome"),
)


def _outcomes(old: Trial, new: Trial) -> list[Change]:
    changes: list[Change] = []
    for field, name in _OUTCOME_KINDS:
        primary = field == "primary_outcomes"
        affects = (
            "The trial's main result is judged on it: a changed primary outcome must be "
            "justified by the amendment (outcome switching)."
            if primary else "Outcomes page."
        )
        before: list[Outcome] = list(getattr(old.outcomes, field))
        after: list[Outcome] = list(getattr(new.outcomes, field))
        # Unchanged measures pair by their words; the rest pair by position.
        same = [o for o in after if any(normal(o.measure) == normal(p.measure) for p in before)]
        pairs = [
            (next(p for p in before if normal(p.measure) == normal(o.measure)), o) for o in same
        ]
        left = [p for p in before if all(p is not x for x, _ in pairs)]
        right = [o for o in after if all(o is not y for _, y in pairs)]
        pairs += list(zip(left, right, strict=False))
        for x, y in pairs:
            if normal(x.measure) != normal(y.measure):
                changes.append(Change(f"{name} changed", affects, word_diff(x.measure, y.measure), primary))
            for attribute, words in (("time_frame", "time frame"), ("description", "description")):
                a, b = getattr(x, attribute) or "", getattr(y, attribute) or ""
                if normal(a) != normal(b):
                    changes.append(
                        Change(f"{name} {words} changed: {normal(y.measure)}", affects,
                               word_diff(a, b), primary)
                    )
        for outcome in left[len(right):]:
            changes.append(
                Change(f"{name} removed", affects, (Segment("del", normal(outcome.measure)),), primary)
            )
        for outcome in right[len(left):]:
            changes.append(
                Change(f"{name} added", affects, (Segment("ins", normal(outcome.measure)),), primary)
            )
    return changes


# --- status, sites, dates -------------------------------------------------------------


def _status(old: Trial, new: Trial) -> list[Change]:
    affects = "Everyone who refers or enrols patients."
    changes = []
    a, b = old.status.overall_status, new.status.overall_status
    if a != b:
        changes.append(Change(f"Overall status {arrow(label(a), label(b))}", affects))
    why, now = old.status.why_stopped or "", new.status.why_stopped or ""
    if normal(why) != normal(now):
        changes.append(Change("Why stopped", affects, word_diff(why, now)))
    return changes


def _site_key(location: Location) -> tuple[str | None, ...]:
    return (location.facility, location.city, location.state, location.country)


def site_name(location: Location) -> str:
    """``Facility, City, Country`` from what the location states."""
    return ", ".join(p for p in (location.facility, location.city, location.country) if p)


def _sites(old: Trial, new: Trial) -> list[Change]:
    before = {_site_key(x): x for x in old.contacts_locations.locations}
    after = {_site_key(x): x for x in new.contacts_locations.locations}
    affects = "Sites list."
    changes = []
    for key, site in after.items():
        if key not in before:
            status = f" ({label(site.status)})" if site.status else ""
            changes.append(Change(f"Site added: {site_name(site)}{status}", affects))
        elif before[key].status != site.status:
            changes.append(
                Change(
                    f"Site {site_name(site)}: status "
                    f"{arrow(label(before[key].status) or 'none', label(site.status) or 'none')}",
                    affects,
                )
            )
    changes += [
        Change(f"Site removed: {site_name(site)}", affects)
        for key, site in before.items() if key not in after
    ]
    return changes


def _date_text(value: DateStruct | None) -> str:
    if value is None:
        return "none"
    return f"{value.date} ({label(value.type).lower()})" if value.type else value.date


def _dates(old: Trial, new: Trial) -> list[Change]:
    changes = []
    for field, name in (
        ("start_date", "Start date"),
        ("primary_completion_date", "Primary completion date"),
        ("completion_date", "Completion date"),
    ):
        a, b = getattr(old.status, field), getattr(new.status, field)
        if a != b:
            changes.append(Change(f"{name} {arrow(_date_text(a), _date_text(b))}", "Timeline."))
    a, b = old.design.enrollment_info, new.design.enrollment_info
    if a != b:
        def text(e: Any) -> str:
            if e is None:
                return "none"
            count = "not stated" if e.count is None else str(e.count)
            return f"{count} ({label(e.type).lower()})" if e.type else count

        changes.append(Change(f"Enrollment {arrow(text(a), text(b))}", "Target enrollment."))
    return changes


# --- the sample-size plan ---------------------------------------------------------------


def _plan_rows(plan: StatisticalPlan | None) -> dict[str, str]:
    if plan is None:
        return {"Design (r1/n1, r/n)": "none"}
    rows = {
        "Design (r1/n1, r/n)": design_text(plan),
        "Dropout allowance": decimal_text(plan.dropout_rate, places=2),
    }
    h = plan.hypotheses
    if h is not None:
        rows |= {
            "p0, p1": f"{decimal_text(h.p0, places=2)}, {decimal_text(h.p1, places=2)}",
            "Target alpha, beta": f"{decimal_text(h.alpha, places=2)}, {decimal_text(h.beta, places=2)}",
        }
        numbers = characteristics(plan)
        if numbers is not None:
            rows |= {
                "P(promising) at p0 (actual alpha)": numbers.null.promising,
                "P(promising) at p1 (actual power)": numbers.alternative.promising,
                "P(early stop) at p0": numbers.null.early_stop,
                "Expected size at p0": numbers.null.expected_size,
                "Expected size at p1": numbers.alternative.expected_size,
            }
    rows["Claimed design"] = label(plan.claimed_design)
    return rows


def _stated(plan: StatisticalPlan | None) -> StatisticalPlan | None:
    """The plan as designed: the counts observed later are a result, not a change of plan."""
    return plan.model_copy(update={"observed": None}) if plan is not None else None


def _plan(old: StatisticalPlan | None, new: StatisticalPlan | None) -> Section:
    if old == new:
        return Section("plan", "Sample-size plan", ())
    a, b = _plan_rows(old), _plan_rows(new)
    rows = tuple(PlanRow(key, a.get(key, "—"), b.get(key, "—")) for key in dict.fromkeys([*a, *b]))
    affects = "Sample size and stopping rules (Design page); operating characteristics recomputed."
    changes = tuple(
        Change(f"{row.label} {arrow(row.before, row.after)}", affects)
        for row in rows
        if row.changed and not row.label.startswith(("P(", "Expected"))
    )
    return Section("plan", "Sample-size plan", changes or (Change("Plan details changed", affects),), rows)


# --- everything else ----------------------------------------------------------------------


_OTHER = (
    ("identification", None, "Titles and identifiers", "Every page's heading."),
    ("description", None, "Summary and description", "Overview page."),
    ("conditions", None, "Conditions and keywords", "Overview page."),
    ("design", {"enrollment_info"}, "Study design", "Design page."),
    ("arms_interventions", None, "Arms and interventions", "Arms and interventions page."),
    ("sponsor_collaborators", None, "Sponsors", "Sponsors page."),
    ("oversight", None, "Oversight", "Sponsors page."),
    ("contacts_locations", {"locations"}, "Contacts and officials", "Sites page."),
    ("eligibility", {"inclusion", "exclusion", "sex", "minimum_age", "maximum_age",
                     "healthy_volunteers"}, "Eligibility notes and layout", "Eligibility page."),
    ("references", None, "References", "Overview page."),
    ("ipd_sharing_statement", None, "Data sharing statement", "Overview page."),
    ("results", None, "Posted results", "Results page."),
)


def _other(old: Trial, new: Trial) -> list[Change]:
    changes = []
    for field, leave_out, title, affects in _OTHER:
        a, b = getattr(old, field), getattr(new, field)
        dump_a = a.model_dump(exclude=leave_out) if a is not None else None
        dump_b = b.model_dump(exclude=leave_out) if b is not None else None
        if dump_a != dump_b:
            changes.append(Change(f"{title} changed", affects))
    observed = [p.observed if p is not None else None for p in (old.statistical_plan, new.statistical_plan)]
    if observed[0] != observed[1]:
        changes.append(Change("Observed counts of the two-stage analysis changed", "Results page."))
    return changes
