"""Hostile trial files: each is refused with one clear problem at its line and column.

Alias bombs, deep nesting, huge files and numbers, NUL and other control
characters, bidi overrides, non-ASCII digits, NaN and infinity, and unbounded
counts in the rules. None may end in a traceback, a hang or a huge allocation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from macros.site.loading import load_trial
from macros.trial.errors import TrialDataError
from macros.trial.source import Limits, parse, read

TRIAL = ROOT / "data" / "trial.yaml"
TRIAL_TEXT = TRIAL.read_text(encoding="utf-8")


def problems_of(text: str) -> list:
    """The problems of a trial file's text, read and validated as the site does."""
    try:
        document = parse(text, "t.yaml")
    except TrialDataError as exc:
        return exc.problems
    if document.problems:
        return document.problems
    with pytest.raises(TrialDataError) as caught:
        from macros.site.loading import validate_document

        validate_document(document)
    return caught.value.problems


def one_problem(text: str) -> object:
    with pytest.raises(TrialDataError) as caught:
        parse(text, "t.yaml")
    [problem] = caught.value.problems
    return problem


def validate_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", "validate", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )


# --- anchors, aliases, nesting, size --------------------------------------------


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The billion-laughs shape: each level lists the one before ``width`` times."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_first_anchor() -> None:
    text = alias_bomb()
    assert len(text) < 10_000  # expanded, it would be 9**9 strings
    problem = one_problem(text)
    assert (problem.line, problem.column) == (1, 5)
    assert "anchor (&a0)" in problem.message and "not allowed" in problem.message


def test_an_alias_is_refused_where_it_is_used() -> None:
    # An alias to an undefined anchor, so that the alias itself is the first thing refused.
    problem = one_problem("identification:\n  brief_title: *title\n")
    assert (problem.line, problem.column) == (2, 16)
    assert "alias (*title)" in problem.message


def test_a_recursive_alias_is_refused() -> None:
    problem = one_problem("a: &loop [*loop]\n")
    assert (problem.line, problem.column) == (1, 4)
    assert "anchor (&loop)" in problem.message


def test_a_merge_key_is_refused() -> None:
    problem = one_problem("base: &b {x: 1}\nthing:\n  <<: *b\n")
    assert "anchor (&b)" in problem.message


@pytest.mark.parametrize("depth", [Limits.MAX_DEPTH + 1, 4 * Limits.MAX_DEPTH])
def test_deep_flow_nesting_is_refused_where_it_gets_too_deep(depth: int) -> None:
    text = "a: " + "[" * depth + "]" * depth + "\n"
    problem = one_problem(text)
    # The top-level mapping is the first level and the first list opens at
    # column 4, so the list one level past the limit opens MAX_DEPTH - 1 further on.
    assert (problem.line, problem.column) == (1, 3 + Limits.MAX_DEPTH)
    assert f"nested more than {Limits.MAX_DEPTH} deep" in problem.message


@pytest.mark.parametrize("depth", [500, 10_000, 190_000])
def test_very_deep_brackets_are_refused_before_yaml_reads_them(depth: int) -> None:
    # PyYAML's scanner would take quadratic time over them before any limit applies.
    text = "a: " + "{x: " * depth + "1" + "}" * depth + "\n"
    problem = one_problem(text)
    limit = 4 * Limits.MAX_DEPTH
    assert (problem.line, problem.column) == (1, 4 + 4 * limit)
    assert f"brackets nested more than {limit} deep" in problem.message


def test_brackets_in_quoted_text_are_not_nesting() -> None:
    text = "a: '" + "[x] " * 5_000 + "'\nb: \"{{ not a template }}\"\n"
    assert parse(text, "t.yaml").data["b"] == "{{ not a template }}"


def test_deep_block_mappings_are_refused() -> None:
    lines = [" " * i + f"k{i}:" for i in range(100)]
    problem = one_problem("\n".join(lines) + " x\n")
    assert problem.line == Limits.MAX_DEPTH + 1
    assert "nested more than" in problem.message


def test_the_trial_file_nests_well_within_the_limit() -> None:
    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    assert depth(yaml.safe_load(TRIAL_TEXT)) <= Limits.MAX_DEPTH // 2


def test_too_many_values_are_refused(monkeypatch) -> None:
    # A lower limit, so that the test stays quick; the mechanism is the same.
    monkeypatch.setattr(Limits, "MAX_NODES", 1_000)
    text = "a:\n" + "".join(f"  - {i}\n" for i in range(1_100))
    problem = one_problem(text)
    assert "more than 1,000 values" in problem.message
    # The file's mapping, the key 'a' and the list come first (keys count too),
    # so item 998, on line 999, is the one too many.
    assert (problem.line, problem.column) == (999, 5)


def test_the_limits_leave_room_for_a_large_trial() -> None:
    assert Limits.MAX_NODES >= 50 * 600 and 50 * len(TRIAL_TEXT) <= Limits.MAX_CHARS


def test_a_huge_text_is_refused_before_it_is_parsed() -> None:
    problem = one_problem("a: '" + "x" * Limits.MAX_CHARS + "'\n")
    assert problem.path == "(file)" and "a trial file has at most" in problem.message


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.truncate(4 * Limits.MAX_CHARS + 100)  # sparse: costs no disk space
    with pytest.raises(TrialDataError, match="larger than"):
        read(path, "huge.yaml")


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device, pipe or socket"), ("/", "a folder")])
def test_a_device_or_a_folder_is_not_read(path: str, kind: str) -> None:
    with pytest.raises(TrialDataError, match=f"is {kind}, not a file"):
        read(path, path)


# --- numbers ------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1" * 5000, "-" + "9" * 31, "1" * 31 + ".5", "0." + "3" * 40])
def test_a_number_with_too_many_digits_is_refused(number: str) -> None:
    problem = one_problem(f"design:\n  enrollment_info:\n    count: {number}\n")
    assert (problem.line, problem.column, problem.path) == (3, 12, "design.enrollment_info.count")
    digits = sum(c.isdigit() for c in number)
    assert f"a number with {digits} digits" in problem.message


def test_a_number_at_the_digit_limit_is_read() -> None:
    assert parse("n: " + "9" * Limits.MAX_DIGITS + "\n", "t").data == {"n": int("9" * Limits.MAX_DIGITS)}


def test_a_huge_number_fails_validate_on_the_command_line_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "trial.yaml"
    path.write_text(TRIAL_TEXT.replace("count: 54", "count: " + "1" * 5000, 1), encoding="utf-8")
    result = validate_cli(path)
    assert result.returncode == 1
    assert "a number with 5000 digits" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN", "1.0e+999"])
def test_non_finite_rule_thresholds_are_refused(value: str) -> None:
    text = TRIAL_TEXT.replace("threshold: 18, unit: years", f"threshold: {value}, unit: years", 1)
    assert text != TRIAL_TEXT
    [problem] = problems_of(text)
    assert problem.path == "eligibility.inclusion[1].rule.threshold"
    assert problem.message.startswith("must be a finite number")


@pytest.mark.parametrize("field", ["lat", "lon"])
def test_non_finite_coordinates_are_refused(field: str) -> None:
    data = yaml.safe_load(TRIAL_TEXT)
    data["contacts_locations"]["locations"][0]["geo_point"] = {"lat": 1.0, "lon": 2.0}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    text = text.replace(f"{field}: ", f"{field}: .nan #", 1)
    [problem] = problems_of(text)
    assert problem.path == f"contacts_locations.locations[0].geo_point.{field}"
    assert "finite number" in problem.message


# --- counts in the rules language -------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("at_least: 2", "at_least: 1000000000", "eligibility.inclusion[3].rule.at_least",
         "must be at most 20 (got 1000000000)"),
        ("apart: {weeks: 1}", "apart: {weeks: 99999999}", "eligibility.inclusion[3].rule.apart.weeks",
         "must be at most 5300"),
        ("apart: {weeks: 1}", "apart: {years: 101}", "eligibility.inclusion[3].rule.apart.years",
         "must be at most 100"),
    ],
)
def test_every_count_in_the_rules_is_bounded(old: str, new: str, path: str, message: str) -> None:
    text = TRIAL_TEXT.replace(old, new, 1)
    assert text != TRIAL_TEXT
    [problem] = problems_of(text)
    assert problem.path == path
    assert problem.message.startswith(message)


def test_a_combination_of_too_many_rules_is_refused() -> None:
    item = '{variable: age_years, operator: ">=", threshold: 18, unit: years}'
    many = "{any: [" + ", ".join([item] * 51) + "]}"
    text = TRIAL_TEXT.replace(
        'rule: {variable: age_years, operator: ">=", threshold: 18, unit: years}', f"rule: {many}", 1
    )
    [problem] = problems_of(text)
    assert problem.path == "eligibility.inclusion[1].rule.any"
    assert problem.message.startswith("must list at most 50 items (got 51)")


# --- characters ---------------------------------------------------------------------


def test_a_raw_nul_is_refused_at_its_position() -> None:
    problem = one_problem("a: b\nc: x\x00y\n")
    assert (problem.line, problem.column) == (2, 5)
    assert "U+0000 (a control character)" in problem.message


def test_an_escaped_control_character_is_refused_in_the_value() -> None:
    document = parse('a: "x\\0y"\nb: "\\e[31m red"\n', "t.yaml")
    messages = [(p.line, p.column, p.path, p.message) for p in document.problems]
    assert messages[0][:3] == (1, 4, "a") and "U+0000" in messages[0][3]
    assert messages[1][:3] == (2, 4, "b") and "U+001B" in messages[1][3]


def test_a_right_to_left_override_is_refused_at_its_exact_position() -> None:
    text = TRIAL_TEXT.replace("Male or female age ≥ 18 years", "Male or female age \u202e81 ≥ ega", 1)
    assert text != TRIAL_TEXT
    [problem] = problems_of(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "\u202e" in row)
    column = text.splitlines()[line - 1].index("\u202e") + 1
    assert (problem.line, problem.column) == (line, column)
    assert problem.path == "eligibility.inclusion[1].text"
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in problem.message
    assert "display" in problem.message


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068",
                                  "\u2069", "\u200e", "\u200f", "\u061c"])
def test_every_bidi_control_is_refused(char: str) -> None:
    document = parse(f"a: |\n  first line\n  x{char}y\n", "t.yaml")
    [problem] = document.problems
    assert (problem.line, problem.column) == (3, 4)
    assert f"U+{ord(char):04X}" in problem.message


def test_a_bidi_control_in_a_key_is_refused_and_shown_as_an_escape() -> None:
    document = parse("ab\u202ec: 1\n", "t.yaml")
    [problem] = document.problems
    assert problem.message.startswith("a key contains U+202E")
    with pytest.raises(TrialDataError) as caught:
        from macros.site.loading import validate_document

        validate_document(document)
    shown = str(caught.value)
    assert "\u202e" not in shown
    assert "unknown key 'ab\\u202ec'" in shown


def test_line_separators_tabs_and_ordinary_text_are_kept() -> None:
    text = 'a: "x\\u2028y\\tz"\nb: "Ärzte ≥ 18 — 日本語 ✓"\n'
    document = parse(text, "t.yaml")
    assert document.problems == []
    assert document.data == {"a": "x\u2028y\tz", "b": "Ärzte ≥ 18 — 日本語 ✓"}


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("nct_id: NCT05660785", "nct_id: NCT٠٥٦٦٠٧٨٥", "identification.nct_id"),
        ("minimum_age: 18 Years", "minimum_age: ١٨ Years", "eligibility.minimum_age"),
        ("date: 2025-08-05", "date: ٢٠٢٥-08-05", "status.last_update_post_date.date"),
    ],
)
def test_non_ascii_digits_are_refused_in_ids_ages_and_dates(old: str, new: str, path: str) -> None:
    assert old in TRIAL_TEXT, old
    text = TRIAL_TEXT.replace(old, new, 1)
    problems = problems_of(text)
    assert path in [p.path for p in problems], problems


# --- the commands ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bomb", alias_bomb(), "anchors and aliases are not allowed"),
        ("recursive", "a: &x [*x]\n", "anchors and aliases are not allowed"),
        ("deep", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested more than"),
        ("nul", "identification:\n  brief_title: x\x00y\n", "U+0000"),
        ("bidi", "identification:\n  brief_title: x\u202ey\n", "U+202E"),
    ],
)
def test_validate_and_build_refuse_hostile_files_in_one_clear_message(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_cli(path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: ", result.stderr)
    build = subprocess.run(
        [sys.executable, "-m", "macros", "build", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**_env(), "TRIAL_DATA": str(path)},
    )
    assert build.returncode == 1
    assert message in build.stderr and "Traceback" not in build.stderr
    assert not (tmp_path / "site").exists()


def test_the_project_trial_files_pass_every_new_check() -> None:
    for path in [TRIAL, *sorted((ROOT / "tests" / "data").glob("*.yaml"))]:
        load_trial(path)


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("TRIAL_DATA", None)
    return env
