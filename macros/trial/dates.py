"""Partial dates as the registry writes them: ``2025-01-28``, ``2025-01`` or ``2025``."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

# ASCII digits only: ``\d`` also matches Arabic-Indic and other digits, which
# would make a date read differently from how it looks.
_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def check_date(value: str) -> str:
    """``value`` if it is a partial date of the calendar; ValueError saying why not."""
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("must be a date written YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError("is not a real calendar date") from None
    return value


def date_key(value: str) -> tuple[int, int, int]:
    """Sort key of a partial date: ``2025-01`` sorts as the first of January."""
    parts = [int(p) for p in value.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


# The JSON Schema states the form; the validator also checks the calendar.
PartialDate = Annotated[
    str,
    AfterValidator(check_date),
    WithJsonSchema({"type": "string", "pattern": _PARTIAL_DATE.pattern}),
]
