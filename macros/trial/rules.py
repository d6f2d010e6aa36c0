"""Computable eligibility rules: a small typed language kept beside the verbatim text.

A criterion's ``text`` is the protocol's own words and is what people read and
sign. Its optional ``rule`` is a machine-readable reading of the same condition
that the on-page pre-screen evaluates. The text is never generated from the
rule, and a rule never replaces the text.

A rule is one of these nodes (the keys present tell which):

``{variable, operator, threshold, unit[, within]}``
    A comparison of one measurement with a threshold, such as
    ``{variable: alt, operator: ">", threshold: 3, unit: x ULN}``. The unit
    ``x ULN`` means a multiple of the site's upper limit of normal, entered
    beside the result. ``within`` requires the test to be dated in that period
    before the enrollment date; an older test does not count.
``{any: [...]}`` / ``{all: [...]}``
    At least one / every listed rule holds.
``{at_least, of, apart, consecutive}``
    Repeated measurements: at least ``at_least`` dated measurements satisfy the
    comparison ``of``, each ``apart`` (a duration) after the previous one;
    with ``consecutive: true`` no measurement that fails ``of`` may come
    between them.
``{event, within}``
    The most recent date of an event (a treatment, a thrombosis) lies within
    the period before the enrollment date.
``{condition, unless}``
    The condition holds, except when ``unless`` holds (a protocol exception).
``{manual: true[, question]}``
    Needs judgement. At the top of a rule the criterion text is the question;
    inside a combination ``question`` says what staff must judge.

A criterion without a rule is answered manually too. The variables, events and
units form a fixed vocabulary (:data:`VARIABLES`, :data:`EVENTS`), so a typo is
an error that lists the allowed values. Each variable also states the values it
can plausibly take (:class:`Plausible`): the pre-screen refuses a value outside
them, and a threshold outside them is an error in the rule.

Thresholds are decimals: :func:`to_json` writes them as decimal strings, and
the pre-screen compares exactly (scaled integers), never with binary floats.

Evaluation is three-valued (holds, does not hold, unknown) and happens in the
browser (``docs/assets/prescreen.js``); missing data is never taken to hold.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

# --- vocabulary -------------------------------------------------------------

ULN = "x ULN"  # "a multiple of the upper limit of normal"


@dataclass(frozen=True)
class Plausible:
    """The values a measurement can plausibly take; anything else is a typing error.

    From ``low`` to ``high``, both included, except that ``above`` excludes
    ``low`` itself (an upper limit of normal must be greater than 0). None means
    no bound. ``whole`` asks for a whole number (NYHA class 1 to 4).
    """

    low: Decimal | None = Decimal(0)
    high: Decimal | None = None
    above: bool = False
    whole: bool = False

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` is plausible (exact decimal comparison)."""
        if self.whole and value != value.to_integral_value():
            return False
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self, unit: str | None = None) -> str:
        """In words: ``0 to 120 years``, ``a whole number from 1 to 4``, ``greater than 0``."""
        low = decimal_text(self.low) if self.low is not None else None
        high = quantity(decimal_text(self.high), unit) if self.high is not None else None
        if self.whole and low is not None and self.high is not None:
            return f"a whole number from {low} to {decimal_text(self.high)}"
        if low is not None and high is not None:
            return f"{low} to {high}"
        if low is not None:
            shown = low if self.low == 0 else quantity(low, unit)
            return f"greater than {shown}" if self.above else f"{shown} or more"
        return f"{high} or less" if high is not None else "any number"

    def to_json(self, unit: str | None = None) -> dict[str, Any]:
        """For the pre-screen: bounds as decimal strings, and the words of its message."""
        return {
            "low": decimal_text(self.low) if self.low is not None else None,
            "high": decimal_text(self.high) if self.high is not None else None,
            "above": self.above,
            "whole": self.whole,
            "text": self.describe(unit),
        }


def _range(low: int, high: int, *, whole: bool = False) -> Plausible:
    return Plausible(Decimal(low), Decimal(high), whole=whole)


#: A count, concentration, rate or duration: 0 or more, no upper bound.
NOT_NEGATIVE = Plausible()
#: An upper limit of normal, entered beside a result: greater than 0.
ULN_PLAUSIBLE = Plausible(above=True)


@dataclass(frozen=True)
class Variable:
    """A measurement a rule may compare.

    ``units`` lists the units a threshold may be written in; ``dated`` says
    whether the value comes from a test taken on a date (its date then goes on
    the form, and time windows may apply); ``hint`` tells staff how to enter it;
    ``plausible`` gives, by unit, the values it can take (0 or more when the
    unit is not listed; always so for a value entered beside its ULN).
    """

    label: str
    units: tuple[str, ...]
    dated: bool = True
    hint: str | None = None
    plausible: Mapping[str, Plausible] = field(default_factory=dict)

    def plausible_in(self, unit: str | None) -> Plausible:
        """The plausible values in ``unit`` (None or ``x ULN``: the site's own unit)."""
        return self.plausible.get(unit or "", NOT_NEGATIVE)


VARIABLES: dict[str, Variable] = {
    "age_years": Variable("Age", ("years",), dated=False, plausible={"years": _range(0, 120)}),
    "platelets": Variable("Platelet count", ("10^9/L",)),
    "neutrophils": Variable("Absolute neutrophil count", ("10^9/L",)),
    "haemoglobin": Variable(
        "Haemoglobin", ("g/L", "g/dL"), plausible={"g/L": _range(0, 250), "g/dL": _range(0, 25)}
    ),
    "reticulocytes": Variable("Reticulocyte count", ("10^9/L",)),
    "alt": Variable("ALT", ("U/L", ULN)),
    "ast": Variable("AST", ("U/L", ULN)),
    "total_bilirubin": Variable("Total bilirubin", ("µmol/L", "mg/dL", ULN)),
    "serum_creatinine": Variable("Serum creatinine", ("µmol/L", "mg/dL", ULN)),
    "creatinine_clearance": Variable("Creatinine clearance", ("mL/min",)),
    "egfr": Variable("eGFR", ("mL/min/1.73m²",)),
    "ferritin": Variable("Ferritin", ("ng/mL", "µg/L")),
    "lvef": Variable("LVEF", ("%",), plausible={"%": _range(0, 100)}),
    "nyha_class": Variable(
        "NYHA class", ("class",), dated=False, hint="1, 2, 3 or 4 for class I to IV",
        plausible={"class": _range(1, 4, whole=True)},
    ),
    "marrow_fibrosis_grade": Variable(
        "Bone marrow fibrosis grade", ("grade",), hint="0 to 3",
        plausible={"grade": _range(0, 3, whole=True)},
    ),
    "systolic_bp": Variable(
        "Systolic blood pressure", ("mmHg",), plausible={"mmHg": _range(0, 300)}
    ),
    "tpo_ra_weeks": Variable(
        "Previous TPO-RA treatment, total duration", ("weeks",), dated=False,
        hint="0 if never treated",
    ),
    "ist_weeks": Variable(
        "Previous immunosuppressive therapy, total duration", ("weeks",), dated=False,
        hint="0 if never treated",
    ),
}


def quantity(number: str, unit: str | None) -> str:
    """A number with its unit as people write it: ``45%``, ``50 x 10^9/L``, ``class 3``."""
    if not unit:
        return number
    if unit == "%":
        return number + "%"
    if unit in ("class", "grade"):
        return f"{unit} {number}"
    if unit.startswith("10^"):
        return f"{number} x {unit}"
    return f"{number} {unit}"


def decimal_text(number: float | int | Decimal) -> str:
    """A number as a plain decimal string, exactly as written in the YAML.

    A float's ``repr`` is the shortest text that reads back as it, which is the
    YAML's own ``1.5`` or ``0.1``; no exponent and no trailing zeros
    (``50.0`` -> ``50``, ``1e-05`` -> ``0.00001``).
    """
    value = number if isinstance(number, Decimal) else Decimal(repr(number))
    if not value.is_finite():
        raise ValueError(f"not a finite number: {number!r}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Events whose most recent date a rule may place in a time window, with the
# words that follow "most recent" in a sentence.
EVENTS: dict[str, str] = {
    "tpo_ra_treatment": "TPO-RA treatment",
    "immunosuppressive_therapy": "immunosuppressive therapy",
    "arteriovenous_thrombosis": "arteriovenous thrombosis",
    "clinical_trial_participation": "participation in another clinical trial",
    "radiotherapy": "radiotherapy",
    "chemotherapy": "chemotherapy",
}

UNITS: tuple[str, ...] = tuple(dict.fromkeys(u for v in VARIABLES.values() for u in v.units))

# Literal types built from the tables above, so that the vocabulary is written
# once and pydantic's error lists every allowed value.
VariableName = Literal[tuple(VARIABLES)]  # type: ignore[valid-type]
EventName = Literal[tuple(EVENTS)]  # type: ignore[valid-type]
Unit = Literal[UNITS]  # type: ignore[valid-type]
Operator = Literal["<", "<=", ">", ">=", "="]

# --- nodes ------------------------------------------------------------------


class _Node(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, allow_inf_nan=False, defer_build=True
    )


# Every count is bounded: the checklist draws a line per repeated measurement,
# and the pre-screen adds durations to dates, so an unbounded count would be a
# way to make a build or a page run out of time or memory.
MAX_REPEATS = 20
MAX_ITEMS = 50
DURATION_LIMITS = {"days": 36_600, "weeks": 5_300, "months": 1_200, "years": 100}

Count = Annotated[int, Field(ge=1)]
Question = Annotated[str, Field(min_length=1)]


class Duration(_Node):
    """A length of time: exactly one of days, weeks, months or years."""

    days: Annotated[Count, Field(le=DURATION_LIMITS["days"])] | None = None
    weeks: Annotated[Count, Field(le=DURATION_LIMITS["weeks"])] | None = None
    months: Annotated[Count, Field(le=DURATION_LIMITS["months"])] | None = None
    years: Annotated[Count, Field(le=DURATION_LIMITS["years"])] | None = None

    def parts(self) -> dict[str, int]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Compare(_Node):
    """One measurement compared with a threshold."""

    kind: ClassVar[str] = "compare"
    variable: VariableName
    operator: Operator
    threshold: float
    unit: Unit
    within: Duration | None = None


class AnyOf(_Node):
    """At least one of the rules holds."""

    kind: ClassVar[str] = "any"
    any: Annotated[list[_Union], Field(min_length=2, max_length=MAX_ITEMS)]


class AllOf(_Node):
    """Every one of the rules holds."""

    kind: ClassVar[str] = "all"
    all: Annotated[list[_Union], Field(min_length=2, max_length=MAX_ITEMS)]


class Repeated(_Node):
    """At least ``at_least`` dated measurements satisfy ``of``, ``apart`` from each other."""

    kind: ClassVar[str] = "repeated"
    at_least: Annotated[int, Field(ge=2, le=MAX_REPEATS)]
    of: Compare
    apart: Duration | None = None
    consecutive: bool = False


class Event(_Node):
    """The most recent date of an event lies within a period before enrollment."""

    kind: ClassVar[str] = "event"
    event: EventName
    within: Duration


class Unless(_Node):
    """A condition with a protocol exception: it holds unless ``unless`` holds."""

    kind: ClassVar[str] = "unless"
    condition: _Union
    unless: _Union


class Manual(_Node):
    """A part that needs judgement; ``question`` says what, when not the whole text."""

    kind: ClassVar[str] = "manual"
    manual: Literal[True]
    question: Question | None = None


# The key that identifies each node in YAML, in the order they are tried.
_KIND_KEYS: tuple[tuple[str, str], ...] = (
    ("manual", "manual"),
    ("any", "any"),
    ("all", "all"),
    ("at_least", "repeated"),
    ("event", "event"),
    ("condition", "unless"),
    ("unless", "unless"),
    ("variable", "compare"),
)
_NODES: dict[str, type[_Node]] = {
    "compare": Compare, "any": AnyOf, "all": AllOf, "repeated": Repeated,
    "event": Event, "unless": Unless, "manual": Manual,
}
# pydantic puts the tag of a discriminated union into an error's location; a
# prefix no YAML key uses lets us take it out again (see _tidy).
_TAG = "rule-kind:"


def _discriminate(value: Any) -> str | None:
    if isinstance(value, _Node):
        return _TAG + value.kind
    if isinstance(value, dict):
        for key, kind in _KIND_KEYS:
            if key in value:
                return _TAG + kind
    return None


_Union = Annotated[
    Annotated[Compare, Tag(_TAG + "compare")]
    | Annotated[AnyOf, Tag(_TAG + "any")]
    | Annotated[AllOf, Tag(_TAG + "all")]
    | Annotated[Repeated, Tag(_TAG + "repeated")]
    | Annotated[Event, Tag(_TAG + "event")]
    | Annotated[Unless, Tag(_TAG + "unless")]
    | Annotated[Manual, Tag(_TAG + "manual")],
    Discriminator(
        _discriminate,
        custom_error_type="rule_kind",
        custom_error_message="is not a rule",
    ),
]

RuleNode = Compare | AnyOf | AllOf | Repeated | Event | Unless | Manual


def _error(loc: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    """A custom error; validate.py prints ``message (got value)`` at ``loc``'s line."""
    return InitErrorDetails(
        type=PydanticCustomError("rule", "{message}", {"message": message}),
        loc=loc,
        input=value,
    )


def _kind_help(value: Any) -> str:
    keys = ", ".join(key for key, _ in _KIND_KEYS)
    message = f"is not a rule: a rule has one of the keys {keys}"
    if isinstance(value, dict):
        for key in value:
            close = difflib.get_close_matches(str(key), [k for k, _ in _KIND_KEYS], n=1)
            if close:
                return f"{message}; did you mean '{close[0]}' for '{key}'?"
    return message


def _node_at(value: Any, loc: tuple[str | int, ...]) -> Any:
    """The raw input found at ``loc`` (tags skipped), or None."""
    for part in loc:
        if isinstance(part, str) and part.startswith(_TAG):
            continue
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


# Plain (non-union) models nested in a node, by field.
_NESTED: dict[tuple[type[_Node], str], type[_Node]] = {
    (Compare, "within"): Duration,
    (Event, "within"): Duration,
    (Repeated, "apart"): Duration,
    (Repeated, "of"): Compare,
}


def _model_at(raw: tuple[str | int, ...]) -> type[_Node]:
    """The model validated at ``raw`` (a location still holding union tags)."""
    model: type[_Node] = Compare
    for part in raw:
        if isinstance(part, str) and part.startswith(_TAG):
            model = _NODES[part[len(_TAG):]]
        elif isinstance(part, str):
            model = _NESTED.get((model, part), model)
    return model


def _tidy(exc: ValidationError, value: Any) -> ValidationError:
    """Errors with plain YAML paths, each unknown key explained for its own node."""
    details: list[InitErrorDetails] = []
    suggested: set[tuple[str | int, ...]] = set()
    errors = exc.errors()
    for err in errors:
        raw = tuple(err["loc"])
        loc = tuple(p for p in raw if not (isinstance(p, str) and p.startswith(_TAG)))
        if err["type"] == "extra_forbidden":
            allowed = list(_model_at(raw[:-1]).model_fields)
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            message = f"unknown key '{loc[-1]}'"
            if close:
                message += f"; did you mean '{close[0]}'?"
                suggested.add((*loc[:-1], close[0]))
            else:
                message += "; allowed keys here: " + ", ".join(allowed)
            details.append(_error(loc, message, err["input"]))
        elif err["type"] in ("rule_kind", "union_tag_not_found"):
            details.append(_error(loc, _kind_help(_node_at(value, loc)), err["input"]))
        else:
            detail = InitErrorDetails(type=err["type"], loc=loc, input=err["input"])
            if "ctx" in err:
                detail["ctx"] = err["ctx"]
            details.append(detail)
    # "did you mean 'threshold'?" already says that threshold is missing.
    details = [
        d for d in details
        if not (d["type"] == "missing" and tuple(d["loc"]) in suggested)
    ]
    return ValidationError.from_exception_data(exc.title, details)


def _validate(value: Any, handler: ValidatorFunctionWrapHandler) -> RuleNode:
    try:
        rule = handler(value)
    except ValidationError as exc:
        raise _tidy(exc, value) from None
    problems = [_error(loc, message, got) for loc, message, got in _check(rule, (), top=True)]
    if problems:
        raise ValidationError.from_exception_data("Rule", problems)
    return rule


# The type a criterion's ``rule`` field uses (see macros.model.Criterion).
# The nodes refer to ``_Union``, defined after them: their schemas are built,
# like every model's (``defer_build``), when first used, once it exists.
Rule = Annotated[_Union, WrapValidator(_validate)]


# --- checks that need more than one field ----------------------------------

Loc = tuple[str | int, ...]


def _check(node: RuleNode, loc: Loc, *, top: bool = False) -> Iterator[tuple[Loc, str, Any]]:
    """Problems inside one rule: ``(location, message, offending value)``."""
    if isinstance(node, Compare):
        yield from _check_compare(node, loc)
    elif isinstance(node, AnyOf | AllOf):
        items = node.any if isinstance(node, AnyOf) else node.all
        key = "any" if isinstance(node, AnyOf) else "all"
        for i, item in enumerate(items):
            yield from _check(item, (*loc, key, i))
    elif isinstance(node, Repeated):
        yield from _check_compare(node.of, (*loc, "of"))
        if not VARIABLES[node.of.variable].dated:
            yield (
                (*loc, "of", "variable"),
                "repeated measurements need a dated test; "
                f"{node.of.variable} has no test date",
                node.of.variable,
            )
        if node.of.within is not None:
            yield (
                (*loc, "of", "within"),
                "a time window on repeated measurements is not supported",
                node.of.within.parts(),
            )
        if node.of.unit == ULN:
            # The form has one upper limit of normal per variable, not one per count.
            yield (
                (*loc, "of", "unit"),
                "repeated measurements are compared in an absolute unit, not as a multiple of the ULN",
                node.of.unit,
            )
        if node.apart is not None:
            yield from _check_duration(node.apart, (*loc, "apart"))
    elif isinstance(node, Event):
        yield from _check_duration(node.within, (*loc, "within"))
    elif isinstance(node, Unless):
        yield from _check(node.condition, (*loc, "condition"))
        yield from _check(node.unless, (*loc, "unless"))
    elif isinstance(node, Manual) and not top and node.question is None:
        yield (
            (*loc, "question"),
            "a manual part inside a combined rule needs a question saying what staff "
            "must judge",
            None,
        )


def _check_compare(node: Compare, loc: Loc) -> Iterator[tuple[Loc, str, Any]]:
    variable = VARIABLES[node.variable]
    if node.unit not in variable.units:
        yield (
            (*loc, "unit"),
            f"must be one of {', '.join(variable.units)} for {node.variable}",
            node.unit,
        )
    if node.unit == ULN and node.threshold <= 0:
        shown = int(node.threshold) if node.threshold.is_integer() else node.threshold
        yield (*loc, "threshold"), "a multiple of the ULN must be greater than 0", shown
    elif node.unit != ULN and node.unit in variable.units:
        # A threshold no patient can reach is a typing error (300 % LVEF, NYHA class 7).
        # A threshold between whole values (grade >= 2.5) still splits patients.
        plausible = variable.plausible_in(node.unit)
        bounds = Plausible(plausible.low, plausible.high, above=plausible.above)
        if not bounds.contains(Decimal(repr(float(node.threshold)))):
            yield (
                (*loc, "threshold"),
                f"must lie within the plausible values of {node.variable}: "
                f"{plausible.describe(node.unit)}",
                Decimal(decimal_text(node.threshold)),
            )
    if node.within is not None:
        if not variable.dated:
            yield (
                (*loc, "within"),
                f"{node.variable} has no test date, so a time window cannot apply",
                node.within.parts(),
            )
        yield from _check_duration(node.within, (*loc, "within"))


def _check_duration(node: Duration, loc: Loc) -> Iterator[tuple[Loc, str, Any]]:
    if len(node.parts()) != 1:
        yield loc, "give exactly one of days, weeks, months or years", node.model_dump(
            exclude_none=True
        )


def walk(node: RuleNode, loc: Loc = ()) -> Iterator[tuple[Loc, RuleNode]]:
    """Every node of a rule with its location, parents first."""
    yield loc, node
    if isinstance(node, AnyOf):
        for i, item in enumerate(node.any):
            yield from walk(item, (*loc, "any", i))
    elif isinstance(node, AllOf):
        for i, item in enumerate(node.all):
            yield from walk(item, (*loc, "all", i))
    elif isinstance(node, Repeated):
        yield from walk(node.of, (*loc, "of"))
    elif isinstance(node, Unless):
        yield from walk(node.condition, (*loc, "condition"))
        yield from walk(node.unless, (*loc, "unless"))


def check_trial(trial: Any) -> Iterator[tuple[Loc, str]]:
    """Checks across criteria: each variable is entered in one absolute unit.

    The pre-screen asks for each variable once, so two rules comparing it in
    different units (g/L and g/dL) could not both be right about one number.
    ``trial`` is a :class:`macros.model.Trial` (not imported: the model imports us).
    """
    first: dict[str, tuple[str, str]] = {}
    for group in ("inclusion", "exclusion"):
        for i, criterion in enumerate(getattr(trial.eligibility, group)):
            if criterion.rule is None:
                continue
            for loc, node in walk(criterion.rule):
                if not isinstance(node, Compare) or node.unit == ULN:
                    continue
                seen = first.setdefault(node.variable, (node.unit, criterion.id))
                if seen[0] != node.unit:
                    yield (
                        ("eligibility", group, i, "rule", *loc, "unit"),
                        f"{node.variable} is compared in {seen[0]} in {seen[1]}; "
                        f"use one unit for a variable throughout (got '{node.unit}')",
                    )


def to_json(node: RuleNode) -> dict[str, Any]:
    """A rule as plain data for the pre-screen, each node tagged with its ``kind``."""
    data: dict[str, Any] = {"kind": node.kind}
    if isinstance(node, AnyOf | AllOf):
        key = "any" if isinstance(node, AnyOf) else "all"
        data["items"] = [to_json(item) for item in getattr(node, key)]
    elif isinstance(node, Repeated):
        data.update(
            at_least=node.at_least, of=to_json(node.of), consecutive=node.consecutive,
            apart=node.apart.parts() if node.apart else None,
        )
    elif isinstance(node, Unless):
        data.update(condition=to_json(node.condition), unless=to_json(node.unless))
    elif isinstance(node, Compare):
        data.update(
            variable=node.variable, operator=node.operator,
            threshold=decimal_text(node.threshold),
            unit=node.unit, within=node.within.parts() if node.within else None,
        )
    elif isinstance(node, Event):
        data.update(event=node.event, within=node.within.parts())
    elif isinstance(node, Manual):
        data.update(question=node.question)
    return data
