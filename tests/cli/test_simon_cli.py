"""``python -m macros simon``: tables, JSON, one-line errors and progress on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from itertools import pairwise

import pytest

from conftest import ROOT
from macros.cli import simon as simon_cli
from macros.design import simon

DESIGN_KEYS = ["r1", "n1", "r", "n", "en0", "pet0", "alpha", "power"]
DESIGN = ["--design", "8", "15", "26", "43"]
P0P1 = ["--p0", "0.5", "--p1", "0.7"]
WHOLE = "a whole number between 2 and 2000"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = simon_cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "0.5", "0.7", "0.05", "0.2")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Simon two-stage designs: p0 = 0.5, p1 = 0.7, alpha = 0.05, beta = 0.2")
    header = next(line for line in lines if line.startswith("design"))
    assert header.split() == ["design", "r1/n1", "r/n", "EN(p0)", "PET(p0)", "alpha", "power"]
    rows = {line.split()[0]: line.split() for line in lines if line.startswith(("optimal", "minimax"))}
    assert rows["optimal"] == ["optimal", "8/15", "26/43", "23.5013", "0.6964", "0.0499", "0.8044"]
    assert rows["minimax"] == ["minimax", "12/23", "23/37", "27.7435", "0.6612", "0.0482", "0.8011"]
    admissible = [line.split()[1:3] for line in lines if line.startswith("admissible")]
    assert admissible == [["12/23", "23/37"], ["8/16", "24/39"], ["8/15", "26/43"]]
    # Columns line up: every row is as wide as the header.
    table = lines[lines.index(header) :]
    assert len({len(line) for line in table}) == 1


def test_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "0.5", "0.7", "0.05", "0.2", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["optimal", "minimax", "admissible"]
    expected = simon.search(0.5, 0.7, 0.05, 0.2)
    assert data["optimal"] == expected.optimal.as_dict()
    assert data["minimax"] == expected.minimax.as_dict()
    assert data["admissible"] == [d.as_dict() for d in expected.admissible]
    for design in [data["optimal"], data["minimax"], *data["admissible"]]:
        assert list(design) == DESIGN_KEYS
    assert (data["optimal"]["r1"], data["optimal"]["n1"], data["optimal"]["r"], data["optimal"]["n"]) == (
        8,
        15,
        26,
        43,
    )
    assert round(data["optimal"]["en0"], 6) == 23.501343


def test_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "0.5", "0.7", "0.05", "0.2", "--nmax", "40", "--json")
    assert code == 0
    assert json.loads(out)["optimal"]["n"] == 43
    assert err.startswith("warning: ")
    assert "within 10 of nmax = 40" in err


def test_options_may_come_between_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "0.5", "0.7", "--nmax", "60", "0.05", "0.2")
    assert code == 0
    assert "(n <= 60)" in out.splitlines()[0]


def test_design_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--design", "8", "15", "26", "43", "--p0", "0.5", "--p1", "0.7")
    assert code == 0 and err == ""
    assert "r1/n1 = 8/15, r/n = 26/43" in out
    assert "alpha = 0.0499" in out and "power = 0.8044" in out
    rows = {line.split()[0]: line.split()[-2:] for line in out.splitlines()[2:] if line.strip()}
    assert rows["PET"] == ["0.6964", "0.1311"]
    assert rows["EN"] == ["23.5013", "39.3280"]


def test_design_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--design", "8", "15", "26", "43", "--p0", "0.5", "--p1", "0.7", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["r1", "n1", "r", "n", "p0", "p1", "alpha", "power", "pet0", "pet1", "en0", "en1"]
    assert (data["r1"], data["n1"], data["r"], data["n"]) == (8, 15, 26, 43)
    assert round(data["alpha"], 6) == 0.049933
    assert round(data["power"], 6) == 0.804434
    assert round(data["pet0"], 6) == 0.696381
    assert round(data["en0"], 6) == 23.501343
    at_p1 = simon.operating_characteristics(8, 15, 26, 43, 0.7)
    assert data["pet1"] == at_p1.early_termination_probability
    assert data["en1"] == at_p1.expected_sample_size


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["0.5", "0.4", "0.05", "0.2"], "error: p1 (0.4) must be greater than p0 (0.5)"),
        (["0.5", "0.7", "0.05"], "error: expected 4 values P0 P1 ALPHA BETA, got 3"),
        (["0.5", "0.7", "0.05", "0.2", "--nmax", "30.5"], f"error: nmax (30.5) must be {WHOLE}"),
        (["0.5", "0.7", "0.05", "0.2", "--nmax", "5000"], f"error: nmax (5000) must be {WHOLE}"),
        (["0.5", "0.7", "abc", "0.2"], "error: alpha ('abc') is not a number"),
        (["-0.1", "0.7", "0.05", "0.2"], "error: p0 (-0.1) must be strictly between 0 and 1"),
        (["0.5", "0.7", "0.05", "0.2", "--bogus"], "error: unrecognized arguments: --bogus"),
        (["--nmax"], "error: argument --nmax: expected one argument"),
        ([], "error: expected 4 values P0 P1 ALPHA BETA, got 0"),
        (["0.5", "0.51", "0.05", "0.2"], "error: no design with n <= 2000"),
        (["--design", "8", "15", "--p0", "0.5"], "error: argument --design: expected 4 arguments"),
        (["--design", "8", "15", "26", "43"], "error: --design needs both --p0 and --p1"),
        ([*DESIGN[:4], "15", *P0P1], "error: n1 (15) must be less than n (15)"),
        ([*DESIGN[:4], "x", *P0P1], "error: n ('x') is not a number"),
        ([*DESIGN, *P0P1, "0.1"], "error: unexpected values with --design"),
        (["0.5", "0.7", "0.05", "0.2", "--p0", "0.5"], "error: --p0 and --p1 go with --design"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.endswith("\n") and err.count("\n") == 1
    assert "Traceback" not in err and "usage:" not in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "--design R1 N1 R N" in out


def test_subprocess() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "macros", "simon", "0.5", "0.7", "0.05", "0.2", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["minimax"]["n"] == 37
    bad = subprocess.run(
        [sys.executable, "-m", "macros", "simon", "0.5", "0.4", "0.05", "0.2"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr == "error: p1 (0.4) must be greater than p0 (0.5)\n"


# --------------------------------------------------------------------------
# Progress on stderr


class _Ticks:
    """A clock that moves on by ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SLOW = ("0.3", "0.45", "0.05", "0.1")  # over 100 progress events


def test_a_quick_search_shows_no_progress(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each reading of the clock adds a millisecond: the whole search "takes"
    # well under the one second after which progress would be shown.
    monkeypatch.setattr(simon_cli, "_clock", _Ticks(0.001))
    code, out, err = run(capsys, *SLOW)
    assert code == 0 and out.startswith("Simon two-stage designs")
    assert err == ""


def test_a_slow_search_shows_occasional_progress_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, quiet_out, quiet_err = run(capsys, *SLOW)
    assert code == 0 and quiet_err == ""
    # Now each reading of the clock adds a tenth of a second: some 20 s in all.
    clock = _Ticks(0.1)
    monkeypatch.setattr(simon_cli, "_clock", clock)
    code, out, err = run(capsys, *SLOW)
    assert code == 0
    assert out == quiet_out  # standard output is untouched
    assert err.endswith("\n") and "\r" not in err
    lines = err.splitlines()
    assert all(line.startswith("search: ") for line in lines)
    assert lines[-1].startswith("search: done in ")
    assert any(line.startswith("search: binomial tables ") for line in lines)
    searching = [line for line in lines if line.startswith("search: n ")]
    assert searching
    nmax = simon.default_nmax(*(float(value) for value in SLOW))
    assert f"of up to {nmax}, best so far " in searching[-1]
    # Not a flood: at most one line per two seconds of the clock.
    assert 3 <= len(lines) <= clock.now / simon_cli.PROGRESS_EVERY_LINE + 2


def test_progress_on_a_terminal_is_one_line_rewritten(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(simon_cli, "_clock", _Ticks(0.1))
    code = simon_cli.main(list(SLOW))
    assert code == 0
    assert "optimal" in capsys.readouterr().out
    shown = terminal.getvalue()
    assert shown.startswith("\rsearch: ")
    assert shown.count("\n") == 1 and shown.endswith("\n")  # one final newline
    updates = shown.rstrip("\n").split("\r")[1:]
    assert len(updates) > 3
    assert updates[-1].startswith("search: done in ")
    # Each update is padded to cover the previous, longer one.
    for before, after in pairwise(updates):
        assert len(after) >= len(before.rstrip())


def test_progress_is_rate_limited_and_waits_for_the_threshold() -> None:
    stream = io.StringIO()
    times = iter([0.0, 0.5, 0.9, 1.0, 1.5, 2.9, 3.0, 3.1, 10.0])
    progress = simon_cli._Progress(stream, clock=lambda: next(times))  # started at 0.0
    for n in range(100, 107):  # read the clock at 0.5 ... 3.1
        progress(simon.SearchProgress("search", n, 180, (5, 20, 15, 44), 25.25))
    progress.finish(done=True)  # at 10.0
    assert stream.getvalue().splitlines() == [
        "search: n 102 of up to 180, best so far 5/20, 15/44 (EN(p0) 25.2)",  # at 1.0
        "search: n 105 of up to 180, best so far 5/20, 15/44 (EN(p0) 25.2)",  # at 3.0
        "search: done in 10.0 s, n 100 to 106 searched",
    ]


def test_a_failing_search_ends_its_progress_before_the_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simon, "NMAX_LIMIT", 115)
    monkeypatch.setattr(simon_cli, "_clock", _Ticks(1.0))
    code, out, err = run(capsys, "0.2", "0.3", "0.05", "0.2", "--nmax", "100")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("search: ")
    assert not any(line.startswith("search: done") for line in lines)
    assert lines[-1].startswith("error: no two-stage design with n <= 115")
    assert err.endswith("\n")


def test_interrupting_a_search_gives_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> simon.SearchResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(simon, "search", interrupt)
    code, out, err = run(capsys, "0.5", "0.7", "0.05", "0.2")
    assert code == 130 and out == ""
    assert err == "error: interrupted\n"
