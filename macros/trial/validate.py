"""Load a trial file, validate it once, and explain every problem in plain words.

``load_trial`` returns a typed :class:`~macros.trial.model.Trial` or raises one
:class:`~macros.trial.errors.TrialDataError` listing every problem with its
file, line, column and field path. Checks that belong to other domains (the
statistical plan against Simon's maths) are passed in as ``checks``, so this
package stays at the bottom: ``macros.site.loading`` names the full set.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError

from macros.trial import consistency, source
from macros.trial.errors import Path, Problem, TrialDataError, format_path
from macros.trial.model import Trial, inner_model

_PATTERN_HINTS = {
    "nct_id": "must be 'NCT' followed by 8 digits, such as NCT01234567",
    "minimum_age": "must be a number and a unit, such as '18 Years' or '6 Months'",
    "maximum_age": "must be a number and a unit, such as '75 Years' or '6 Months'",
    "id": "must be a short id that starts with a letter, such as I1 or E12 "
    "(letters, digits, '.', '_' and '-')",
}

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


#: A check beyond the model's own: yields ``(path, message)`` for each problem.
Check = Callable[[Trial], Iterable[tuple[Path, str]]]


def load_trial(
    path: str | FilePath, display: str | None = None, checks: Sequence[Check] = ()
) -> Trial:
    """Read, parse and validate a trial file; raise TrialDataError on any problem."""
    document = source.read(path, display)
    return validate_document(document, checks)


def validate_document(document: source.Document, checks: Sequence[Check] = ()) -> Trial:
    problems = list(document.problems)
    try:
        trial = Trial.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors()
        suggested = {_suggestion(err) for err in errors} - {None}
        problems += [
            _translate(err, document)
            for err in errors
            # "did you mean 'x'?" already says that x is missing
            if not (err["type"] == "missing" and tuple(err["loc"]) in suggested)
        ]
        raise TrialDataError(document.file, problems) from None
    problems += [
        _problem(document, path, message, key=False)
        for check in (consistency.check, *checks)
        for path, message in check(trial)
    ]
    if problems:
        raise TrialDataError(document.file, problems)
    return trial


def _problem(document: source.Document, path: Path, message: str, *, key: bool) -> Problem:
    mark = document.marks.locate(path, key=key)
    return Problem(mark.line, mark.column, format_path(path), message)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    return str(value)


def _translate(error: Any, document: source.Document) -> Problem:
    loc: Path = tuple(error["loc"])
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return _problem(document, loc, "required field is missing", key=False)
    if kind == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'"
        close = _suggestion(error)
        if close:
            message += f"; did you mean '{close[-1]}'?"
        else:
            message += "; allowed keys here: " + ", ".join(_allowed_keys(loc[:-1]))
        return _problem(document, loc, message, key=True)
    if kind == "literal_error":
        allowed = ", ".join(str(v).strip("'") for v in _split_expected(ctx.get("expected", "")))
        message = f"must be one of {allowed} (got {_describe(got)})"
    elif kind in _TYPE_WORDS:
        message = f"must be {_TYPE_WORDS[kind]} (got {_describe(got)})"
        if kind == "string_type" and isinstance(got, (int, float)) and "date" in format_path(loc):
            message += "; write dates as YYYY-MM-DD or YYYY-MM, and a year alone in quotes"
        if kind == "int_type" and isinstance(got, str) and got.strip().isdigit():
            message += "; write a count without quotes"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "too_short":
        message = f"must list at least {ctx.get('min_length', 1)} item(s)"
    elif kind == "too_long":
        message = f"must list at most {ctx.get('max_length')} items (got {ctx.get('actual_length')})"
    elif kind == "finite_number":
        message = f"must be a finite number (got {_describe(got)})"
    elif kind == "string_too_long":
        message = f"must be at most {ctx.get('max_length')} characters (got {len(got)})"
    elif kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(name, f"must match the pattern {ctx.get('pattern')}")
        message = f"{hint} (got {_describe(got)})"
    elif kind in _BOUNDS:
        ctx_key, words = _BOUNDS[kind]
        message = f"must be {words} {ctx.get(ctx_key)} (got {_describe(got)})"
    elif kind == "value_error":
        reason = str(ctx.get("error", error["msg"]))
        message = f"{reason} (got {_describe(got)})"
    else:
        message = f"{error['msg']} (got {_describe(got)})"
    return _problem(document, loc, message, key=False)


def _suggestion(error: Any) -> Path | None:
    """For an unknown key, the path of the nearest valid key, if one is close."""
    if error["type"] != "extra_forbidden":
        return None
    loc: Path = tuple(error["loc"])
    close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(loc[:-1]), n=1, cutoff=0.6)
    return (*loc[:-1], close[0]) if close else None


def _split_expected(expected: str) -> list[str]:
    # pydantic writes "'A', 'B' or 'C'"
    return [part.strip() for part in expected.replace(" or ", ", ").split(",") if part.strip()]


def _allowed_keys(loc: Path) -> list[str]:
    model: type[BaseModel] | None = Trial
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = next(
            (f for key, f in model.model_fields.items() if (f.alias or key) == part), None
        )
        model = inner_model(field.annotation) if field else None
    if model is None:
        return []
    return [f.alias or key for key, f in model.model_fields.items()]
