"""Benchmark: the exact Simon two-stage search, in process and as a cold command.

Reports medians over repeated runs of:

* the search for p0 = 0.50, p1 = 0.70, alpha = 0.05, beta = 0.20 (optimal,
  minimax and admissible designs) at the default nmax, at nmax = 300 and at
  nmax = 1000;
* the same problem with every n up to nmax scanned, i.e. without the early
  stop that ends the search once no larger n can beat the best expected sample
  size (so the cost of the tables and the per-n pruning is visible on its own);
* a harder problem (0.30/0.45/0.05/0.10, designs with n around 100);
* the plain enumeration of every design (``simon.brute_force_search``, same
  binomial tables, no pruning) against the search at nmax = 60, with a check
  that both give identical designs;
* the cold command ``python -m macros simon 0.5 0.7 0.05 0.2`` as a subprocess;
* the large search ``python -m macros simon 0.5 0.55 0.004 0.05`` (designs
  with n near 2000) as a subprocess, once, with its CPU time and peak memory;
  its progress lines go to this script's stderr. ``--quick`` leaves it out.

Run: ``.venv/bin/python bench/bench_simon.py [--quick] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from macros.design import simon  # noqa: E402

PROBLEM = (0.50, 0.70, 0.05, 0.20)
HARD = (0.30, 0.45, 0.05, 0.10)
COMMAND = [sys.executable, "-m", "macros", "simon", "0.5", "0.7", "0.05", "0.2"]
LARGE = [sys.executable, "-m", "macros", "simon", "0.5", "0.55", "0.004", "0.05"]


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` calls (after one warm-up) and the last result."""
    result = run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def scan_every_n(problem: tuple[float, float, float, float], nmax: int) -> simon.SearchResult:
    """The search with its early stop switched off: every n up to nmax is scanned."""
    start = simon.minimum_sample_size(*problem)
    engine = simon._Engine(*problem, start)
    for n in range(start, nmax + 1):
        engine._scan(n)
    return simon._result(engine.staircase, problem[0], problem[1], nmax, ())


def cold_command(repeats: int) -> float:
    subprocess.run(COMMAND, cwd=ROOT, capture_output=True, check=True)  # compile caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(COMMAND, cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def large_command() -> tuple[float, float, float, str]:
    """Wall seconds, user CPU seconds, peak memory (MB) and optimal design of one LARGE run.

    The child's stderr (its progress and warnings) is passed through.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(LARGE, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(LARGE[1:])} failed with status {done.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss is the largest peak of any child so far (kilobytes on Linux);
    # the earlier children, cold runs of a small search, stay far below it.
    optimal = next(line.split()[1:3] for line in done.stdout.splitlines() if line.startswith("optimal"))
    return wall, after.ru_utime - before.ru_utime, after.ru_maxrss / 1024, ", ".join(optimal)


def shape(design: simon.Design) -> str:
    return f"{design.r1}/{design.n1}, {design.r}/{design.n}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    many, few = (5, 2) if args.quick else (25, 5)

    rows: list[dict[str, Any]] = []

    def record(name: str, seconds: float, repeats: int, note: str = "") -> None:
        rows.append({"case": name, "median_ms": seconds * 1000, "repeats": repeats, "note": note})

    default = simon.default_nmax(*PROBLEM)
    seconds, result = median_seconds(lambda: simon.search(*PROBLEM), many)
    assert isinstance(result, simon.SearchResult)
    record(
        f"search 0.50/0.70/0.05/0.20, default nmax ({default})",
        seconds,
        many,
        f"optimal {shape(result.optimal)}, minimax {shape(result.minimax)}",
    )
    for nmax, repeats in ((300, many), (1000, few)):
        seconds, _ = median_seconds(lambda nmax=nmax: simon.search(*PROBLEM, nmax=nmax), repeats)
        record(f"search 0.50/0.70/0.05/0.20, nmax = {nmax}", seconds, repeats)
    for nmax, repeats in ((300, few), (1000, few)):
        seconds, full = median_seconds(lambda nmax=nmax: scan_every_n(PROBLEM, nmax), repeats)
        assert isinstance(full, simon.SearchResult)
        assert full.admissible == result.admissible
        record(f"  every n scanned to {nmax} (no early stop)", seconds, repeats, "same designs")
    seconds, hard = median_seconds(lambda: simon.search(*HARD), many)
    assert isinstance(hard, simon.SearchResult)
    record(
        "search 0.30/0.45/0.05/0.10, default nmax",
        seconds,
        many,
        f"optimal {shape(hard.optimal)}, minimax {shape(hard.minimax)}",
    )

    fast_seconds, fast = median_seconds(lambda: simon.search(*PROBLEM, nmax=60), many)
    naive_seconds, naive = median_seconds(lambda: simon.brute_force_search(*PROBLEM, 60), 1)
    assert isinstance(fast, simon.SearchResult) and isinstance(naive, simon.SearchResult)
    identical = fast.admissible == naive.admissible and fast.warnings == ()
    record("search 0.50/0.70/0.05/0.20, nmax = 60", fast_seconds, many)
    record(
        "plain enumeration, nmax = 60",
        naive_seconds,
        1,
        f"{naive_seconds / fast_seconds:.0f}x slower; identical designs: {identical}",
    )
    record("cold command: " + " ".join(["python", *COMMAND[1:]]), cold_command(few), few)
    if not args.quick:
        wall, user, peak, optimal = large_command()
        record(
            "large search: " + " ".join(["python", *LARGE[1:]]),
            wall,
            1,
            f"user CPU {user:.1f} s, peak memory {peak:.0f} MB, optimal {optimal}",
        )

    if args.json:
        print(json.dumps({"rows": rows, "identical_designs": identical}, indent=2))
    else:
        width = max(len(row["case"]) for row in rows)
        print(f"{'case'.ljust(width)}  {'median':>10}  {'runs':>4}  note")
        for row in rows:
            print(
                f"{row['case'].ljust(width)}  {row['median_ms']:>7.2f} ms  {row['repeats']:>4}  {row['note']}"
            )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
