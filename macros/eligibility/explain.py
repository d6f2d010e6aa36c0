"""How the pre-screen reads each criterion, in plain words.

The checklist page lists, for every criterion, when the pre-screen calls it
met (or, for an exclusion, applying): each threshold with the side of the
boundary it is on, each time window with its first and last day, and the
judgements left to staff. The sentences are built from the same rules that
``docs/assets/prescreen.js`` evaluates, so the page says what the script does.
"""

from __future__ import annotations

from dataclasses import dataclass

from macros.trial import rules
from macros.trial.model import Criterion, Trial


@dataclass(frozen=True)
class CriterionReading:
    """One criterion's line: its id, the reading from the YAML and what decides it."""

    id: str
    group: str
    reading: str | None
    decided: str


@dataclass(frozen=True)
class PlausibleValues:
    """The values the pre-screen accepts for one input."""

    label: str
    values: str


def lower_first(label: str) -> str:
    """``Platelet count`` -> ``platelet count``; ``ALT``, ``LVEF`` and ``eGFR`` stay."""
    if len(label) > 1 and label[1].isalpha() and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _limit(node: rules.Compare) -> str:
    number = rules.decimal_text(node.threshold)
    # "NYHA class is 3 or more": the label already names the class or grade.
    return number if node.unit in ("class", "grade") else rules.quantity(number, node.unit)


def _side(node: rules.Compare) -> str:
    """``below 50 x 10^9/L (50 x 10^9/L itself does not count)`` and the like."""
    limit = _limit(node)
    return {
        "<": f"below {limit} ({limit} itself does not count)",
        "<=": f"{limit} or less ({limit} itself counts)",
        ">": f"above {limit} (exactly {limit} does not count)",
        ">=": f"{limit} or more ({limit} itself counts)",
        "=": f"exactly {limit}",
    }[node.operator]


def duration_words(duration: rules.Duration) -> str:
    """``1 week``, ``4 months``."""
    unit, count = next(iter(duration.parts().items()))
    return f"{count} {unit[:-1] if count == 1 else unit}"


def window_words(duration: rules.Duration) -> str:
    """A window that ends on the planned enrollment date, with its first and last day."""
    parts = duration.parts()
    if "weeks" in parts or "days" in parts:
        first = f"{parts.get('days', 0) + 7 * parts.get('weeks', 0)} days before it"
    else:
        first = (
            f"the same date {duration_words(duration)} earlier, or the last day of that month "
            "if it has no such date,"
        )
    return (
        f"within {duration_words(duration)} before the planned enrollment date, counted from "
        f"{first} up to and including the enrollment date"
    )


def _variable(name: str) -> str:
    return lower_first(rules.VARIABLES[name].label)


def condition(node: rules.RuleNode) -> str:
    """A rule as a clause: what must be true for it to hold."""
    if isinstance(node, rules.Compare):
        words = f"{_variable(node.variable)} is {_side(node)}"
        if node.within is not None:
            words += f", from a test dated {window_words(node.within)}"
        return words
    if isinstance(node, rules.Repeated):
        of = node.of
        words = f"at least {node.at_least} dated {_variable(of.variable)} results are {_side(of)}"
        if node.apart is not None:
            words += f", each dated at least {duration_words(node.apart)} after the one before"
        if node.consecutive:
            words += ", with no result between them that misses the threshold"
        return words
    if isinstance(node, rules.Event):
        return (
            f"the most recent {rules.EVENTS[node.event]} is dated {window_words(node.within)} "
            "(\u201cnever\u201d: it does not)"
        )
    if isinstance(node, rules.Unless):
        return f"{condition(node.condition)}, unless {condition(node.unless)}"
    if isinstance(node, rules.Manual):
        if node.question is None:
            return "staff answer it from the source documents"
        return f"staff answer yes to \u201c{node.question}\u201d"
    items = node.any if isinstance(node, rules.AnyOf) else node.all
    joined = "; ".join(condition(item) for item in items)
    if isinstance(node, rules.AnyOf):
        return f"any one of these holds: {joined}"
    return f"every one of these holds: {joined}"


def decided(criterion: Criterion, group: str) -> str:
    """When the pre-screen calls the criterion met (inclusion) or applying (exclusion)."""
    rule = criterion.rule
    if rule is None or isinstance(rule, rules.Manual):
        return "Staff answer it from the source documents; the pre-screen does not compute it."
    verb = "Met" if group == "inclusion" else "Applies"
    return f"{verb} when {condition(rule)}."


def criterion_readings(trial: Trial) -> list[CriterionReading]:
    """Every criterion, inclusion first, with what decides it."""
    return [
        CriterionReading(c.id, group, c.reading, decided(c, group))
        for group in ("inclusion", "exclusion")
        for c in getattr(trial.eligibility, group)
    ]


def _compares(trial: Trial) -> list[rules.Compare]:
    return [
        node
        for criterion in trial.criteria
        if criterion.rule is not None
        for _, node in rules.walk(criterion.rule)
        if isinstance(node, rules.Compare)
    ]


def plausible_values(trial: Trial, units: dict[str, str | None]) -> list[PlausibleValues]:
    """The accepted values of every number the pre-screen asks for.

    ``units`` gives each variable's entry unit (None when entered beside its ULN
    in the site's own unit), as the pre-screen asks for it.
    """
    found = [
        PlausibleValues(
            rules.VARIABLES[name].label,
            rules.VARIABLES[name].plausible_in(unit).describe(unit),
        )
        for name, unit in units.items()
    ]
    if any(node.unit == rules.ULN for node in _compares(trial)):
        found.append(PlausibleValues("Upper limit of normal", rules.ULN_PLAUSIBLE.describe()))
    return found


def uses_uln(trial: Trial) -> bool:
    """Whether any rule compares a result with a multiple of its upper limit of normal."""
    return any(node.unit == rules.ULN for node in _compares(trial))
