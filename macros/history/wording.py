"""Words for the Changes page: a word-level diff of two texts, numbers and durations as text."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# A word (letters and digits), a run of whitespace, or one other character:
# "≥ 18" differs from "> 18" in one token, not in the whole word.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    """A run of the diff: text in both versions, only the old one, or only the new one."""

    op: Literal["same", "del", "ins"]
    text: str


def normal(text: str) -> str:
    """Text as the checklist fingerprint reads it: NFC, whitespace runs made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The changes from ``old`` to ``new`` word by word (texts compared after :func:`normal`).

    Replaced words come as a deletion followed by an insertion; neighbouring
    runs of the same kind are merged, so the segments alternate.
    """
    a, b = _TOKEN.findall(normal(old)), _TOKEN.findall(normal(new))
    segments: list[Segment] = []

    def add(op: Literal["same", "del", "ins"], tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("del", a[i1:i2])
            add("ins", b[j1:j2])
    return tuple(segments)


def number_text(value: float) -> str:
    """A threshold as the YAML writes it: ``1000.0`` -> ``1000``, ``1.5`` -> ``1.5``."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration_text(parts: dict[str, int] | None) -> str:
    """``{"weeks": 1}`` -> ``1 week``; None -> ``none``."""
    if not parts:
        return "none"
    return ", ".join(
        f"{count} {unit[:-1] if count == 1 else unit}" for unit, count in parts.items()
    )


OPERATORS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "="}


def arrow(before: str, after: str) -> str:
    """``before → after``."""
    return f"{before} → {after}"
