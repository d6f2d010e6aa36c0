"""Hyphenated words in the search index, so that "TPO-RA" finds the criteria first.

Material's search splits a query at hyphens in every case (lunr's query lexer
does, whatever the ``separator`` setting says) and lets the last part match
any word it begins: "TPO-RA" becomes "tpo" and "ra*". The parts are indexed
one by one too, so a section that holds "TPO-RA" matches both parts, but a
section whose heading holds "rates" matches "ra*" in its title, which weighs
a thousand times more than text, and ranks above it.

After the build, :func:`write_search_terms` gives each section of the index a
``hyphenated`` field: the parts of the hyphenated words it holds, weighted as
its title is. A hyphenated query then matches every one of its parts at title
weight in the sections that hold the whole word, and those come first. The
field is searched but never shown; the text and its snippets are unchanged.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

FIELD = "hyphenated"
INDEX = Path("search") / "search_index.json"

_TAG = re.compile(r"<[^>]+>")
# A word of letters or digits joined by ASCII hyphens (the hyphen is what the
# query splits at), with at least one letter: "TPO-RA", "SARS-CoV-2", "4-fold",
# not a date such as "2025-01-28".
_HYPHENATED = re.compile(r"(?<![\w-])\w+(?:-\w+)+(?![\w-])")
_LETTER = re.compile(r"[^\W\d_]")


def hyphenated_parts(text: str) -> str:
    """``"Treatment with TPO-RA within 1 week"`` -> ``"TPO RA"``; ``""`` when there is none.

    Each part is listed once: a page of a thousand site names, many of them
    hyphenated, must not outweigh the one criterion that holds the word.
    """
    plain = html.unescape(_TAG.sub(" ", text))
    words = [m.group(0) for m in _HYPHENATED.finditer(plain) if _LETTER.search(m.group(0))]
    parts = {part.lower(): part for word in words for part in word.split("-")}
    return " ".join(parts.values())


def with_hyphenated_field(index: dict[str, Any]) -> dict[str, Any]:
    """The index with the ``hyphenated`` field on each entry that has such words."""
    config = index.get("config", {})
    fields = config.setdefault("fields", {})
    boost = fields.get("title", {}).get("boost", 1000.0)
    fields[FIELD] = {"boost": boost}
    for entry in index.get("docs", []):
        parts = hyphenated_parts(f"{entry.get('title', '')} {entry.get('text', '')}")
        if parts:
            entry[FIELD] = parts
        else:
            entry.pop(FIELD, None)
    return index


def write_search_terms(trial: Any, site_dir: Path, env: Any) -> None:
    """Add the field to the built site's search index, if the site has one."""
    path = site_dir / INDEX
    if not path.is_file():
        return  # search is turned off
    index = with_hyphenated_field(json.loads(path.read_text(encoding="utf-8")))
    # Written as Material writes it: compact, in the same order.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
