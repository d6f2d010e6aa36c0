"""Exact Simon two-stage designs: published tables, hand-checked values, properties.

``tests/data/simon_examples.csv`` holds optimal and minimax designs from
Simon (1989), Tables 1 and 2, as reproduced in the project's shared reference
file ``shared/reference/simon_examples.csv``; the copy keeps the tests
self-contained.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import TESTS
from macros.design import simon

EXAMPLES = TESTS / "data" / "simon_examples.csv"
TOL = simon.PROBABILITY_TOLERANCE


def _rows() -> list[dict[str, str]]:
    with EXAMPLES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _shape(design: simon.Design) -> tuple[int, int, int, int]:
    return design.r1, design.n1, design.r, design.n


# --------------------------------------------------------------------------
# An independent brute force: plain binomial formulas, no shared tables.


@cache
def _pmf(m: int, p: float) -> tuple[float, ...]:
    return tuple(math.comb(m, k) * p**k * (1.0 - p) ** (m - k) for k in range(m + 1))


@cache
def _tail(m: int, p: float) -> tuple[float, ...]:
    """``t[k] = P(Bin(m, p) > k)`` for ``k = 0..m``."""
    pmf = _pmf(m, p)
    return tuple(math.fsum(pmf[k + 1 :]) for k in range(m + 1))


def _reject_probability(r1: int, n1: int, r: int, n: int, p: float) -> float:
    first, second = _pmf(n1, p), _tail(n - n1, p)
    total = 0.0
    for x1 in range(r1 + 1, n1 + 1):
        need = r - x1  # stage 2 must give more than this
        total += first[x1] * (1.0 if need < 0 else second[need] if need <= n - n1 else 0.0)
    return total


def _feasible_at(n: int, p0: float, p1: float, alpha: float, beta: float) -> list[tuple]:
    """All ``(en0, r1, n1, r, n)`` feasible at total ``n``, one per ``(n1, r1)``.

    For fixed ``(r1, n1, n)`` both errors fall as ``r`` grows, so the smallest
    ``r`` meeting the alpha target has the most power; checking it decides
    whether any ``r`` works.
    """
    found = []
    for n1 in range(1, n):
        for r1 in range(n1):
            for r in range(r1, n):
                if _reject_probability(r1, n1, r, n, p0) <= alpha + TOL:
                    if _reject_probability(r1, n1, r, n, p1) >= 1.0 - beta - TOL:
                        pet = math.fsum(_pmf(n1, p0)[: r1 + 1])
                        found.append((n1 + (1.0 - pet) * (n - n1), r1, n1, r, n))
                    break
    return found


# --------------------------------------------------------------------------
# Published designs


@pytest.mark.parametrize(
    "row", _rows(), ids=lambda row: "{p0}-{p1}-{alpha}-{beta}-{design}".format(**row)
)
def test_published_designs(row: dict[str, str]) -> None:
    result = simon.search(float(row["p0"]), float(row["p1"]), float(row["alpha"]), float(row["beta"]))
    design = getattr(result, row["design"])
    assert _shape(design) == (int(row["r1"]), int(row["n1"]), int(row["r"]), int(row["n"]))
    assert round(design.en0, 4) == pytest.approx(float(row["EN0"]), abs=1e-9)
    assert round(design.pet0, 4) == pytest.approx(float(row["PET0"]), abs=1e-9)
    assert design.alpha <= float(row["alpha"])
    assert design.power >= 1.0 - float(row["beta"])
    assert result.warnings == ()


def test_reference_copy_has_all_rows() -> None:
    rows = _rows()
    assert len(rows) == 14
    assert {row["design"] for row in rows} == {"optimal", "minimax"}


def test_known_design_characteristics() -> None:
    design = simon.evaluate(8, 15, 26, 43, 0.50, 0.70)
    assert round(design.alpha, 6) == 0.049933
    assert round(design.power, 6) == 0.804434
    assert round(design.pet0, 6) == 0.696381
    assert round(design.en0, 6) == 23.501343
    null = simon.operating_characteristics(8, 15, 26, 43, 0.5)
    assert null.reject_probability == design.alpha
    assert null.early_termination_probability == design.pet0
    assert null.expected_sample_size == design.en0
    assert design.as_dict() == {
        "r1": 8,
        "n1": 15,
        "r": 26,
        "n": 43,
        "en0": design.en0,
        "pet0": design.pet0,
        "alpha": design.alpha,
        "power": design.power,
    }


def test_admissible_designs_form_the_lower_hull() -> None:
    result = simon.search(0.50, 0.70, 0.05, 0.20)
    assert [_shape(d) for d in result.admissible] == [(12, 23, 23, 37), (8, 16, 24, 39), (8, 15, 26, 43)]
    assert result.admissible[0] == result.minimax
    assert result.admissible[-1] == result.optimal
    ranges = simon.admissible_weight_ranges(result.admissible)
    assert ranges[0][1] == 1.0 and ranges[-1][0] == 0.0
    for (low, high), (next_low, next_high) in pairwise(ranges):
        assert 0.0 <= next_low <= next_high == low <= high <= 1.0
    # Each design minimises the Bayes risk at the middle of its weight range.
    for (low, high), design in zip(ranges, result.admissible, strict=True):
        w = (low + high) / 2

        def risk(d: simon.Design, w: float = w) -> float:
            return w * d.n + (1 - w) * d.en0

        assert risk(design) == min(risk(d) for d in result.admissible)


def test_search_matches_reference_enumeration() -> None:
    for problem, nmax in [((0.50, 0.70, 0.05, 0.20), 55), ((0.10, 0.30, 0.05, 0.20), 45)]:
        fast = simon.search(*problem, nmax=nmax)
        slow = simon.brute_force_search(*problem, nmax)
        assert fast.warnings == ()
        assert fast.admissible == slow.admissible
        assert (fast.optimal, fast.minimax) == (slow.optimal, slow.minimax)


def test_default_nmax_is_reported() -> None:
    result = simon.search(0.50, 0.70, 0.05, 0.20)
    bound = simon.minimum_sample_size(0.50, 0.70, 0.05, 0.20)
    assert result.nmax == simon.default_nmax(0.50, 0.70, 0.05, 0.20) == max(2 * bound, bound + 40)
    assert bound <= result.minimax.n
    wide = simon.search(0.50, 0.70, 0.05, 0.20, nmax=1000)
    assert (wide.optimal, wide.minimax, wide.admissible) == (
        result.optimal,
        result.minimax,
        result.admissible,
    )
    assert wide.nmax == 1000


# --------------------------------------------------------------------------
# Correctness traps


def test_feasibility_is_not_monotone_in_n() -> None:
    problem = (0.20, 0.35, 0.05, 0.20)
    result = simon.search(*problem)
    assert result.minimax.n == 53
    assert _feasible_at(53, *problem)
    assert _feasible_at(54, *problem) == []
    assert _feasible_at(55, *problem) == []
    assert _feasible_at(52, *problem) == []
    assert result.optimal.n > 55


@pytest.mark.parametrize(
    ("p0", "noisy", "exact", "alpha", "beta"),
    [
        (0.30, 0.30 + 0.15, 0.45, 0.05, 0.10),  # 0.44999999999999996
        (0.10, 0.10 + 0.20, 0.30, 0.05, 0.20),  # 0.30000000000000004
        (0.18, 0.18 + 0.15, 0.33, 0.05, 0.20),  # 0.32999999999999996
        (0.27, 0.27 + 0.15, 0.42, 0.10, 0.10),  # 0.42000000000000004
        (0.20, math.nextafter(0.35, 1.0), 0.35, 0.05, 0.20),  # 0.35000000000000003
    ],
)
def test_rounding_noise_in_p1_gives_the_same_designs(
    p0: float, noisy: float, exact: float, alpha: float, beta: float
) -> None:
    assert noisy != exact  # the noise is really there
    a = simon.search(p0, noisy, alpha, beta)
    b = simon.search(p0, exact, alpha, beta)
    assert [_shape(d) for d in a.admissible] == [_shape(d) for d in b.admissible]
    assert _shape(a.optimal) == _shape(b.optimal)
    assert _shape(a.minimax) == _shape(b.minimax)
    assert a.optimal.en0 == b.optimal.en0  # EN(p0) does not involve p1
    assert a.optimal.power == pytest.approx(b.optimal.power, abs=1e-12)


def test_exact_boundary_stays_feasible() -> None:
    # Symmetry at p0 = 0.5 makes PET exactly one half for the published
    # minimax design of 0.50/0.70/0.10/0.10.
    result = simon.search(0.50, 0.70, 0.10, 0.10)
    assert _shape(result.minimax) == (11, 23, 23, 39)
    assert result.minimax.pet0 == pytest.approx(0.5, abs=1e-15)


def test_near_nmax_widens_with_a_warning() -> None:
    result = simon.search(0.50, 0.70, 0.05, 0.20, nmax=40)
    assert result.nmax == 80
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "within 10 of nmax = 40" in warning
    assert "widened to nmax = 80" in warning
    assert _shape(result.optimal) == (8, 15, 26, 43)  # n = 43 lies beyond the first nmax


def test_no_design_below_nmax_widens_with_a_warning() -> None:
    result = simon.search(0.50, 0.70, 0.05, 0.20, nmax=20)
    assert result.warnings[0] == "no feasible design with n <= 20; search widened to nmax = 40"
    assert "widened to nmax = 80" in result.warnings[1]
    assert result.nmax == 80
    assert _shape(result.minimax) == (12, 23, 23, 37)


def test_no_design_up_to_the_cap_raises() -> None:
    with pytest.raises(ValueError, match=r"no design with n <= 2000 .* p1 is too close to p0"):
        simon.search(0.50, 0.51, 0.05, 0.20)


def test_near_the_cap_warns_without_widening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simon, "NMAX_LIMIT", 45)
    result = simon.search(0.50, 0.70, 0.05, 0.20, nmax=40)
    assert result.nmax == 45
    assert "search widened to nmax = 45" in result.warnings[0]
    assert result.warnings[1] == (
        "the minimax design (n = 37) and the optimal design (n = 43) lie within 10 of nmax = 45, "
        "the largest allowed; a design with a larger n might have a smaller expected sample size"
    )


def test_a_proven_final_answer_is_not_widened() -> None:
    # From n = 51 on no first stage can beat the optimal EN(p0) at any larger
    # n: the answer is final, although n = 43 lies within 10 of nmax.
    final = simon.search(0.50, 0.70, 0.05, 0.20, nmax=51)
    assert final.warnings == ()
    assert final.nmax == 51
    assert final.admissible == simon.search(0.50, 0.70, 0.05, 0.20).admissible


def test_an_answer_not_yet_proven_final_is_widened() -> None:
    # At nmax = 50 some first stage could still do better at a larger n.
    result = simon.search(0.50, 0.70, 0.05, 0.20, nmax=50)
    assert result.warnings == (
        "the optimal design (n = 43) lies within 10 of nmax = 50; search widened to nmax = 100",
    )
    assert result.nmax == 100
    assert result.admissible == simon.search(0.50, 0.70, 0.05, 0.20).admissible


def test_widening_is_announced_only_when_the_answer_is_not_final() -> None:
    problem = (0.10, 0.30, 0.05, 0.20)  # optimal n = 29
    wide = simon.search(*problem, nmax=500)
    outcomes = set()
    for nmax in range(30, 60):
        result = simon.search(*problem, nmax=nmax)
        widened = any("widened" in warning for warning in result.warnings)
        outcomes.add(widened)
        assert widened == (result.nmax != nmax)
        # Widened or not, the answer is that of a far wider search.
        assert result.admissible == wide.admissible
    assert outcomes == {True, False}


def test_progress_hook_sees_the_tables_then_every_n() -> None:
    problem = (0.30, 0.45, 0.05, 0.10)
    seen: list[simon.SearchProgress] = []
    result = simon.search(*problem, progress=seen.append)
    assert result == simon.search(*problem)
    start = simon.minimum_sample_size(*problem)
    stages = [state.stage for state in seen]
    k = stages.index("search")
    assert stages == ["tables"] * k + ["search"] * (len(seen) - k)
    assert [(state.done, state.total) for state in seen[:k]] == [(m, start) for m in range(start)]
    scanned = seen[k:]
    assert [state.done for state in scanned] == list(range(start, start + len(scanned)))
    assert all(state.total == result.nmax for state in scanned)
    # No design before the minimax n; then the best EN(p0) only falls.
    assert all((state.best is None) == (state.done < result.minimax.n) for state in scanned)
    ens = [state.best_en0 for state in scanned if state.best_en0 is not None]
    assert ens == sorted(ens, reverse=True)
    assert scanned[-1].best == _shape(result.optimal)
    assert scanned[-1].best_en0 == pytest.approx(result.optimal.en0, rel=1e-12)


def test_progress_hook_sees_the_search_widen() -> None:
    seen: list[simon.SearchProgress] = []
    result = simon.search(0.50, 0.70, 0.05, 0.20, nmax=40, progress=seen.append)
    assert result.nmax == 80
    totals = [state.total for state in seen if state.stage == "search"]
    assert totals[0] == 40 and totals[-1] == 80
    assert totals == sorted(totals)


def test_no_feasible_design_up_to_the_cap_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample-size bound (114) lets the search start, but the minimax n is 116.
    assert simon.minimum_sample_size(0.20, 0.30, 0.05, 0.20) == 114
    monkeypatch.setattr(simon, "NMAX_LIMIT", 115)
    with pytest.raises(ValueError) as error:
        simon.search(0.20, 0.30, 0.05, 0.20, nmax=100)
    assert str(error.value) == (
        "no two-stage design with n <= 115 has type I error <= 0.05 and power >= 0.8 "
        "for p0 = 0.2 and p1 = 0.3"
    )


def test_binomial_tables_survive_large_n() -> None:
    for p in (0.05, 0.5, 0.95):
        pmf = simon._binomial_pmf(2000, p)
        assert math.fsum(pmf) == pytest.approx(1.0, abs=1e-12)
        assert all(value >= 0.0 for value in pmf)
        assert max(pmf) > 0.01
    # A log-space reference, since math.comb(1800, 900) overflows a float.
    def log_pmf(m: int, k: int, p: float) -> float:
        return (
            math.lgamma(m + 1) - math.lgamma(k + 1) - math.lgamma(m - k + 1)
            + k * math.log(p) + (m - k) * math.log1p(-p)
        )

    r1, n1, r, n, p = 12, 200, 110, 2000, 0.05
    got = simon.operating_characteristics(r1, n1, r, n, p)
    pet = math.fsum(math.exp(log_pmf(n1, k, p)) for k in range(r1 + 1))
    tail2 = [
        math.fsum(math.exp(log_pmf(n - n1, j, p)) for j in range(k + 1, n - n1 + 1)) for k in range(r + 1)
    ]
    reject = math.fsum(
        math.exp(log_pmf(n1, x1, p)) * (tail2[r - x1] if x1 <= r else 1.0)
        for x1 in range(r1 + 1, n1 + 1)
    )
    assert got.early_termination_probability == pytest.approx(pet, rel=1e-10)
    assert got.reject_probability == pytest.approx(reject, rel=1e-10)
    assert 0.05 < got.reject_probability < 0.5


# --------------------------------------------------------------------------
# Argument checking


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.5, 0.4, 0.05, 0.2), "p1 (0.4) must be greater than p0 (0.5)"),
        ((0.5, 0.5, 0.05, 0.2), "p1 (0.5) must be greater than p0 (0.5)"),
        ((0.0, 0.4, 0.05, 0.2), "p0 (0.0) must be strictly between 0 and 1"),
        ((1.2, 0.4, 0.05, 0.2), "p0 (1.2) must be strictly between 0 and 1"),
        ((0.2, 1.0, 0.05, 0.2), "p1 (1.0) must be strictly between 0 and 1"),
        ((0.2, float("nan"), 0.05, 0.2), "p1 (nan) must be strictly between 0 and 1"),
        ((0.2, 0.4, 0.0, 0.2), "alpha (0.0) must be strictly between 0 and 1"),
        ((0.2, 0.4, 1.5, 0.2), "alpha (1.5) must be strictly between 0 and 1"),
        ((0.2, 0.4, 0.05, -0.1), "beta (-0.1) must be strictly between 0 and 1"),
        ((0.2, 0.4, 0.05, 1), "beta (1) must be strictly between 0 and 1"),
        ((True, 0.4, 0.05, 0.2), "p0 (True) must be a number strictly between 0 and 1"),
        (("0.2", 0.4, 0.05, 0.2), "p0 ('0.2') must be a number strictly between 0 and 1"),
        ((0.2, 0.4, None, 0.2), "alpha (None) must be a number strictly between 0 and 1"),
    ],
)
def test_bad_parameters(args: tuple, message: str) -> None:
    with pytest.raises(ValueError) as error:
        simon.search(*args)
    assert str(error.value) == message
    with pytest.raises(ValueError) as again:
        simon.validate_parameters(*args)
    assert str(again.value) == message


@pytest.mark.parametrize(
    ("nmax", "message"),
    [
        (30.5, "nmax (30.5) must be a whole number between 2 and 2000"),
        (True, "nmax (True) must be a whole number between 2 and 2000"),
        (1, "nmax (1) must be a whole number between 2 and 2000"),
        (2001, "nmax (2001) must be a whole number between 2 and 2000"),
        (-5, "nmax (-5) must be a whole number between 2 and 2000"),
        ("60", "nmax ('60') must be a whole number between 2 and 2000"),
    ],
)
def test_bad_nmax(nmax: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        simon.search(0.5, 0.7, 0.05, 0.2, nmax=nmax)
    assert str(error.value) == message


def test_whole_float_nmax_is_accepted() -> None:
    assert simon.search(0.5, 0.7, 0.05, 0.2, nmax=60.0).nmax == 60


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ((8, 15, 26, 15), "n1 (15) must be less than n (15)"),
        ((8, 15, 26, 1), "n (1) must be a whole number between 2 and 100000"),
        ((8, 0, 26, 43), "n1 (0) must be a whole number between 1 and 100000"),
        ((-1, 15, 26, 43), "r1 (-1) must be a whole number between 0 and 100000"),
        ((15, 15, 26, 43), "r1 (15) must be at least 0 and less than n1 (15)"),
        ((8, 15, 7, 43), "r (7) must be at least r1 (8) and less than n (43)"),
        ((8, 15, 43, 43), "r (43) must be at least r1 (8) and less than n (43)"),
        ((8.5, 15, 26, 43), "r1 (8.5) must be a whole number between 0 and 100000"),
        ((8, 15, 26, True), "n (True) must be a whole number between 2 and 100000"),
        ((8, 15, 26, 100001), "n (100001) must be a whole number between 2 and 100000"),
    ],
)
def test_bad_designs(design: tuple, message: str) -> None:
    for call in (
        lambda: simon.evaluate(*design, 0.5, 0.7),
        lambda: simon.operating_characteristics(*design, 0.5),
        lambda: simon.rejection_curve(*design),
        lambda: simon.validate_design(*design),
    ):
        with pytest.raises(ValueError) as error:
            call()
        assert str(error.value) == message


def test_bad_response_rates_for_a_design() -> None:
    with pytest.raises(ValueError, match=r"^p \(1\.5\) must be between 0 and 1$"):
        simon.operating_characteristics(8, 15, 26, 43, 1.5)
    with pytest.raises(ValueError, match=r"^p \(-0\.1\) must be between 0 and 1$"):
        simon.rejection_curve(8, 15, 26, 43, [0.2, -0.1])
    with pytest.raises(ValueError, match=r"^p1 \(0\.4\) must be greater than p0 \(0\.5\)$"):
        simon.evaluate(8, 15, 26, 43, 0.5, 0.4)


def test_rejection_curve_endpoints() -> None:
    curve = simon.rejection_curve(8, 15, 26, 43)
    assert [point.p for point in curve] == [i / 100 for i in range(101)]
    assert curve[0].reject_probability == 0.0
    assert curve[0].early_termination_probability == 1.0
    assert curve[0].expected_sample_size == 15
    assert curve[-1].reject_probability == pytest.approx(1.0, abs=1e-15)
    assert curve[-1].early_termination_probability == 0.0
    assert curve[-1].expected_sample_size == 43


# --------------------------------------------------------------------------
# Properties

PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

problems = st.tuples(
    st.floats(0.05, 0.60),
    st.floats(0.25, 0.40),
    st.sampled_from([0.05, 0.10, 0.15, 0.20]),
    st.sampled_from([0.10, 0.20, 0.30]),
).map(lambda t: (t[0], min(0.98, t[0] + t[1]), t[2], t[3]))


@PROPERTY_SETTINGS
@given(problems)
def test_optimal_and_minimax_against_brute_force(problem: tuple) -> None:
    nmax_brute = 30
    result = simon.search(*problem)
    feasible = [d for n in range(2, nmax_brute + 1) for d in _feasible_at(n, *problem)]
    if feasible:
        assert result.optimal.en0 <= min(d[0] for d in feasible) + 1e-9
        assert result.minimax.n == min(d[4] for d in feasible)
    else:
        assert result.minimax.n > nmax_brute
    for design in (result.optimal, result.minimax, *result.admissible):
        assert design.alpha <= problem[2] + TOL
        assert design.power >= 1.0 - problem[3] - TOL
    ns = [d.n for d in result.admissible]
    ens = [d.en0 for d in result.admissible]
    assert ns == sorted(set(ns))
    assert ens == sorted(ens, reverse=True)
    assert result.admissible[0] == result.minimax
    assert result.admissible[-1] == result.optimal


@PROPERTY_SETTINGS
@given(problems)
def test_search_equals_plain_enumeration(problem: tuple) -> None:
    result = simon.search(*problem)
    # Designs beyond the optimal n cannot be admissible, so enumerating up to
    # it must give exactly the same designs, ties included.
    assume(result.optimal.n <= 36)
    slow = simon.brute_force_search(*problem, result.optimal.n)
    assert slow.admissible == result.admissible
    assert (slow.optimal, slow.minimax) == (result.optimal, result.minimax)


@st.composite
def designs(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n = draw(st.integers(2, 80))
    n1 = draw(st.integers(1, n - 1))
    r1 = draw(st.integers(0, n1 - 1))
    r = draw(st.integers(r1, n - 1))
    return r1, n1, r, n


@settings(max_examples=60, deadline=None)
@given(designs(), st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12))
def test_rejection_probability_increases_with_p(design: tuple, ps: list[float]) -> None:
    r1, n1, r, n = design
    curve = simon.rejection_curve(r1, n1, r, n, sorted(ps))
    for low, high in pairwise(curve):
        assert low.reject_probability <= high.reject_probability + 1e-12
        assert low.early_termination_probability >= high.early_termination_probability - 1e-12
    for point in curve:
        assert 0.0 <= point.early_termination_probability <= 1.0
        assert -1e-12 <= point.reject_probability <= 1.0 + 1e-12
        assert n1 - 1e-9 <= point.expected_sample_size <= n + 1e-9
        expected = n1 + (1 - point.early_termination_probability) * (n - n1)
        assert point.expected_sample_size == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(designs(), st.floats(0.01, 0.99))
def test_operating_characteristics_match_plain_formulas(design: tuple, p: float) -> None:
    r1, n1, r, n = design
    got = simon.operating_characteristics(r1, n1, r, n, p)
    assert got.reject_probability == pytest.approx(_reject_probability(r1, n1, r, n, p), abs=1e-12)
    pet = math.fsum(_pmf(n1, p)[: r1 + 1])
    assert got.early_termination_probability == pytest.approx(pet, abs=1e-12)
