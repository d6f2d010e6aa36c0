"""``python -m macros simon --analyse``: the exact analysis of a finished trial, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from macros.cli import simon as simon_cli
from macros.results.inference import analyse

KEYS = [
    "stage", "decision", "umvue", "mle", "p_value", "ci_lower", "ci_upper",
    "mid_p_value", "mid_ci_lower", "mid_ci_upper",
]
DESIGN = ["--analyse", "8", "15", "26", "43", "--p0", "0.5"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = simon_cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("extra", "kwargs"),
    [
        (["--responses", "3"], {}),
        (["--responses", "30"], {}),
        (["--responses", "30", "--stage1-responses", "12"], {"stage1_responses": 12}),
        (["--responses", "29", "--n1-actual", "16", "--n2-actual", "26", "--alpha", "0.1"],
         {"n1_actual": 16, "n2_actual": 26, "alpha": 0.1}),
        (["--responses", "43"], {}),
    ],
)
def test_json_is_the_inference_result(capsys, extra, kwargs) -> None:
    code, out, err = run(capsys, *DESIGN, *extra, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == KEYS
    expected = analyse(8, 15, 26, 43, 0.5, int(extra[1]), **kwargs)
    assert data == {key: getattr(expected, key) for key in KEYS}


def test_a_stop_after_stage_1_and_a_rejection() -> None:
    stopped = json.loads(subprocess.run(
        [sys.executable, "-m", "macros", "simon", *DESIGN, "--responses", "8", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout)
    assert stopped["stage"] == 1 and stopped["decision"] == "do not reject"
    assert stopped["umvue"] == stopped["mle"] == 8 / 15
    went_on = json.loads(subprocess.run(
        [sys.executable, "-m", "macros", "simon", *DESIGN, "--responses", "27", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout)
    assert went_on["stage"] == 2 and went_on["decision"] == "reject"
    assert went_on["p_value"] <= 0.05 and went_on["ci_lower"] > 0.5


def test_the_table(capsys) -> None:
    code, out, err = run(capsys, *DESIGN, "--responses", "30")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Two-stage design r1/n1 = 8/15, r/n = 26/43; H0: p <= 0.5; stage sizes used: 15 and 28"
    assert lines[1].startswith("Outcome: completed stage 2 and rejected H0")
    assert lines[2] == "Decision: reject"
    result = analyse(8, 15, 26, 43, 0.5, 30)
    rows = {line.split("  ")[0]: line for line in lines[4:]}
    assert f"{result.p_value:.4f}" in rows["p-value (stage-wise ordering)"]
    assert f"{result.ci_lower:.4f} to {result.ci_upper:.4f}" in rows["90% confidence interval"]
    assert f"{result.umvue:.4f}" in rows["UMVUE (unbiased estimate)"]
    assert f"{result.mle:.4f}" in rows["MLE 30/43 (biased)"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--analyse", "8", "15", "26", "43", "--responses", "3"], "--analyse needs --p0"),
        ([*DESIGN], "--analyse needs --responses"),
        ([*DESIGN, "--responses", "x"], "responses ('x') is not a number"),
        ([*DESIGN, "--responses", "44"], "responses (44) must be a whole number between 0 and 43"),
        ([*DESIGN, "--responses", "-1"], "responses (-1) must be a whole number between 0 and 43"),
        ([*DESIGN, "--responses", "3.5"], "responses (3.5) must be a whole number"),
        ([*DESIGN, "--responses", "30", "--stage1-responses", "5"],
         "responses (30) must equal stage1_responses (5)"),
        ([*DESIGN, "--responses", "3", "--alpha", "0.5"],
         "alpha (0.5) must be a number strictly between 0 and 0.5"),
        ([*DESIGN, "--responses", "3", "--p1", "0.7"], "--p1 goes with --design"),
        (["--analyse", "8", "15", "26", "43", "--p0", "1.5", "--responses", "3"], "p0 (1.5)"),
        (["--analyse", "15", "15", "26", "43", "--p0", "0.5", "--responses", "3"], "r1 (15)"),
        ([*DESIGN, "--responses", "3", "--n1-actual", "8"], "n1_actual (8)"),
        ([*DESIGN, "--responses", "3", "--design", "8", "15", "26", "43"], "either --design or --analyse"),
        ([*DESIGN, "--responses", "3", "0.5"], "unexpected values with --analyse"),
        ([*DESIGN, "--responses", "3", "--nmax", "50"], "--nmax applies to a search"),
        (["0.5", "0.7", "0.05", "0.2", "--alpha", "0.1"], "--alpha goes with --analyse"),
        (["0.5", "0.7", "0.05", "0.2", "--responses", "3"], "--responses goes with --analyse"),
        (["--design", "8", "15", "26", "43", "--p0", "0.5", "--p1", "0.7", "--n1-actual", "3"],
         "--n1-actual goes with --analyse, not with --design"),
        (["--analyse", "8", "15", "26"], "argument --analyse: expected 4 arguments"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, message) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err


def test_bad_arguments_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "macros", "simon", *DESIGN, "--responses", "99"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr == "error: responses (99) must be a whole number between 0 and 43\n"


def test_the_usage_names_the_analysis(capsys) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "--analyse R1 N1 R N --p0 P0 --responses S" in out
