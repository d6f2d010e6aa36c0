"""Golden files: each tests/invalid/NAME.yaml beside the exact messages expected.

The expected text is what ``python -m macros validate FILE`` prints on stderr:
a header line, then one ``file:LINE:COL: path: message`` line per problem.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, TESTS

CASES = sorted((TESTS / "invalid").glob("*.yaml"))


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 15
    for case in CASES:
        assert case.with_suffix(".expected").is_file(), f"{case.name} has no .expected file"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_validate_reports_exactly_the_expected_problems(case, capsys, monkeypatch) -> None:
    from macros.cli.validate import main

    monkeypatch.chdir(ROOT)
    code = main([case.relative_to(ROOT).as_posix()])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err == case.with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in err


def test_every_problem_line_names_file_line_column_and_field() -> None:
    for case in CASES:
        lines = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
        for line in lines[1:]:
            file, line_no, column, rest = line.split(":", 3)
            assert file == case.relative_to(ROOT).as_posix()
            assert int(line_no) >= 1 and int(column) >= 1
            path, message = rest.strip().split(": ", 1)
            assert path and message


@pytest.mark.parametrize(
    "name", ["04-duplicate-key", "19-many-problems", "21-tab-indent"], ids=str
)
def test_the_build_stops_with_the_same_messages_and_no_traceback(name, tmp_path) -> None:
    from conftest import build_site

    case = TESTS / "invalid" / f"{name}.yaml"
    build = build_site(tmp_path / "site", trial=case.relative_to(ROOT))
    assert build.returncode != 0
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    for line in expected:
        assert line in build.stderr
    assert "Traceback" not in build.stderr + build.stdout
    assert not (tmp_path / "site" / "index.html").exists()


def test_validate_command_exit_codes_in_a_real_process() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "macros", "validate"], cwd=ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK data/trial.yaml: NCT05660785, COMPLETED, 4 inclusion and 21")
    bad = subprocess.run(
        [sys.executable, "-m", "macros", "validate", "tests/invalid/08-bad-choice.yaml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert bad.returncode == 1
    assert "tests/invalid/08-bad-choice.yaml:11:19: status.overall_status: must be one of" in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "macros", "validate", "no/such/file.yaml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[-1] == "no/such/file.yaml:1:1: (file): file not found"
