"""The YAML reader: positions, duplicate keys, dates kept as text."""

from __future__ import annotations

import pytest

from macros.trial.errors import TrialDataError
from macros.trial.source import Mark, parse, read


def test_records_line_and_column_of_keys_and_values() -> None:
    doc = parse("a:\n  b: 1\n  c:\n    - x\n    - y: 2\n", "f.yaml")
    assert doc.data == {"a": {"b": 1, "c": ["x", {"y": 2}]}}
    assert doc.marks.keys[("a", "b")] == Mark(2, 3)
    assert doc.marks.values[("a", "b")] == Mark(2, 6)
    assert doc.marks.values[("a", "c", 1, "y")] == Mark(5, 10)
    # an unknown deeper path falls back to its nearest ancestor
    assert doc.marks.locate(("a", "c", 1, "y", "z")) == Mark(5, 10)


def test_dates_stay_strings_as_the_registry_writes_them() -> None:
    doc = parse("start: 2022-12-01\nmonth: 2025-01\nwhen: 2001-12-14t21:59:43.10-05:00\n", "f")
    assert doc.data == {
        "start": "2022-12-01",
        "month": "2025-01",
        "when": "2001-12-14t21:59:43.10-05:00",
    }


def test_duplicate_keys_are_reported_not_silently_replaced() -> None:
    doc = parse("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert doc.data == {"a": 1, "b": 2}
    [problem] = doc.problems
    assert (problem.line, problem.column, problem.path) == (3, 1, "a")
    assert "duplicate key 'a' (first given on line 1)" in problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "must be a mapping of keys"),
        ("just text\n", "must be a mapping of keys (such as 'identification:') but is a single value"),
        ("a: [1, 2\n", "YAML syntax error"),
        ("a: !!python/object:os.system x\n", "unsupported '!' tag"),
        ("a: b: c\n", "put quotes around text that contains ': '"),
    ],
)
def test_unreadable_files_give_one_clear_problem(text: str, message: str) -> None:
    with pytest.raises(TrialDataError) as caught:
        parse(text, "f.yaml")
    [problem] = caught.value.problems
    assert message in problem.message
    assert str(problem).startswith(f"f.yaml:{problem.line}:{problem.column}: ")


def test_missing_and_binary_files(tmp_path) -> None:
    with pytest.raises(TrialDataError, match="file not found"):
        read(tmp_path / "nope.yaml", "nope.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(TrialDataError, match="not UTF-8 text"):
        read(binary, "b.yaml")
