"""Hostile and unusual registry records: never a wrong list, a traceback or a silent change.

Headings the importer did not know put every exclusion criterion among the
inclusion criteria without a word; the site's own export of a custom heading
did the same when imported again. Records with huge or non-finite numbers,
deep nesting, control characters or wrong types must each end in one clear
error; texts that end in blank lines must be written so that they read back.
"""

from __future__ import annotations

import contextlib
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, TESTS
from macros.registry.ctgov_eligibility import check_round_trip, heading_kind, split
from macros.registry.ctgov_import import NotARecord, RecordProblems, import_record, read_record
from macros.site.downloads import FORMATS
from macros.site.loading import load_trial
from macros.trial.errors import TrialDataError

RECORD = TESTS / "data" / "ctgov" / "NCT03475563.json"
BASE = json.loads(RECORD.read_text(encoding="utf-8"))
TRIAL = ROOT / "data" / "trial.yaml"


def run_import(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


def record_with(tmp_path: Path, change) -> Path:
    record = copy.deepcopy(BASE)
    change(record["protocolSection"])
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def criteria_text(text: str):
    def change(section: dict) -> None:
        section["eligibilityModule"]["eligibilityCriteria"] = text

    return change


# --- which list a criterion belongs to --------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Exclusions:", "Ineligibility Criteria:", "Non-inclusion criteria:", "EXCLUSIONS",
        "Critères de non-inclusion :", "Critères d'exclusion :", "Criterios de exclusión:",
        "Critérios de exclusão:", "Criteri di esclusione:", "Ausschlusskriterien:",
    ],
)
def test_exclusion_headings_in_other_words_are_read_as_exclusion(heading: str) -> None:
    text = f"Inclusion Criteria:\n\n* Adults\n* Consent\n\n{heading}\n\n* Pregnancy\n* Cancer"
    result = split(text)
    assert [c["text"] for c in result.inclusion] == ["Adults", "Consent"]
    assert [c["text"] for c in result.exclusion] == ["Pregnancy", "Cancer"]
    assert result.uncertain == []
    assert heading_kind(heading)[0] == "exclusion"


@pytest.mark.parametrize(
    "heading",
    ["Critères d'inclusion :", "Critères d’inclusion", "Criterios de inclusión:", "Einschlusskriterien:",
     "Inclusions:"],
)
def test_inclusion_headings_in_other_words_are_read_as_inclusion(heading: str) -> None:
    assert heading_kind(heading)[0] == "inclusion"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inclusion Criteria:\n\n* Adults\n\nPatients will be excluded if:\n\n* Pregnancy\n* Smoking",
         ["I2 to I3 (under 'Patients will be excluded if:')"]),
        ("Patients must:\n\n* Adults\n\nPatients must not:\n\n* Pregnancy",
         ["I2 (under 'Patients must not:')"]),
        ("Inclusion Criteria:\n\n* Adults\n\nExclusion Criteria:\n\nEligible for part B:\n\n* Pregnancy",
         ["E1 (under 'Eligible for part B:')"]),
    ],
)
def test_criteria_under_a_heading_the_reader_cannot_place_are_named(text: str, expected: list[str]) -> None:
    assert split(text).uncertain == expected


def test_the_import_warns_about_criteria_it_cannot_place(tmp_path: Path) -> None:
    text = "Inclusion Criteria:\n\n* Adults\n\nPatients will be excluded if:\n\n* Pregnancy\n* Smoking"
    record = record_with(tmp_path, criteria_text(text))
    result = run_import(str(record), "-o", str(tmp_path / "trial.yaml"))
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "cannot tell" in line]
    assert warning.startswith(f"warning: {record}: cannot tell whether these criteria are inclusion or ")
    assert warning.endswith("I2 to I3 (under 'Patients will be excluded if:')")


def test_the_usual_records_raise_no_such_warning() -> None:
    for path in sorted((TESTS / "data" / "ctgov").glob("NCT*.json")):
        assert import_record(read_record(path)).uncertain == []


@pytest.mark.parametrize(
    "heading",
    ["Exclusions:", "Ineligibility Criteria:", "Critères de non-inclusion :", "Key Exclusion Criteria:"],
)
def test_the_sites_own_export_with_a_custom_heading_imports_into_the_same_lists(heading: str) -> None:
    trial = load_trial(TRIAL)
    layout = {"exclusion_heading": heading}
    data = trial.model_dump(by_alias=True, exclude_none=True)
    data["eligibility"]["criteria_layout"] = layout
    custom = type(trial).model_validate(data)
    assert list(check_round_trip(custom)) == []
    record = json.loads(FORMATS["ctgov"].text(custom))
    again = import_record(record).trial
    assert [c.text for c in again.eligibility.inclusion] == [c.text for c in trial.eligibility.inclusion]
    assert [c.text for c in again.eligibility.exclusion] == [c.text for c in trial.eligibility.exclusion]
    assert (len(again.eligibility.inclusion), len(again.eligibility.exclusion)) == (4, 21)
    assert again.eligibility.criteria_layout.exclusion_heading == heading


def _trial_text_with(old: str, new: str) -> str:
    text = TRIAL.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_a_heading_the_export_could_not_read_back_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(
        _trial_text_with(
            "  exclusion:\n", "  criteria_layout:\n    exclusion_heading: 'Not for:'\n  exclusion:\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(TrialDataError) as caught:
        load_trial(path)
    [problem] = caught.value.problems
    assert problem.path == "eligibility.criteria_layout.exclusion_heading"
    assert "'Not for:' does not read as the exclusion criteria heading" in problem.message
    export = subprocess.run(
        [sys.executable, "-m", "macros", "export", "--format", "ctgov", str(path)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert export.returncode == 1 and export.stdout == ""
    assert "does not read as the exclusion criteria heading" in export.stderr


def test_a_criterion_with_a_line_that_reads_as_a_heading_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(
        _trial_text_with(
            "      text: Male or female age ≥ 18 years",
            "      text: \"Male or female age ≥ 18 years\\nExclusion Criteria:\\nnone\"",
        ),
        encoding="utf-8",
    )
    with pytest.raises(TrialDataError) as caught:
        load_trial(path)
    [problem] = caught.value.problems
    assert problem.path == "eligibility.inclusion[1].text"
    assert "would not give the inclusion criteria back as written" in problem.message


# --- texts that must read back ----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.__setitem__("conditionsModule", {"conditions": ["\n"]}),
        lambda s: s.__setitem__("conditionsModule", {"conditions": ["Asthma\n\n"]}),
        lambda s: s.__setitem__("descriptionModule", {"briefSummary": "Summary.\n\n"}),
        lambda s: s.__setitem__("descriptionModule", {"briefSummary": "Summary.\n\n\n  "}),
        lambda s: s["descriptionModule"].__setitem__("briefSummary", "\n\nStarts with blank lines"),
    ],
    ids=["condition-newline", "condition-blank-end", "summary-blank-end", "summary-blank-spaces",
         "summary-blank-start"],
)
def test_texts_ending_in_blank_lines_are_written_so_that_they_read_back(tmp_path: Path, change) -> None:
    target = tmp_path / "trial.yaml"
    record = record_with(tmp_path, change)
    result = run_import(str(record), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert load_trial(target) == import_record(read_record(record)).trial


# --- numbers, nesting, characters ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"protocolSection": {"x": ' + "1" * 5000 + "}}", "a number with 5000 digits"),
        ('{"protocolSection": {"x": -' + "1" * 31 + "}}", "a number with 31 digits"),
        ('{"protocolSection": {"x": NaN}}', "not JSON: NaN is not a JSON number"),
        ('{"protocolSection": {"x": Infinity}}', "not JSON: Infinity is not a JSON number"),
        ('{"protocolSection": {"x": -Infinity}}', "not JSON: -Infinity is not a JSON number"),
        ('{"protocolSection": {"x": 1e999}}', "the number 1e999 is too large"),
        ('{"protocolSection": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}", "nested too deep"),
    ],
    ids=["5000-digits", "31-digits", "nan", "infinity", "minus-infinity", "overflow", "deep"],
)
def test_hostile_json_is_one_line_and_exit_1(tmp_path: Path, raw: str, message: str) -> None:
    record = tmp_path / "record.json"
    record.write_text(raw, encoding="utf-8")
    result = run_import(str(record), "-o", str(tmp_path / "out.yaml"))
    assert result.returncode == 1
    assert result.stderr == f"error: {record}: {result.stderr.split(': ', 2)[2]}"
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_a_huge_record_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch) -> None:
    from macros.registry import ctgov_import

    monkeypatch.setattr(ctgov_import, "MAX_RECORD_BYTES", 1000)
    with pytest.raises(NotARecord, match="larger than 1,000 bytes"):
        read_record(RECORD)


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        (criteria_text("Inclusion Criteria:\n\n* age \u202e81 ≥ ega\n"),
         "protocolSection.eligibilityModule.eligibilityCriteria", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        (lambda s: s["descriptionModule"].__setitem__("briefSummary", "a\x00b"),
         "protocolSection.descriptionModule.briefSummary", "U+0000 (a control character)"),
        (lambda s: s["identificationModule"].__setitem__("briefTitle", "Title \u2066isolate\u2069"),
         "protocolSection.identificationModule.briefTitle", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        (lambda s: s["conditionsModule"].__setitem__("conditions", ["ok", "x\x1b[31m"]),
         "protocolSection.conditionsModule.conditions[1]", "U+001B (a control character)"),
    ],
    ids=["rlo-criterion", "nul-summary", "isolate-title", "escape-condition"],
)
def test_records_with_hidden_characters_are_refused_naming_field_and_code_point(
    tmp_path: Path, change, path: str, code: str
) -> None:
    record = record_with(tmp_path, change)
    result = run_import(str(record))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"  {path}: contains {code}" in result.stderr
    for char in "\u202e\x00\u2066\x1b":
        assert char not in result.stderr


def test_hidden_characters_in_names_are_shown_as_escapes_in_warnings(tmp_path: Path) -> None:
    record = copy.deepcopy(BASE)
    record["extra\u202e\x1b"] = 1
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = run_import(str(path))
    assert result.returncode == 0, result.stderr
    assert "extra\\u202e\\x1b" in result.stderr
    assert "\u202e" not in result.stderr and "\x1b" not in result.stderr


# --- files that are not records -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{}", "no 'protocolSection' object"),
        (b'{"protocolSection": null}', "no 'protocolSection' object"),
        (b'{"protocolSection": []}', "no 'protocolSection' object"),
        (b'{"protocolSection": "x"}', "no 'protocolSection' object"),
        (b'{"protocolSection": {}}', "no identificationModule.nctId"),
        (b'{"protocolSection": {"identificationModule": []}}', "no identificationModule.nctId"),
        (b'{"protocolSection": {"identificationModule": {"nctId": 7}}}', "no identificationModule.nctId"),
        (b"[]", "the JSON is a list"),
        (b"null", "the JSON is a single value"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"{", "not JSON (line 1, column 2"),
    ],
)
def test_files_that_are_not_records_are_one_line_and_exit_1(
    tmp_path: Path, content: bytes, message: str
) -> None:
    record = tmp_path / "record.json"
    record.write_bytes(content)
    result = run_import(str(record))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {record}: ") and message in result.stderr


def test_a_folder_is_not_a_record(tmp_path: Path) -> None:
    result = run_import(str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path}: is a directory, not a file\n"


@pytest.mark.parametrize("module", sorted(BASE["protocolSection"]))
@pytest.mark.parametrize("value", [[], "text", 7, True])
def test_a_module_of_the_wrong_type_names_the_module(module: str, value: Any) -> None:
    record = copy.deepcopy(BASE)
    record["protocolSection"][module] = value
    if module == "identificationModule":
        with pytest.raises(NotARecord, match=r"no identificationModule\.nctId"):
            import_record(read_record_from(record))
        return
    try:
        import_record(record)
    except RecordProblems as exc:
        assert any(problem.startswith(f"protocolSection.{module}") for problem in exc.problems), exc.problems
    else:
        assert module == "derivedSection" or module not in _MODEL_MODULES, module


def read_record_from(record: dict) -> dict:
    from macros.registry.ctgov_import import check_shape

    return check_shape(record)


_MODEL_MODULES = {
    "identificationModule", "statusModule", "sponsorCollaboratorsModule", "oversightModule",
    "descriptionModule", "conditionsModule", "designModule", "armsInterventionsModule",
    "outcomesModule", "eligibilityModule", "contactsLocationsModule", "referencesModule",
    "ipdSharingStatementModule",
}


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            out += _paths(item, (*path, index))
    return out


@pytest.mark.parametrize("value", [None, 7, "x", [], {}, [{}], {"a": [1]}])
def test_any_field_of_any_wrong_type_is_a_clear_error_never_a_crash(value: Any) -> None:
    """Every field of a real record, replaced by each kind of wrong value."""
    section = BASE["protocolSection"]
    for path in _paths(section):
        record = copy.deepcopy(BASE)
        parent = record["protocolSection"]
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = value
        # Anything but these two (a TypeError, a RecursionError ...) fails the test.
        with contextlib.suppress(NotARecord, RecordProblems):
            import_record(read_record_from(record))


def test_an_imported_file_is_plain_yaml_with_no_anchors(tmp_path: Path) -> None:
    target = tmp_path / "trial.yaml"
    assert run_import(str(RECORD), "-o", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["identification"]["nct_id"] == "NCT03475563"
    assert "&id" not in text and "*id" not in text


def test_hidden_characters_in_posted_results_are_refused_too() -> None:
    path = TESTS / "data" / "ctgov" / "results" / "NCT00763412.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    group = record["resultsSection"]["participantFlowModule"]["groups"][0]
    group["title"] = group["title"] + " \u202e"
    with pytest.raises(RecordProblems) as caught:
        import_record(read_record_from(record))
    assert caught.value.problems == [
        "resultsSection.participantFlowModule.groups[0].title: contains U+202E (RIGHT-TO-LEFT "
        "OVERRIDE), an invisible control that makes the text display differently from what it says; "
        "remove it"
    ]
