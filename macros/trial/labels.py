"""Registry codes in plain words, shared by the pages and the exchange formats."""

from __future__ import annotations

import re

# Registry enumerations whose plain reading is not their words in title case.
_LABELS = {
    "NA": "Not applicable",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "EARLY_PHASE1": "Early phase 1",
    "NONE": "None (open label)",
    "ALL": "All",
    "NIH": "NIH",
    "FED": "Federal",
    "OTHER_GOV": "Other government",
    "INDIV": "Individual",
    "AMBIG": "Ambiguous",
    "ECT": "Educational / counselling / training",
}


# A registry code: capital letters and digits, words joined by single underscores.
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def label(value: str | None) -> str:
    """``SINGLE_GROUP`` -> ``Single group``; registry codes in plain words.

    Some fields that usually hold a code are free text (a site's status, an
    identifier's type); anything that is not a code is shown exactly as written.
    """
    if value is None:
        return ""
    if value in _LABELS:
        return _LABELS[value]
    if not _CODE.fullmatch(value):
        return value
    return value.replace("_", " ").capitalize()
