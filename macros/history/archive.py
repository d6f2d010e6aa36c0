"""The archive of versions: its files and ``versions/index.json``, the fingerprint lookup.

Each version gets a folder ``versions/<slug>/`` with its trial file (the bytes
git holds) and, when it validates, its checklist PDFs. The index maps every
checklist fingerprint to the versions that printed it and to its state: current, or
superseded by a later version on that version's date. The checklist page
answers "Which version is my paper checklist?" from the same data.
"""

from __future__ import annotations

from typing import Any

from macros.history.changes import state
from macros.history.versions import History, Version

ARCHIVE = "versions"
INDEX = f"{ARCHIVE}/index.json"
TRIAL_FILE = "trial.yaml"


def folder(version: Version) -> str:
    """``versions/2.0``: the version's folder, relative to the site."""
    return f"{ARCHIVE}/{version.slug}"


def trial_files(history: History) -> list[tuple[str, bytes]]:
    """(site path, bytes) of every version's trial file."""
    return [(f"{folder(v)}/{TRIAL_FILE}", v.text) for v in history.versions]


def _version_data(history: History, version: Version) -> dict[str, Any]:
    st = state(history, version)
    successor = st.superseded_by
    return {
        "version": version.number,
        "title": version.title,
        "date": version.date,
        "amendment": version.amendment,
        "fingerprint": version.fingerprint,
        "folder": f"{folder(version)}/",
        "valid": version.trial is not None,
        "state": "current" if st.current else "superseded",
        "superseded_by": successor.number if successor else None,
        "superseded_on": st.since,
    }


def fingerprints(history: History) -> dict[str, dict[str, Any]]:
    """Each checklist fingerprint: its versions, since when, and whether it is still current.

    A fingerprint printed by several versions (the criteria did not change)
    dates from the first of them; one that is no longer current was
    superseded by the version after the last one that printed it.
    """
    current = history.current.fingerprint
    out: dict[str, dict[str, Any]] = {}
    versions = history.versions
    for index, version in enumerate(versions):
        fp = version.fingerprint
        if fp is None:
            continue
        entry = out.setdefault(
            fp, {"versions": [], "titles": [], "first_version": version.number,
                 "since": version.date},
        )
        entry["versions"].append(version.number)
        entry["titles"].append(version.title)
        entry["last_index"] = index
    for fp, entry in out.items():
        last = entry.pop("last_index")
        if fp == current:
            entry |= {"state": "current", "superseded_by": None, "superseded_on": None}
        else:
            successor = versions[last + 1]
            entry |= {
                "state": "superseded",
                "superseded_by": successor.number,
                "superseded_on": successor.date,
            }
    return dict(sorted(out.items()))


def index(history: History) -> dict[str, Any]:
    """The content of ``versions/index.json`` (and of the lookup on the checklist page)."""
    current = history.current
    trial = current.trial
    return {
        "nct_id": trial.identification.nct_id if trial else None,
        "versioned": history.versioned,
        "history_known": history.unavailable is None,
        "history_note": history.unavailable,
        "current": {
            "version": current.number,
            "title": current.title,
            "fingerprint": current.fingerprint,
        },
        "versions": [_version_data(history, v) for v in reversed(history.versions)],
        "fingerprints": fingerprints(history),
    }
