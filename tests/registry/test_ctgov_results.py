"""A record's resultsSection: imported into ``results``, exported back exactly.

The four real records with results (tests/data/ctgov/NCT02210780.json and
tests/data/ctgov/results/, see SOURCES.md) go through the command line as a
user would: import to a YAML file, load it as the site does, export. Their
resultsSection must come back identical, key order included.

``results_dictionary.json`` is the resultsSection part of the registry's data
dictionary; the model must have a field for each of its fields, and treat as
markdown exactly those it marks MARKUP.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
import typing
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, TESTS
from macros.registry import ctgov_results
from macros.registry.ctgov_export import to_record
from macros.registry.ctgov_import import RecordProblems, import_record, read_record
from macros.registry.ctgov_mapping import record_keys
from macros.site.loading import load_trial
from macros.trial.model import inner_model
from macros.trial.results_model import OutcomeMeasure, Results

CTGOV = TESTS / "data" / "ctgov"
RECORDS = [CTGOV / "NCT02210780.json", *sorted((CTGOV / "results").glob("NCT*.json"))]
DICTIONARY = json.loads((CTGOV / "results_dictionary.json").read_text(encoding="utf-8"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_four_shared_records_with_results_are_here() -> None:
    assert [p.stem for p in RECORDS] == ["NCT02210780", "NCT00763412", "NCT03064438", "NCT04431453"]
    for path in RECORDS:
        assert "resultsSection" in json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=RECORDS, ids=lambda p: p.stem)
def imported(request, tmp_path_factory) -> tuple[dict, Path, subprocess.CompletedProcess]:
    record = request.param
    target = tmp_path_factory.mktemp(record.stem) / "trial.yaml"
    result = run("import-ctgov", str(record), "-o", str(target))
    assert result.returncode == 0, result.stderr
    return json.loads(record.read_text(encoding="utf-8")), target, result


def test_import_then_export_gives_back_the_results_section_exactly(imported) -> None:
    original, target, _ = imported
    exported = to_record(load_trial(target))
    assert exported["resultsSection"] == original["resultsSection"]
    # The same keys in the same order, as the registry writes them.
    assert json.dumps(exported["resultsSection"]) == json.dumps(original["resultsSection"])
    assert ctgov_results.changed_paths(original["resultsSection"], exported["resultsSection"]) == []


def test_the_export_command_writes_the_results_section_back(imported, tmp_path) -> None:
    original, target, _ = imported
    out = tmp_path / "record.json"
    result = run("export", "--format", "ctgov", "-o", str(out), str(target))
    assert result.returncode == 0, result.stderr
    assert "results" not in result.stderr  # not among what the registry has no place for
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["resultsSection"] == original["resultsSection"]
    assert list(written) == ["protocolSection", "resultsSection", "hasResults"]


def test_the_warning_no_longer_names_the_results_section(imported) -> None:
    _, target, result = imported
    assert "resultsSection" not in result.stderr
    assert "(markdown kept as text" not in result.stderr  # nothing reshaped
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["has_results"] is True
    assert next(iter(data["results"])) in {"participant_flow", "baseline_characteristics"}


def test_counts_become_whole_numbers_and_markdown_loses_its_escapes() -> None:
    trial = import_record(read_record(RECORDS[1])).trial  # NCT00763412
    flow = trial.results.participant_flow
    assert [s.num_subjects for s in flow.periods[0].milestones[0].achievements] == [8, 8]
    assert trial.results.baseline_characteristics.denoms[0].counts[2].value == 8
    group = trial.results.baseline_characteristics.groups[0]
    # "\>126 mg/dL" in the record is markdown for ">126 mg/dL"
    assert ">126 mg/dL" in group.description and "\\>" not in group.description
    # plain-text fields keep their characters as they are
    assert trial.results.baseline_characteristics.measures[4].unit_of_measure == "Kg/m^2"


# --- bad or unusual records ------------------------------------------------------


def _record_with(results: dict) -> dict:
    record = read_record(RECORDS[1])
    return {**record, "resultsSection": results}


def test_a_count_that_is_not_a_whole_number_names_the_record_path() -> None:
    record = read_record(RECORDS[1])
    results = json.loads(json.dumps(record["resultsSection"]))
    results["participantFlowModule"]["periods"][0]["milestones"][0]["achievements"][1]["numSubjects"] = "8.5"
    with pytest.raises(RecordProblems) as caught:
        import_record(_record_with(results))
    assert caught.value.problems == [
        "resultsSection.participantFlowModule.periods[0].milestones[0].achievements[1].numSubjects: "
        "Input should be a valid integer"
    ]


def test_a_count_with_a_leading_zero_is_not_silently_changed() -> None:
    assert ctgov_results.import_results(
        {"participantFlowModule": {"groups": [{"id": "FG000"}], "periods": [
            {"milestones": [{"type": "STARTED", "achievements": [{"groupId": "FG000", "numSubjects": "08"}]}]}
        ]}}, [],
    )["participant_flow"]["periods"][0]["milestones"][0]["achievements"][0]["num_subjects"] == "08"


def test_unknown_results_keys_are_listed_as_not_imported() -> None:
    record = read_record(RECORDS[1])
    results = json.loads(json.dumps(record["resultsSection"]))
    results["newModule"] = {"x": 1}
    results["outcomeMeasuresModule"]["extra"] = True
    results["moreInfoModule"]["pointOfContact"]["fax"] = "1"
    imported = import_record(_record_with(results))
    assert imported.unmapped[:3] == [
        "resultsSection.outcomeMeasuresModule.extra",
        "resultsSection.moreInfoModule.pointOfContact.fax",
        "resultsSection.newModule",
    ]


def test_a_group_named_but_not_listed_is_a_problem_at_its_record_path() -> None:
    record = read_record(RECORDS[1])
    results = json.loads(json.dumps(record["resultsSection"]))
    results["adverseEventsModule"]["eventGroups"][0]["deathsNumAffected"] = 9
    with pytest.raises(RecordProblems) as caught:
        import_record(_record_with(results))
    assert caught.value.problems == [
        "resultsSection.adverseEventsModule.eventGroups[0].deathsNumAffected: 9 affected is more than "
        "the 8 at risk (deaths_num_at_risk); no more participants can be affected than are at risk"
    ]


def test_record_paths_of_model_paths() -> None:
    path = ctgov_results.record_path
    assert path(("results",)) == "resultsSection"
    assert path(("results", "outcome_measures", 2, "analyses", 0, "p_value")) == (
        "resultsSection.outcomeMeasuresModule.outcomeMeasures[2].analyses[0].pValue"
    )
    assert path(("results", "more_info", "point_of_contact", "phone_ext")) == (
        "resultsSection.moreInfoModule.pointOfContact.phoneExt"
    )


def test_a_text_the_export_would_change_is_reported_as_reshaped() -> None:
    record = read_record(RECORDS[1])
    results = json.loads(json.dumps(record["resultsSection"]))
    # An unescaped "<" in a markdown field comes back escaped.
    results["baselineCharacteristicsModule"]["populationDescription"] = "Ages <18 years"
    imported = import_record(_record_with(results))
    assert imported.reshaped == ["resultsSection.baselineCharacteristicsModule.populationDescription"]


# --- the model against the registry's data dictionary -----------------------------


def _fields(node: dict, model: type, path: str, found: list[tuple[str, type, str, dict]]) -> None:
    keys = record_keys(model)
    for child in node.get("children", []):
        name = keys.get(child["name"])
        assert name is not None, f"{path}.{child['name']} has no field in {model.__name__}"
        found.append((f"{path}.{child['name']}", model, name, child))
        inner = inner_model(model.model_fields[name].annotation)
        if child["sourceType"] == "STRUCT":
            assert inner is not None, f"{path}.{child['name']} is a structure"
            _fields(child, inner, f"{path}.{child['name']}", found)


def _dictionary_fields() -> list[tuple[str, type, str, dict]]:
    found: list[tuple[str, type, str, dict]] = []
    for module in DICTIONARY["children"]:
        key = module["name"]
        name, model = ctgov_results.MODULES[key]
        assert name in Results.model_fields
        if key == "outcomeMeasuresModule":
            (only,) = module["children"]
            assert only["name"] == ctgov_results.OUTCOME_LIST
            _fields(only, OutcomeMeasure, f"{key}.{only['name']}", found)
        else:
            _fields(module, model, key, found)
    return found


def test_every_field_of_the_data_dictionary_has_a_place_in_the_model() -> None:
    found = _dictionary_fields()
    assert len(found) > 150
    assert {m.__name__ for _, m, _, _ in found} >= {"MeasureAnalysis", "EventStats", "PointOfContact"}


def test_the_markdown_fields_are_those_the_dictionary_marks_markup() -> None:
    fields = _dictionary_fields()
    markup = {(model, name) for _, model, name, node in fields if node["sourceType"] == "MARKUP"}
    assert markup == set(ctgov_results.MARKUP_FIELDS)


def _types(annotation: object) -> set[object]:
    """The plain types inside ``X | None`` and ``Annotated[X, ...]``; a Literal stays whole."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_types(a) for a in typing.get_args(annotation)))
    if origin is typing.Literal:
        return {"literal"}
    return {annotation}


def test_enumerations_and_numbers_have_the_dictionary_types() -> None:
    for path, model, name, node in _dictionary_fields():
        kinds = _types(model.model_fields[name].annotation) - {type(None)}
        if node.get("isEnum"):
            assert kinds == {"literal"}, f"{path} is an enumeration"
        elif node["type"] == "integer" or (model, name) in ctgov_results.COUNT_TEXT_FIELDS:
            assert kinds == {int}, f"{path} is a count"
        elif node["type"] == "boolean":
            assert kinds == {bool}, path
        elif node["sourceType"] in ("TEXT", "MARKUP", "DATE") and not node["type"].endswith("[]"):
            assert kinds == {str}, f"{path} is text"
