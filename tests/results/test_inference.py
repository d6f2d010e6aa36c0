"""Exact inference after a Simon two-stage trial: reference values and properties.

``tests/data/simon_inference.csv`` is a copy of the project's shared reference
file ``shared/reference/simon_inference.csv`` (see its README): every outcome
of the designs 8/15, 26/43 at p0 = 0.50 and 0/12, 3/37 at p0 = 0.05, at alpha
0.05 and 0.10, with the UMVUE, the stage-wise p-value and the exact limits,
printed to 10 significant digits, and the upper limit of R's clinfun 1.1.5
for comparison. The copy keeps the tests self-contained.

The properties are checked against an independent brute force that
enumerates every ``(x1, x2)`` with plain binomial formulas.
"""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from macros.results import inference
from macros.results.inference import all_outcomes, analyse, coverage, outcome_probabilities

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "simon_inference.csv"

# (r1, n1, r, n, p0) of the reference designs.
REFERENCE_DESIGNS = [(8, 15, 26, 43, 0.50), (0, 12, 3, 37, 0.05)]

# (r1, n1, r, n, p0, n1_actual, n2_actual): the reference designs as planned,
# and with actual stage sizes that differ from the plan in both directions.
DESIGNS = [
    (8, 15, 26, 43, 0.50, None, None),
    (0, 12, 3, 37, 0.05, None, None),
    (8, 15, 26, 43, 0.50, 16, 25),
    (0, 12, 3, 37, 0.05, 11, 30),
    (1, 10, 5, 29, 0.10, 10, 1),
    (0, 1, 0, 2, 0.30, None, None),
]


def _rows() -> list[dict[str, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sizes(design: tuple) -> tuple[int, int, int, int]:
    """``(r1, n1_used, n2_used, r)`` of an entry of ``DESIGNS``."""
    r1, n1, r, n, _p0, n1_actual, n2_actual = design
    return r1, n1 if n1_actual is None else n1_actual, n - n1 if n2_actual is None else n2_actual, r


def _kwargs(design: tuple) -> dict[str, int | None]:
    return {"n1_actual": design[5], "n2_actual": design[6]}


# --------------------------------------------------------------------------
# Brute force


def _pmf(m: int, k: int, p: float) -> float:
    return math.comb(m, k) * p**k * (1.0 - p) ** (m - k)


@cache
def _brute(r1: int, n1: int, n2: int, p: float) -> tuple[float, ...]:
    """``P_p(S = s)`` for ``s = 0..n1+n2``, by enumerating both stages."""
    probabilities = [0.0] * (n1 + n2 + 1)
    for x1 in range(n1 + 1):
        if x1 <= r1:
            probabilities[x1] += _pmf(n1, x1, p)
        else:
            for x2 in range(n2 + 1):
                probabilities[x1 + x2] += _pmf(n1, x1, p) * _pmf(n2, x2, p)
    return tuple(probabilities)


def _at_least(sizes: tuple[int, int, int, int], s: int, p: float) -> float:
    r1, n1, n2, _r = sizes
    return math.fsum(_brute(r1, n1, n2, p)[s:])


def _at_most(sizes: tuple[int, int, int, int], s: int, p: float) -> float:
    r1, n1, n2, _r = sizes
    return math.fsum(_brute(r1, n1, n2, p)[: s + 1])


# --------------------------------------------------------------------------
# Reference values


@pytest.mark.parametrize(
    "row", _rows(), ids=lambda row: "{r1}-{n1}-{r}-{n}-a{alpha}-s{responses}".format(**row)
)
def test_reference_values(row: dict[str, str]) -> None:
    result = analyse(
        int(row["r1"]),
        int(row["n1"]),
        int(row["r"]),
        int(row["n"]),
        float(row["p0"]),
        int(row["responses"]),
        alpha=float(row["alpha"]),
    )
    assert result.stage == int(row["stage"])
    assert result.umvue == pytest.approx(float(row["umvue"]), rel=1e-9, abs=1e-12)
    assert result.p_value == pytest.approx(float(row["p_value"]), rel=1e-9, abs=1e-12)
    assert result.ci_lower == pytest.approx(float(row["ci_lower"]), abs=1e-8)
    assert result.ci_upper == pytest.approx(float(row["ci_upper"]), abs=1e-8)


def test_reference_copy_has_every_outcome() -> None:
    rows = _rows()
    assert len(rows) == 164
    groups: dict[tuple[str, ...], list[int]] = {}
    for row in rows:
        key = (row["r1"], row["n1"], row["r"], row["n"], row["p0"], row["alpha"])
        groups.setdefault(key, []).append(int(row["responses"]))
    assert len(groups) == 4
    for key, responses in groups.items():
        assert responses == list(range(int(key[3]) + 1))


def test_clinfun_upper_limit_is_that_of_the_previous_outcome() -> None:
    """clinfun solves ``P_p(S >= s) = 1 - alpha``, i.e. ``p_U(s - 1)``, and so under-covers."""
    rows = [row for row in _rows() if row["clinfun_ci_upper"] != "NA"]
    assert len(rows) == 160
    for row in rows:
        design = (int(row["r1"]), int(row["n1"]), int(row["r"]), int(row["n"]), float(row["p0"]))
        previous = analyse(*design, int(row["responses"]) - 1, alpha=float(row["alpha"]))
        assert previous.ci_upper == pytest.approx(float(row["clinfun_ci_upper"]), abs=1e-8)
    # For 8/15, 26/43 at alpha 0.05, clinfun's upper limit after 43 responses
    # is 0.9988; between it and 1 no interval contains p.
    top = next(
        row for row in rows if row["n"] == "43" and row["alpha"] == "0.05" and row["responses"] == "43"
    )
    assert float(top["clinfun_ci_upper"]) < 0.999
    assert coverage(8, 15, 26, 43, 0.9995) > 0.9


# --------------------------------------------------------------------------
# Properties of every outcome


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.025])
def test_limits_solve_their_equations(design: tuple, alpha: float) -> None:
    sizes = _sizes(design)
    n = sizes[1] + sizes[2]
    results = all_outcomes(*design[:5], alpha=alpha, **_kwargs(design))
    assert [result.responses for result in results] == list(range(n + 1))
    for s, result in enumerate(results):
        if s == 0:
            assert result.ci_lower == 0.0
            assert result.mid_ci_lower == 0.0
        else:
            assert _at_least(sizes, s, result.ci_lower) == pytest.approx(alpha, abs=1e-10)
            mid = (
                _at_least(sizes, s + 1, result.mid_ci_lower)
                + 0.5 * _brute(sizes[0], sizes[1], sizes[2], result.mid_ci_lower)[s]
            )
            assert mid == pytest.approx(alpha, abs=1e-10)
        if s == n:
            assert result.ci_upper == 1.0
            assert result.mid_ci_upper == 1.0
        else:
            assert _at_most(sizes, s, result.ci_upper) == pytest.approx(alpha, abs=1e-10)
            mid = (
                _at_most(sizes, s - 1, result.mid_ci_upper)
                + 0.5 * _brute(sizes[0], sizes[1], sizes[2], result.mid_ci_upper)[s]
            )
            assert mid == pytest.approx(alpha, abs=1e-10)
        assert 0.0 <= result.ci_lower < result.ci_upper <= 1.0
        assert result.ci_lower <= result.mid_ci_lower < result.mid_ci_upper <= result.ci_upper
    # Nondecreasing up to the root-finding tolerance: low stage-2 totals of
    # 8/15, 26/43 have upper limits that differ by about 1e-17.
    for before, after in pairwise(results):
        assert before.ci_lower < after.ci_lower
        assert before.ci_upper <= after.ci_upper + 1e-12
        assert before.mid_ci_lower < after.mid_ci_lower
        assert before.mid_ci_upper <= after.mid_ci_upper + 1e-12
        assert before.p_value >= after.p_value


@pytest.mark.parametrize("design", DESIGNS)
def test_p_values_and_estimates(design: tuple) -> None:
    r1, n1, n2, r = _sizes(design)
    p0 = design[4]
    point = _brute(r1, n1, n2, p0)
    for s, result in enumerate(all_outcomes(*design[:5], **_kwargs(design))):
        assert result.p_value == pytest.approx(_at_least((r1, n1, n2, r), s, p0), rel=1e-12, abs=1e-300)
        assert result.mid_p_value == pytest.approx(result.p_value - 0.5 * point[s], rel=1e-12, abs=1e-15)
        assert (result.n1, result.n2) == (n1, n2)
        if s <= r1:
            assert result.stage == 1
            assert result.stage1_responses == s
            assert result.patients == n1
            assert result.umvue == result.mle == s / n1
            assert result.decision == inference.DO_NOT_REJECT
            assert result.decision_text.startswith("stopped for futility after stage 1")
        else:
            assert result.stage == 2
            assert result.stage1_responses is None
            assert result.patients == n1 + n2
            assert result.mle == s / (n1 + n2)
            assert result.decision == (inference.REJECT if s > r else inference.DO_NOT_REJECT)
            assert result.decision_text.startswith(
                "completed stage 2 and rejected" if s > r else "completed stage 2 without rejecting"
            )
        assert result.p0 == p0
        assert result.alpha == 0.05
        assert result.confidence_level == pytest.approx(0.9)


def test_known_outcomes() -> None:
    stopped = analyse(8, 15, 26, 43, 0.5, 3)
    assert stopped.decision_text == (
        "stopped for futility after stage 1 (3 of 15 patients responded; the trial stops with at most r1 = 8)"
    )
    assert stopped.p_value == math.fsum(math.comb(15, k) for k in range(3, 16)) / 2**15
    rejected = analyse(8, 15, 26, 43, 0.5, 27)
    assert rejected.decision == "reject"
    assert rejected.decision_text == (
        "completed stage 2 and rejected H0: p <= 0.5 (27 of 43 patients responded, more than r = 26)"
    )
    # The smallest total that rejects has the design's actual type I error as p-value.
    assert rejected.p_value == pytest.approx(0.049933, abs=5e-7)
    # After stage 2 the smallest total gives x1 / n1 with x1 = r1 + 1.
    assert analyse(8, 15, 26, 43, 0.5, 9).umvue == pytest.approx(9 / 15, rel=1e-15)
    assert analyse(8, 15, 26, 43, 0.5, 43).umvue == 1.0


# --------------------------------------------------------------------------
# Unbiasedness of the UMVUE


def _bias(design: tuple, p: float) -> float:
    r1, n1, n2, _r = _sizes(design)
    results = all_outcomes(*design[:5], **_kwargs(design))
    probabilities = _brute(r1, n1, n2, p)
    return math.fsum(q * result.umvue for q, result in zip(probabilities, results, strict=True)) - p


@settings(max_examples=60, deadline=None)
@given(design=st.sampled_from(DESIGNS), p=st.floats(0.0, 1.0))
def test_umvue_is_unbiased(design: tuple, p: float) -> None:
    assert abs(_bias(design, p)) <= 1e-12


@st.composite
def _small_designs(draw: st.DrawFn) -> tuple:
    n1 = draw(st.integers(1, 20))
    r1 = draw(st.integers(0, n1 - 1))
    n2 = draw(st.integers(1, 20))
    r = draw(st.integers(r1, n1 + n2 - 1))
    n1_actual = draw(st.one_of(st.none(), st.integers(r1 + 1, 22)))
    n2_actual = draw(st.one_of(st.none(), st.integers(1, 22)))
    return (r1, n1, r, n1 + n2, 0.3, n1_actual, n2_actual)


@settings(max_examples=40, deadline=None)
@given(design=_small_designs(), p=st.floats(0.0, 1.0))
def test_umvue_is_unbiased_for_any_design(design: tuple, p: float) -> None:
    assert abs(_bias(design, p)) <= 1e-12


# --------------------------------------------------------------------------
# Coverage


def _grid(results: tuple[inference.TwoStageAnalysis, ...]) -> list[float]:
    points = [i / 2000 for i in range(2001)]
    for result in results:
        for limit in (result.ci_lower, result.ci_upper):
            points += [limit, max(0.0, limit - 1e-9), min(1.0, limit + 1e-9)]
    return points


@pytest.mark.parametrize("design", DESIGNS[:4])
@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_exact_interval_covers(design: tuple, alpha: float) -> None:
    results = all_outcomes(*design[:5], alpha=alpha, **_kwargs(design))
    worst = min(coverage(*design[:4], p, alpha=alpha, **_kwargs(design)) for p in _grid(results))
    # Up to the root-finding tolerance (1e-12 in p) the bound is exact.
    assert worst >= 1.0 - 2.0 * alpha - 1e-10


@pytest.mark.parametrize("design", [DESIGNS[0], DESIGNS[3]])
@pytest.mark.parametrize("mid_p", [False, True])
def test_coverage_matches_brute_force(design: tuple, mid_p: bool) -> None:
    r1, n1, n2, _r = _sizes(design)
    results = all_outcomes(*design[:5], alpha=0.1, **_kwargs(design))
    for p in [0.0, 0.013, 0.2, 0.5, 0.61, 0.97, 1.0]:
        limits = [
            (result.mid_ci_lower, result.mid_ci_upper) if mid_p else (result.ci_lower, result.ci_upper)
            for result in results
        ]
        expected = math.fsum(
            q for q, (low, high) in zip(_brute(r1, n1, n2, p), limits, strict=True) if low <= p <= high
        )
        got = coverage(*design[:4], p, alpha=0.1, mid_p=mid_p, **_kwargs(design))
        assert got == pytest.approx(expected, abs=1e-13)


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("p", [0.0, 1e-9, 0.05, 0.5, 0.999, 1.0])
def test_outcome_probabilities(design: tuple, p: float) -> None:
    r1, n1, n2, _r = _sizes(design)
    got = outcome_probabilities(*design[:4], p, **_kwargs(design))
    assert got == pytest.approx(_brute(r1, n1, n2, p), rel=1e-12, abs=1e-300)
    assert math.fsum(got) == pytest.approx(1.0, abs=1e-14)


# --------------------------------------------------------------------------
# Actual stage sizes and the stage-1 count


def test_actual_sizes_as_planned_change_nothing() -> None:
    planned = all_outcomes(8, 15, 26, 43, 0.5)
    assert all_outcomes(8, 15, 26, 43, 0.5, n1_actual=15, n2_actual=28) == planned


def test_stage_two_size_does_not_matter_after_a_stop() -> None:
    planned = all_outcomes(8, 15, 26, 43, 0.5)
    longer = all_outcomes(8, 15, 26, 43, 0.5, n2_actual=31)
    for before, after in zip(planned[:9], longer[:9], strict=True):
        assert (after.umvue, after.p_value, after.ci_lower, after.ci_upper) == pytest.approx(
            (before.umvue, before.p_value, before.ci_lower, before.ci_upper), abs=1e-13
        )
        assert after.n2 == 31
    assert len(longer) == 47
    assert longer[9].p_value == planned[9].p_value  # P(X1 > r1) in both
    assert longer[30].p_value > planned[30].p_value
    # Fewer patients than r + 1 in total: no outcome rejects.
    short = all_outcomes(8, 15, 26, 43, 0.5, n2_actual=5)
    assert {result.decision for result in short} == {inference.DO_NOT_REJECT}


def test_stage1_count_only_checks_the_total() -> None:
    plain = analyse(8, 15, 26, 43, 0.5, 20)
    with_count = analyse(8, 15, 26, 43, 0.5, 20, stage1_responses=10)
    assert with_count.stage1_responses == 10
    assert with_count == replace(plain, stage1_responses=10)
    assert analyse(8, 15, 26, 43, 0.5, 4, stage1_responses=4) == analyse(8, 15, 26, 43, 0.5, 4)


# --------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((8, 8, 26, 43, 0.5, 3), {}, r"r1 \(8\) must be a whole number between 0 and 7"),
        ((9, 8, 26, 43, 0.5, 3), {}, r"r1 \(9\)"),
        ((-1, 15, 26, 43, 0.5, 3), {}, r"r1 \(-1\) must be a whole number between 0 and 14"),
        ((8, 15, 43, 43, 0.5, 3), {}, r"r \(43\) must be a whole number between 8 and 42"),
        ((8, 15, 7, 43, 0.5, 3), {}, r"r \(7\) must be a whole number between 8 and 42"),
        ((8, 43, 26, 43, 0.5, 3), {}, r"n1 \(43\) must be a whole number between 1 and 42"),
        ((8, -15, 26, 43, 0.5, 3), {}, r"n1 \(-15\)"),
        ((8, 15, 26, -43, 0.5, 3), {}, r"n \(-43\) must be a whole number between 2 and 5000"),
        ((8, 15.5, 26, 43, 0.5, 3), {}, r"n1 \(15\.5\)"),
        ((8, 15, 26, True, 0.5, 3), {}, r"n \(True\)"),
        ((8, 15, 26, 43, 0.0, 3), {}, r"p0 \(0\.0\) must be a number strictly between 0 and 1"),
        ((8, 15, 26, 43, float("nan"), 3), {}, r"p0 \(nan\)"),
        ((8, 15, 26, 43, "0.5", 3), {}, r"p0 \('0\.5'\)"),
        ((8, 15, 26, 43, 0.5, 44), {}, r"responses \(44\) must be a whole number between 0 and 43"),
        ((8, 15, 26, 43, 0.5, -1), {}, r"responses \(-1\)"),
        ((8, 15, 26, 43, 0.5, 46), {"n2_actual": 30}, r"responses \(46\) .* between 0 and 45"),
        (
            (8, 15, 26, 43, 0.5, 5),
            {"stage1_responses": 3},
            r"responses \(5\) must equal stage1_responses \(3\)",
        ),
        (
            (8, 15, 26, 43, 0.5, 9),
            {"stage1_responses": 10},
            r"responses \(9\) must be between .*\(10\) and 38",
        ),
        ((8, 15, 26, 43, 0.5, 39), {"stage1_responses": 10}, r"responses \(39\)"),
        ((8, 15, 26, 43, 0.5, 20), {"stage1_responses": 16}, r"stage1_responses \(16\) .* between 0 and 15"),
        ((8, 15, 26, 43, 0.5, 3), {"n1_actual": 8}, r"n1_actual \(8\) must be a whole number between 9 and"),
        ((8, 15, 26, 43, 0.5, 3), {"n2_actual": 0}, r"n2_actual \(0\) must be a whole number between 1 and"),
        (
            (8, 15, 26, 43, 0.5, 3),
            {"alpha": 0.5},
            r"alpha \(0\.5\) must be a number strictly between 0 and 0\.5",
        ),
        ((8, 15, 26, 43, 0.5, 3), {"alpha": 0}, r"alpha \(0\) must be a number strictly between 0 and 0\.5"),
        ((8, 15, 26, 43, 0.5, 3), {"alpha": -0.05}, r"alpha \(-0\.05\)"),
    ],
)
def test_bad_input_is_rejected(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        analyse(*args, **kwargs)


def test_bad_input_to_the_other_functions() -> None:
    with pytest.raises(ValueError, match=r"alpha \(0\.75\)"):
        all_outcomes(8, 15, 26, 43, 0.5, alpha=0.75)
    with pytest.raises(ValueError, match=r"r1 \(15\)"):
        all_outcomes(15, 15, 26, 43, 0.5)
    with pytest.raises(ValueError, match=r"p \(1\.5\) must be a number between 0 and 1"):
        coverage(8, 15, 26, 43, 1.5)
    with pytest.raises(ValueError, match=r"p \(-0\.1\) must be a number between 0 and 1"):
        outcome_probabilities(8, 15, 26, 43, -0.1)
    with pytest.raises(ValueError, match=r"n1_actual \(0\)"):
        coverage(0, 12, 3, 37, 0.2, n1_actual=0)
