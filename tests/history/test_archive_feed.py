"""The archive's lookup data, the Changes page's entries and the feed's data, from a real history."""

from __future__ import annotations

from pathlib import Path

import pytest

from history_repo import FILE, three_versions
from macros.history import archive
from macros.history.changes import entries
from macros.history.feed import feed, rfc3339, xml_text
from macros.history.versions import History, read_history
from macros.site.loading import load_trial, validate_document


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = three_versions(tmp_path_factory.mktemp("archive") / "repo")
    path = repo / FILE
    return read_history(path, load_trial(path), validate_document, FILE)


def test_entries_newest_first_each_against_the_one_before(history: History) -> None:
    found = entries(history)
    assert [e.version.number for e in found] == ["3.0", "2.0", "1.0"]
    assert [e.previous.number if e.previous else None for e in found] == ["2.0", "1.0", None]
    assert found[0].state.current and found[0].state.since is None
    assert (found[1].state.superseded_by.number, found[1].state.since) == ("3.0", "2024-09-15")
    assert (found[2].state.superseded_by.number, found[2].state.since) == ("2.0", "2024-06-01")
    three = [c.text for s in found[0].comparison.sections for c in s.changes]
    assert three == [
        "Overall status Recruiting → Active not recruiting",
        "Site added: Example Clinic West, Lisbon, Portugal",
    ]
    two = [c.text for s in found[1].comparison.sections for c in s.changes]
    assert two == ["IN-2 reworded", "IN-2 threshold 130 → 140 mmHg"]
    assert found[2].comparison is None and found[2].text_diff == ()


def test_every_fingerprint_maps_to_its_versions_and_state(history: History) -> None:
    v1, v2, v3 = history.versions
    assert archive.fingerprints(history) == {
        v1.fingerprint: {
            "versions": ["1.0"], "titles": ["Protocol version 1.0 of 2024-01-10"],
            "first_version": "1.0", "since": "2024-01-10", "state": "superseded",
            "superseded_by": "2.0", "superseded_on": "2024-06-01",
        },
        v3.fingerprint: {
            "versions": ["2.0", "3.0"],
            "titles": ["Protocol version 2.0 of 2024-06-01", "Protocol version 3.0 of 2024-09-15"],
            "first_version": "2.0", "since": "2024-06-01", "state": "current",
            "superseded_by": None, "superseded_on": None,
        },
    }
    index = archive.index(history)
    assert index["current"] == {
        "version": "3.0", "title": "Protocol version 3.0 of 2024-09-15", "fingerprint": v3.fingerprint,
    }
    assert [v["folder"] for v in index["versions"]] == ["versions/3.0/", "versions/2.0/", "versions/1.0/"]
    assert index["history_known"] and index["versioned"] and index["nct_id"] == "NCT09999901"
    assert archive.trial_files(history) == [
        ("versions/1.0/trial.yaml", v1.text), ("versions/2.0/trial.yaml", v2.text),
        ("versions/3.0/trial.yaml", v3.text),
    ]


def test_the_feed_has_an_entry_per_version_and_per_status_change(history: History) -> None:
    data = feed(history)
    assert [(e.title, e.updated) for e in data.entries] == [
        ("Overall status Recruiting → Active not recruiting", "2024-09-15T00:00:00Z"),
        ("Protocol version 3.0 of 2024-09-15", "2024-09-15T00:00:00Z"),
        ("Protocol version 2.0 of 2024-06-01", "2024-06-01T00:00:00Z"),
        ("Protocol version 1.0 of 2024-01-10", "2024-01-10T00:00:00Z"),
    ]
    assert data.updated == "2024-09-15T00:00:00Z"
    assert len({e.id for e in data.entries} | {data.id}) == 5
    assert all(e.id.startswith("urn:uuid:") for e in data.entries)
    assert data.entries[2].summary == (
        "Raises the blood pressure threshold to 140 mmHg. "
        "Changes: IN-2 reworded; IN-2 threshold 130 → 140 mmHg."
    )
    assert [e.anchor for e in data.entries] == ["version-3.0", "version-3.0", "version-2.0", "version-1.0"]
    assert feed(history) == data  # ids and dates come from the history, not the clock


def test_dates_for_the_feed() -> None:
    assert rfc3339("2024-06") == "2024-06-01T00:00:00Z"
    assert rfc3339("2024") == "2024-01-01T00:00:00Z"
    assert rfc3339("2024-02-29") == "2024-02-29T00:00:00Z"
    assert rfc3339("2023-02-29") is None
    assert rfc3339("June 2024") is None and rfc3339(None) is None
    assert xml_text("a\x00b\x1fc\td\ne") == "abc\td\ne"


def test_path_of_the_archive(history: History) -> None:
    assert archive.folder(history.versions[0]) == "versions/1.0"
    assert Path(archive.INDEX).as_posix() == "versions/index.json"
