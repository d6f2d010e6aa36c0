"""The printable eligibility checklist and its on-page pre-screen.

Everything here is derived from the trial: the form's rows are the criteria's
verbatim texts, the measurement fields come from the criteria's rules, and the
pre-screen receives the rules as JSON. :mod:`macros.site.checklist_page`
renders it; :mod:`macros.eligibility.pdf` prints the built page to PDF.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from macros.trial import rules
from macros.trial.labels import label
from macros.trial.model import Criterion, Trial

# The page that holds the checklist, relative to docs/.
CHECKLIST_PAGE = "checklist.md"
# The PDFs written beside it, by paper size.
PDF_NAMES = {"a4": "checklist-a4.pdf", "letter": "checklist-letter.pdf"}
GROUPS = ("inclusion", "exclusion")


# --- fingerprint --------------------------------------------------------------


def canonical_criteria(trial: Trial) -> bytes:
    """The criteria in the canonical form that :func:`fingerprint` hashes.

    A JSON array with one ``[group, id, text]`` triple per criterion, inclusion
    first, in protocol order; each text in Unicode NFC with every run of
    whitespace made one space and the ends trimmed, so that re-wrapping a line
    in the YAML does not change it. Written as compact UTF-8 JSON (separators
    ``,`` and ``:``, non-ASCII characters as themselves). Rules are left out:
    the paper form shows only the texts.
    """
    triples = [
        [group, criterion.id, " ".join(unicodedata.normalize("NFC", criterion.text).split())]
        for group in GROUPS
        for criterion in getattr(trial.eligibility, group)
    ]
    return json.dumps(triples, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(trial: Trial) -> str:
    """First 8 hex digits of SHA-256 over :func:`canonical_criteria`.

    Printed on every page of the checklist so that a filed sheet can be matched
    to the criteria it was printed from; it changes when a criterion's group,
    id, order or words change, and only then.
    """
    return hashlib.sha256(canonical_criteria(trial)).hexdigest()[:8]


# --- what the form and the pre-screen need from the rules ---------------------


@dataclass
class Measure:
    """One line of measurement fields under a criterion on the paper form.

    ``key`` names what the pre-screen fills in: ``variable:NAME:ROW`` for a
    measurement (row 0 unless repeated), ``event:NAME`` for an event's date.
    """

    key: str
    label: str
    unit: str | None = None
    uln: bool = False
    dated: bool = True
    never: bool = False


@dataclass
class Question:
    """A judgement inside a rule ("Is the raised ferritin caused by infection?").

    ``key`` is ``answer:ID:PATH``, PATH the node's place in the rule (``all.0``);
    the pre-screen ticks the boxes ``KEY:yes`` or ``KEY:no`` with the answer given.
    """

    key: str
    text: str


@dataclass
class Row:
    """One criterion on the form.

    ``series`` names the repeated measurements whose extra rows (beyond the
    form's own lines) the pre-screen adds when it prints a filled checklist.
    """

    criterion: Criterion
    group: str
    manual: bool
    measures: list[Measure] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    series: list[str] = field(default_factory=list)


def answer_key(criterion_id: str, loc: tuple[str | int, ...]) -> str:
    """``answer:E17:all.0``: the key of a manual part's answer (``top`` for a whole rule)."""
    return f"answer:{criterion_id}:{'.'.join(str(p) for p in loc) or 'top'}"


@dataclass
class VariableUse:
    """How the pre-screen asks for one variable across all the rules."""

    label: str
    unit: str | None
    hint: str | None
    dated: bool
    uln: bool = False
    rows: int = 1
    series: bool = False
    first_use: str = ""


def _absolute_units(trial: Trial) -> dict[str, str]:
    """The unit each variable is entered in (one per variable, see rules.check_trial)."""
    units: dict[str, str] = {}
    for criterion in trial.criteria:
        if criterion.rule is None:
            continue
        for _, node in rules.walk(criterion.rule):
            if isinstance(node, rules.Compare) and node.unit != rules.ULN:
                units.setdefault(node.variable, node.unit)
    return units


def variable_uses(trial: Trial) -> dict[str, VariableUse]:
    """Every variable the rules compare, in order of first use."""
    units = _absolute_units(trial)
    uses: dict[str, VariableUse] = {}
    for criterion in trial.criteria:
        if criterion.rule is None:
            continue
        for _, node in rules.walk(criterion.rule):
            if isinstance(node, rules.Repeated):
                use = _use(uses, node.of.variable, units, criterion.id)
                use.series = True
                use.rows = max(use.rows, node.at_least)
            elif isinstance(node, rules.Compare):
                use = _use(uses, node.variable, units, criterion.id)
                use.uln = use.uln or node.unit == rules.ULN
    return uses


def _use(uses: dict[str, VariableUse], name: str, units: dict[str, str], cid: str) -> VariableUse:
    if name not in uses:
        variable = rules.VARIABLES[name]
        uses[name] = VariableUse(
            label=variable.label, unit=units.get(name), hint=variable.hint,
            dated=variable.dated, first_use=cid,
        )
    return uses[name]


def form_rows(trial: Trial, group: str) -> list[Row]:
    """The rows of one table of the form, with measurement lines from the rules."""
    uses = variable_uses(trial)
    rows = []
    for criterion in getattr(trial.eligibility, group):
        rule = criterion.rule
        manual = rule is None or isinstance(rule, rules.Manual)
        row = Row(criterion=criterion, group=group, manual=manual)
        seen: set[str] = set()
        for loc, node in rules.walk(rule) if rule is not None else ():
            if isinstance(node, rules.Manual) and node.question is not None:
                row.questions.append(Question(answer_key(criterion.id, loc), node.question))
            elif isinstance(node, rules.Repeated):
                name = node.of.variable
                seen.add(name)
                row.series.append(name)
                use = uses[name]
                row.measures += [
                    Measure(
                        key=f"variable:{name}:{i}", label=f"{use.label} {i + 1}",
                        unit=use.unit, uln=use.uln, dated=True,
                    )
                    for i in range(node.at_least)
                ]
            elif isinstance(node, rules.Compare) and node.variable not in seen:
                seen.add(node.variable)
                use = uses[node.variable]
                row.measures.append(
                    Measure(
                        key=f"variable:{node.variable}:0", label=use.label,
                        unit=use.unit, uln=use.uln, dated=use.dated,
                    )
                )
            elif isinstance(node, rules.Event) and node.event not in seen:
                seen.add(node.event)
                row.measures.append(
                    Measure(
                        key=f"event:{node.event}",
                        label=f"Most recent {rules.EVENTS[node.event]}",
                        dated=True, never=True,
                    )
                )
        rows.append(row)
    return rows


def prescreen_data(trial: Trial) -> dict[str, Any]:
    """Everything the pre-screen script needs, as plain data."""
    uses = variable_uses(trial)
    windows = any(
        isinstance(node, rules.Event)
        or (isinstance(node, rules.Compare) and node.within is not None)
        for criterion in trial.criteria
        if criterion.rule is not None
        for _, node in rules.walk(criterion.rule)
    )
    events = {
        node.event: {"label": rules.EVENTS[node.event]}
        for criterion in trial.criteria
        if criterion.rule is not None
        for _, node in rules.walk(criterion.rule)
        if isinstance(node, rules.Event)
    }
    return {
        "nct_id": trial.identification.nct_id,
        "fingerprint": fingerprint(trial),
        "needs_enrollment_date": windows,
        "criteria": [
            {
                "id": c.id,
                "group": group,
                "text": c.text,
                "reading": c.reading,
                "rule": rules.to_json(c.rule) if c.rule is not None else None,
            }
            for group in GROUPS
            for c in getattr(trial.eligibility, group)
        ],
        "variables": {
            name: {
                "label": use.label, "unit": use.unit, "hint": use.hint,
                "dated": use.dated, "uln": use.uln, "rows": use.rows,
                "series": use.series, "first_use": use.first_use,
                "plausible": rules.VARIABLES[name].plausible_in(use.unit).to_json(use.unit),
            }
            for name, use in uses.items()
        },
        "uln_plausible": rules.ULN_PLAUSIBLE.to_json(),
        "events": events,
    }


# --- identity ---------------------------------------------------------------------

#: Registry statuses under which a trial takes new participants.
ENROLLING = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION")


@dataclass(frozen=True)
class NotEnrolling:
    """Why the checklist is for training and audit only: the registry status and its date."""

    status: str
    date: str
    date_label: str


def not_enrolling(trial: Trial) -> NotEnrolling | None:
    """The registry status when the trial is not enrolling, else None.

    Its date is the completion date of a completed trial, otherwise the date
    the status was verified, otherwise the registry record's date.
    """
    status = trial.status
    if status.overall_status in ENROLLING:
        return None
    shown = label(status.overall_status)
    if status.overall_status == "COMPLETED" and status.completion_date is not None:
        return NotEnrolling(shown, status.completion_date.date, "completion date")
    if status.status_verified_date is not None:
        return NotEnrolling(shown, status.status_verified_date, "status verified")
    return NotEnrolling(shown, trial.record_version, "registry record of")



def short_title(trial: Trial) -> str:
    ident = trial.identification
    return ident.acronym or ident.brief_title


def protocol_version(trial: Trial) -> str:
    """``Protocol version 3.1 of 2024-05-02``, or the registry record when no version is given."""
    if trial.protocol is None:
        return f"Registry record of {trial.record_version}"
    return trial.protocol.title
