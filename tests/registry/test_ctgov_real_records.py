"""What real registry records hold: fields they leave out, every markdown escape.

The registry's data dictionary marks no field as required, and old or withdrawn
records do lack fields and whole modules. These tests take the real records in
tests/data/ctgov and leave fields out of them.
"""

from __future__ import annotations

import copy
import json
import string
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CTGOV_RECORDS, NO_PDFS, ROOT, TESTS, build_site
from macros.registry.ctgov_export import to_record
from macros.registry.ctgov_import import import_record, read_record
from macros.registry.ctgov_mapping import escape, unescape

# What every registry record has: its identity, title, status, last update and
# lead sponsor, and within an entry the field that names it.
ALWAYS_THERE = {
    "identificationModule", "identificationModule.nctId", "identificationModule.briefTitle",
    "statusModule", "statusModule.overallStatus", "statusModule.lastUpdatePostDateStruct",
    "sponsorCollaboratorsModule", "sponsorCollaboratorsModule.leadSponsor",
    "sponsorCollaboratorsModule.leadSponsor.name", "sponsorCollaboratorsModule.collaborators[].name",
    "identificationModule.orgStudyIdInfo.id", "identificationModule.secondaryIdInfos[].id",
    "identificationModule.organization.fullName",
    "armsInterventionsModule.armGroups[].label", "armsInterventionsModule.interventions[].name",
    "outcomesModule.primaryOutcomes[].measure", "outcomesModule.secondaryOutcomes[].measure",
    "outcomesModule.otherOutcomes[].measure",
    "contactsLocationsModule.locations[].geoPoint.lat", "contactsLocationsModule.locations[].geoPoint.lon",
}


def _paths(value, prefix: str = "") -> set[str]:
    """Every key path of a module tree, list positions written as ``[]``."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= _paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out |= _paths(item, f"{prefix}[]")
    return out


def _without(section: dict, path: str) -> dict:
    """The section with the key at ``path`` left out (of every entry of a list)."""
    section = copy.deepcopy(section)
    *parents, last = path.replace("[]", ".[]").split(".")
    nodes = [section]
    for part in parents:
        if part == "[]":
            nodes = [item for node in nodes for item in node]
        else:
            nodes = [node[part] for node in nodes if part in node]
    for node in nodes:
        node.pop(last.removesuffix("[]"), None)
    return section


def _smallest_record_with_each_path() -> dict[str, dict]:
    chosen: dict[str, dict] = {}
    for path in sorted(CTGOV_RECORDS, key=lambda p: p.stat().st_size, reverse=True):
        record = read_record(path)
        for field in _paths(record["protocolSection"]):
            chosen[field] = record
    return chosen


OPTIONAL = {
    path: record
    for path, record in sorted(_smallest_record_with_each_path().items())
    # A date struct always has its date.
    if path not in ALWAYS_THERE and not path.endswith("DateStruct.date")
}


def test_the_records_hold_many_fields_to_leave_out() -> None:
    assert len(OPTIONAL) > 100
    assert "eligibilityModule.healthyVolunteers" in OPTIONAL and "descriptionModule" in OPTIONAL


@pytest.mark.parametrize("path", sorted(OPTIONAL))
def test_a_record_without_this_field_still_imports(path: str) -> None:
    record = OPTIONAL[path]
    section = _without(record["protocolSection"], path)
    imported = import_record({**record, "protocolSection": section})
    # What the record had is exported again, and nothing is made up.
    exported = to_record(imported.trial)["protocolSection"]
    assert _paths(exported) <= _paths(section)


def _bare_record(tmp_path):
    """NCT03475563 as a withdrawn record that lacks what old records lack."""
    record = json.loads((TESTS / "data" / "ctgov" / "NCT03475563.json").read_text(encoding="utf-8"))
    section = record["protocolSection"]
    for module in ("descriptionModule", "eligibilityModule", "conditionsModule"):
        del section[module]
    section["statusModule"]["overallStatus"] = "WITHDRAWN"
    del section["designModule"]["studyType"]
    del section["designModule"]["enrollmentInfo"]["count"]
    for location in section["contactsLocationsModule"]["locations"]:
        del location["country"]
    for intervention in section["armsInterventionsModule"]["interventions"]:
        del intervention["type"]
    path = tmp_path / "withdrawn.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_a_record_without_summary_or_eligibility_builds_and_says_what_it_does_not_state(tmp_path) -> None:
    trial_file = tmp_path / "trial.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", str(_bare_record(tmp_path)), "-o", str(trial_file)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    build = build_site(tmp_path / "site", trial=trial_file, **NO_PDFS)
    assert build.returncode == 0, build.stderr

    def text(page: str) -> str:
        article = BeautifulSoup(build.page(page), "html.parser").select_one("article")
        return " ".join(article.get_text(" ").split())

    assert "Brief summary ¶ The record does not state a brief summary." in text("index")
    eligibility = text("eligibility")
    assert "Sex The record does not state it" in eligibility
    assert "Healthy volunteers The record does not state it" in eligibility
    assert eligibility.count("The record does not state its eligibility criteria.") == 2
    assert "Study type Not stated" in text("index") and "Condition Not stated" in text("index")
    assert "3 sites." in text("sites")
    for fmt in ("ctgov", "fhir", "jsonld"):
        exported = subprocess.run(
            [sys.executable, "-m", "macros", "export", "--format", fmt],
            cwd=ROOT, capture_output=True, text=True, check=False,
            env={**__import__("os").environ, "TRIAL_DATA": str(trial_file)},
        )
        assert exported.returncode == 0, exported.stderr


# --- the registry's markdown escapes -----------------------------------------


@pytest.mark.parametrize("mark", list(string.punctuation))
def test_every_commonmark_escape_is_removed(mark: str) -> None:
    assert unescape(f"a \\{mark} b") == f"a {mark} b"


def test_a_backslash_before_anything_else_stays() -> None:
    assert unescape("C:\\Users \\n 10\\9") == "C:\\Users \\n 10\\9"
    assert unescape("\\\\<") == "\\<"


def test_the_registrys_own_escapes_come_back_on_export() -> None:
    assert escape("classification 1~3, ~~struck~~ <5 [x] 10^9 a*b & **bold**") == (
        "classification 1\\~3, ~~struck~~ \\<5 \\[x\\] 10\\^9 a\\*b \\& **bold**"
    )
    # A backslash that would read as an escape is escaped itself.
    assert escape("a\\#b a\\b") == "a\\\\#b a\\b"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.punctuation + "ab 1\n", max_size=40) | st.text(max_size=40))
def test_unescape_undoes_escape_for_any_text(text: str) -> None:
    assert unescape(escape(text)) == text
    assert unescape(escape(text, bullets=True)) == text


@pytest.mark.parametrize(
    ("nct_id", "escaped"),
    [("NCT04175379", ["classification 1\\~3", "NYHA class III\\~IV"]), ("NCT06927986", ["10\\^9/L"])],
)
def test_a_real_records_escapes_are_removed_on_import_and_written_back(nct_id, escaped) -> None:
    original = read_record(TESTS / "data" / "ctgov" / f"{nct_id}.json")
    trial = import_record(original).trial
    texts = " ".join(c.text for c in trial.criteria)
    assert "\\" not in texts
    for words in escaped:
        assert words.replace("\\", "") in texts
        assert words in to_record(trial)["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
