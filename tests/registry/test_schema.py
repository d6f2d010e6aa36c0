"""The JSON Schema of the trial file: generated from the model, committed, and right.

The checks use a small validator for the keywords the generated schema uses
(the project does not depend on a JSON Schema library); it is enough to show
that the schema accepts every valid trial file here and rejects the mistakes
that editors should flag.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, TESTS
from macros.registry.ctgov_import import import_record, read_record, trial_data
from macros.registry.json_schema import DIALECT, SCHEMA_FILE, schema_text, trial_schema
from macros.trial.source import read

REGENERATE = "python -m macros export --format schema -o schema/trial.schema.json"


def check(instance, schema: dict, root: dict, path: str = "") -> list[str]:
    """Problems of ``instance`` against ``schema`` (a subset of draft 2020-12)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return check(instance, root["$defs"][name], root, path)
    if "anyOf" in schema:
        results = [check(instance, option, root, path) for option in schema["anyOf"]]
        return [] if any(not r for r in results) else min(results, key=len)
    if "oneOf" in schema:
        results = [check(instance, option, root, path) for option in schema["oneOf"]]
        passing = sum(1 for r in results if not r)
        if passing == 1:
            return []
        return [f"{path}: matches {passing} of oneOf"] if passing else min(results, key=len)
    problems = []
    kind = schema.get("type")
    types = {
        "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
    }
    if kind == "integer":
        ok = isinstance(instance, int) and not isinstance(instance, bool)
    elif kind == "number":
        ok = isinstance(instance, (int, float)) and not isinstance(instance, bool)
    else:
        ok = kind is None or isinstance(instance, types[kind])
    if not ok:
        return [f"{path}: not {kind}"]
    if "const" in schema and instance != schema["const"]:
        problems.append(f"{path}: not {schema['const']!r}")
    if "enum" in schema and instance not in schema["enum"]:
        problems.append(f"{path}: {instance!r} not in enum")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            problems.append(f"{path}: {instance!r} does not match {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            problems.append(f"{path}: too short")
        if len(instance) > schema.get("maxLength", len(instance)):
            problems.append(f"{path}: too long")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        for key, fails in (
            ("minimum", lambda bound: instance < bound),
            ("maximum", lambda bound: instance > bound),
            ("exclusiveMinimum", lambda bound: instance <= bound),
            ("exclusiveMaximum", lambda bound: instance >= bound),
        ):
            if key in schema and fails(schema[key]):
                problems.append(f"{path}: {key} {schema[key]}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            problems.append(f"{path}: too few items")
        for i, item in enumerate(instance):
            problems += check(item, schema.get("items", {}), root, f"{path}[{i}]")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in instance:
                problems.append(f"{path}.{key}: required")
        for key, value in instance.items():
            if key in properties:
                problems += check(value, properties[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{key}: unknown key")
    return problems


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text(), f"{SCHEMA_FILE} is out of date; regenerate it: {REGENERATE}"


def test_the_schema_names_its_dialect_and_forbids_unknown_keys(schema) -> None:
    assert schema["$schema"] == DIALECT
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition.get("additionalProperties") is False, name
    assert "class" in schema["$defs"]["Sponsor"]["properties"]  # aliases, not Python names


def test_the_trial_file_points_editors_at_the_schema() -> None:
    first = (ROOT / "data" / "trial.yaml").read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (ROOT / "data" / match.group(1)).resolve() == (ROOT / SCHEMA_FILE).resolve()


VALID = [
    ROOT / "data" / "trial.yaml",
    TESTS / "data" / "second_trial.yaml",
]
RECORDS = [
    TESTS / "data" / "ctgov" / "NCT02210780.json",
    TESTS / "data" / "ctgov" / "NCT03475563.json",
    TESTS / "data" / "handwritten_record.json",
]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_the_schema_accepts_the_trial_files(path, schema) -> None:
    assert check(read(path).data, schema, schema) == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.stem)
def test_the_schema_accepts_imported_trials(record, schema) -> None:
    data = trial_data(import_record(read_record(record)).trial)
    assert check(data, schema, schema) == []


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("07-misspelt-key", ".description.brief_sumary: unknown key"),
        ("08-bad-choice", ".status.overall_status: 'OPEN' not in enum"),
        ("09-malformed-date", ".status.last_update_post_date.date: '15/01/2026' does not match"),
        ("13-bad-nct-id", ".identification.nct_id: 'NCT123' does not match"),
        ("14-bad-age", ".eligibility.minimum_age: '40 yrs' does not match"),
        ("15-not-a-boolean", ".eligibility.healthy_volunteers: not boolean"),
        ("16-misspelt-module", ".eligibilty: unknown key"),
        ("18-list-expected", ".conditions.conditions: not array"),
        ("22-mapping-expected", ".identification.org_study_id_info: "),
    ],
)
def test_the_schema_flags_what_an_editor_should(case, fragment, schema) -> None:
    problems = check(read(TESTS / "invalid" / f"{case}.yaml").data, schema, schema)
    assert any(p.startswith(fragment) for p in problems), problems


def test_the_schema_is_the_models(schema) -> None:
    assert schema == trial_schema()
    assert Path(ROOT / SCHEMA_FILE).read_bytes().endswith(b"}\n")
