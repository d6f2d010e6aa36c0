"""Exact Simon two-stage designs for single-arm phase II trials.

A Simon two-stage design is written ``r1/n1, r/n``:

* stage 1 enrols ``n1`` patients; if ``X1 <= r1`` responses are seen the
  trial stops early and the drug is declared not promising;
* otherwise ``n2 = n - n1`` more patients are enrolled, and the drug is
  declared promising if the total ``X = X1 + X2`` exceeds ``r``.

With ``b(x; m, p)`` the binomial probability mass and ``B(x; m, p)`` its
cumulative distribution function, the quantities used throughout are

* probability of declaring the drug promising (Simon 1989, eq. 1)::

      R(p) = sum_{x1 = r1+1}^{n1} b(x1; n1, p) * [1 - B(r - x1; n2, p)]

* probability of early termination::

      PET(p) = B(r1; n1, p)

* expected sample size::

      EN(p) = n1 + (1 - PET(p)) * n2

The actual type I error is ``R(p0)`` and the actual power is ``R(p1)``. A
design is *feasible* for ``(p0, p1, alpha, beta)`` when ``R(p0) <= alpha`` and
``R(p1) >= 1 - beta``. Among feasible designs with ``n <= nmax``:

* the *optimal* design minimises ``EN(p0)``;
* the *minimax* design minimises ``n``, then ``EN(p0)``;
* the *admissible* designs (Jung, Lee, Kim and George 2004) minimise the
  Bayes risk ``w * n + (1 - w) * EN(p0)`` for some ``w`` in ``[0, 1]``: the
  vertices of the lower convex hull of the points ``(n, min EN(p0) at n)``
  between the minimax (``w = 1``) and the optimal (``w = 0``) design.

Ties are broken deterministically. Designs are ordered by the key
``(EN(p0), n, n1, -r1, r)`` for the optimal design and by
``(n, EN(p0), n1, -r1, r)`` for the minimax design: the smaller sample size
wins an exact tie in ``EN(p0)``, then the smaller first stage, then the larger
``r1`` (the higher chance of stopping early) and finally the smaller ``r``,
the most powerful of the equivalent rejection thresholds. ``EN(p0)`` does not
depend on ``r``, so that last rule also fixes which ``r`` is reported.

References:
    Simon R. Optimal two-stage designs for phase II clinical trials.
    Controlled Clinical Trials 1989; 10:1-10.

    Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for
    phase II cancer clinical trials. Statistics in Medicine 2004; 23:561-569.

Only the standard library is used, so the command line starts quickly.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from numbers import Real
from operator import mul

from macros.trial.limits import MAX_DESIGN_N

__all__ = [
    "MAX_DESIGN_N",
    "NEAR_NMAX",
    "NMAX_LIMIT",
    "PROBABILITY_TOLERANCE",
    "Design",
    "OperatingCharacteristics",
    "SearchProgress",
    "SearchResult",
    "admissible_weight_ranges",
    "brute_force_search",
    "default_nmax",
    "evaluate",
    "minimum_sample_size",
    "operating_characteristics",
    "rejection_curve",
    "search",
    "validate_design",
    "validate_parameters",
]

#: Largest ``nmax`` the search accepts, and the cap for automatic widening.
NMAX_LIMIT = 2000


#: A search whose optimal or minimax ``n`` lies within this many patients of
#: ``nmax`` is widened, because a larger ``nmax`` might reveal a better design.
NEAR_NMAX = 10

#: Slack allowed when comparing an actual type I error or power with its
#: target. The targets are decimal numbers (0.05, 1 - 0.2) that binary floating
#: point cannot represent, the probabilities are sums of many rounded terms, and
#: ``p0 + 0.15`` may differ from the intended value (0.30 + 0.15 gives
#: 0.44999999999999996, 0.10 + 0.20 gives 0.30000000000000004). Each of these
#: moves a probability by about 1e-16; without slack such noise could flip a
#: design whose error equals the target (which happens, e.g. by symmetry at
#: p0 = 0.5) from feasible to infeasible. 1e-12 is far above that noise and far
#: below any difference that matters clinically.
PROBABILITY_TOLERANCE = 1e-12

# A bound on a probability must fall short of its target by this much before
# the exact sum is skipped: far above the rounding error of any sum here
# (about 1e-13), so skipping never changes which designs are feasible.
_BOUND_SLACK = 1e-9

# Relative slack for deciding whether three (n, EN) points are collinear when
# building the convex hull: a point on a hull edge ties for the Bayes risk at
# that edge's weight and so is admissible.
_HULL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class OperatingCharacteristics:
    """Exact operating characteristics of a two-stage design at one ``p``.

    Attributes:
        p: true response probability.
        reject_probability: ``R(p)``, the probability of declaring the drug
            promising: more than ``r1`` responses among the first ``n1``
            patients and more than ``r`` among all ``n``.
        early_termination_probability: ``PET(p) = P(X1 <= r1)``.
        expected_sample_size: ``EN(p) = n1 + (1 - PET(p)) * (n - n1)``.
    """

    p: float
    reject_probability: float
    early_termination_probability: float
    expected_sample_size: float


@dataclass(frozen=True)
class Design:
    """A two-stage design ``r1/n1, r/n`` with its characteristics at p0 and p1.

    Attributes:
        r1, n1, r, n: the design (see the module docstring).
        en0: expected sample size under ``p0``.
        pet0: probability of early termination under ``p0``.
        alpha: actual type I error, ``R(p0)``.
        power: actual power, ``R(p1)``.
    """

    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float
    alpha: float
    power: float

    def as_dict(self) -> dict[str, int | float]:
        """The design as a plain dict with keys r1, n1, r, n, en0, pet0, alpha, power."""
        return {
            "r1": self.r1,
            "n1": self.n1,
            "r": self.r,
            "n": self.n,
            "en0": self.en0,
            "pet0": self.pet0,
            "alpha": self.alpha,
            "power": self.power,
        }


@dataclass(frozen=True)
class SearchResult:
    """Outcome of :func:`search`.

    Attributes:
        optimal: the design with the smallest ``EN(p0)``.
        minimax: the design with the smallest ``n`` (then smallest ``EN(p0)``).
        admissible: the admissible designs, ordered by ``n`` ascending from the
            minimax to the optimal design (both included; a single design when
            they coincide).
        nmax: the largest total sample size searched, after any widening.
        warnings: human-readable notes, e.g. that the search was widened.
    """

    optimal: Design
    minimax: Design
    admissible: tuple[Design, ...]
    nmax: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SearchProgress:
    """How far a running :func:`search` has come, as passed to its ``progress`` hook.

    Attributes:
        stage: ``"tables"`` while the binomial tables for the first sizes are
            built, then ``"search"`` while the total sample sizes are scanned.
        done: the last table size built, or the last total sample size ``n``
            scanned.
        total: the table size being built to, or the largest ``n`` to scan
            (the current ``nmax``, which grows when the search is widened).
        best: the design with the smallest ``EN(p0)`` found so far, as
            ``(r1, n1, r, n)``, or ``None`` while no design is feasible.
        best_en0: its expected sample size under ``p0``, or ``None``.
    """

    stage: str
    done: int
    total: int
    best: tuple[int, int, int, int] | None = None
    best_en0: float | None = None


#: The ``progress`` hook of :func:`search`.
ProgressHook = Callable[[SearchProgress], None]


# --------------------------------------------------------------------------
# Validation


def _probability(name: str, value: object, *, closed: bool = False) -> float:
    # bool is a Real subclass, but True as a probability is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, Real):
        kind = "between 0 and 1" if closed else "strictly between 0 and 1"
        raise ValueError(f"{name} ({value!r}) must be a number {kind}")
    number = float(value)
    if closed:
        if not 0.0 <= number <= 1.0:  # also rejects NaN
            raise ValueError(f"{name} ({value!r}) must be between 0 and 1")
    elif not 0.0 < number < 1.0:
        raise ValueError(f"{name} ({value!r}) must be strictly between 0 and 1")
    return number


def _whole(name: str, value: object, low: int, high: int) -> int:
    number: int | None = None
    # bool is an int subclass; nmax=True is a mistake, not 1.
    if not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    ):
        number = int(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"{name} ({value!r}) must be a whole number between {low} and {high}")
    return number


def validate_parameters(
    p0: object, p1: object, alpha: object, beta: object, nmax: object = None
) -> tuple[float, float, float, float, int | None]:
    """Check search parameters and return them as ``(p0, p1, alpha, beta, nmax)``.

    ``p0`` and ``p1`` must lie strictly between 0 and 1 with ``p1 > p0``;
    ``alpha`` and ``beta`` strictly between 0 and 1; ``nmax`` is ``None`` or a
    whole number from 2 to :data:`NMAX_LIMIT`.

    Raises:
        ValueError: naming the argument, its value and the allowed range.
    """
    p0_ = _probability("p0", p0)
    p1_ = _probability("p1", p1)
    if not p1_ > p0_:
        raise ValueError(f"p1 ({p1!r}) must be greater than p0 ({p0!r})")
    alpha_ = _probability("alpha", alpha)
    beta_ = _probability("beta", beta)
    nmax_ = None if nmax is None else _whole("nmax", nmax, 2, NMAX_LIMIT)
    return p0_, p1_, alpha_, beta_, nmax_


def validate_design(r1: object, n1: object, r: object, n: object) -> tuple[int, int, int, int]:
    """Check a design ``r1/n1, r/n`` and return it as integers.

    Requires whole numbers with ``0 <= r1 < n1 < n <= MAX_DESIGN_N`` and
    ``r1 <= r < n``.

    Raises:
        ValueError: naming the argument, its value and the allowed range.
    """
    n_ = _whole("n", n, 2, MAX_DESIGN_N)
    n1_ = _whole("n1", n1, 1, MAX_DESIGN_N)
    if n1_ >= n_:
        raise ValueError(f"n1 ({n1!r}) must be less than n ({n!r})")
    r1_ = _whole("r1", r1, 0, MAX_DESIGN_N)
    if r1_ >= n1_:
        raise ValueError(f"r1 ({r1!r}) must be at least 0 and less than n1 ({n1!r})")
    r_ = _whole("r", r, 0, MAX_DESIGN_N)
    if not r1_ <= r_ < n_:
        raise ValueError(
            f"r ({r!r}) must be at least r1 ({r1!r}) and less than n ({n!r})"
        )
    return r1_, n1_, r_, n_


# --------------------------------------------------------------------------
# Binomial building blocks


def _binomial_pmf(m: int, p: float) -> list[float]:
    """``[b(0; m, p), ..., b(m; m, p)]``, accurate for any ``m`` and ``p``.

    Starting from ``q**m`` underflows to zero for large ``m`` (0.95**2000 is
    fine but 0.05**2000 is not), so the ratios
    ``b(k+1)/b(k) = (m-k)/(k+1) * p/q`` are applied outwards from the mode,
    where the mass is largest, and the result is normalised. Far tails may
    underflow to zero, which is harmless, and the relative error of each term
    grows only linearly in its distance from the mode.
    """
    if p <= 0.0:
        return [1.0] + [0.0] * m
    if p >= 1.0:
        return [0.0] * m + [1.0]
    q = 1.0 - p
    mode = min(m, int((m + 1) * p))
    weights = [0.0] * (m + 1)
    weights[mode] = 1.0
    up = p / q
    value = 1.0
    for k in range(mode, m):
        value *= (m - k) / (k + 1) * up
        if value == 0.0:
            break
        weights[k + 1] = value
    down = q / p
    value = 1.0
    for k in range(mode, 0, -1):
        value *= k / (m - k + 1) * down
        if value == 0.0:
            break
        weights[k - 1] = value
    total = math.fsum(weights)
    return [w / total for w in weights]


def _upper_tails(pmf: Sequence[float]) -> list[float]:
    """``t`` with ``t[j] = P(X >= m - j)`` for ``j = 0..m-1`` (``m = len(pmf) - 1``).

    So ``P(X > k) = t[m - 1 - k]``. Summing from the top keeps small tails
    accurate (``1 - cdf`` would not), and the reversed order lets the
    rejection probability be written as a dot product of two forward slices.
    """
    tails = list(accumulate(reversed(pmf)))
    tails.pop()
    return tails


def _reject(
    pmf1: Sequence[float],
    tails1: Sequence[float],
    tails2: Sequence[float],
    n1: int,
    n2: int,
    r1: int,
    r: int,
) -> float:
    """``R(p) = P(X1 > r1, X1 + X2 > r)`` from stage tables at one ``p``.

    ``pmf1``/``tails1`` describe ``X1 ~ Bin(n1, p)`` and ``tails2`` describes
    ``X2 ~ Bin(n2, p)`` (see :func:`_upper_tails`); ``r1 <= r`` is assumed.
    Outcomes with ``x1 > r`` pass whatever stage 2 gives, contributing
    ``P(X1 > r)``. For ``r1 < x1 <= r`` the term is
    ``b(x1; n1) * P(X2 > r - x1)``, which vanishes once ``r - x1 >= n2``.
    """
    total = tails1[n1 - 1 - r] if r < n1 else 0.0
    lo = r1 + 1
    if r - n2 + 1 > lo:
        lo = r - n2 + 1
    hi = r if r < n1 else n1
    if lo <= hi:
        # x1 pairs with P(X2 > r - x1) = tails2[x1 + n2 - 1 - r].
        shift = n2 - 1 - r
        total += sum(map(mul, pmf1[lo : hi + 1], tails2[lo + shift : hi + 1 + shift]))
    return total


def _characteristics(r1: int, n1: int, r: int, n: int, p: float) -> OperatingCharacteristics:
    pmf1 = _binomial_pmf(n1, p)
    tails1 = _upper_tails(pmf1)
    tails2 = _upper_tails(_binomial_pmf(n - n1, p))
    reject = _reject(pmf1, tails1, tails2, n1, n - n1, r1, r)
    pet = min(1.0, math.fsum(pmf1[: r1 + 1]))
    return OperatingCharacteristics(
        p=p,
        reject_probability=reject,
        early_termination_probability=pet,
        expected_sample_size=n1 + (1.0 - pet) * (n - n1),
    )


def operating_characteristics(
    r1: int, n1: int, r: int, n: int, p: float
) -> OperatingCharacteristics:
    """Exact operating characteristics of design ``r1/n1, r/n`` at response rate ``p``.

    ``R(p)``, ``PET(p)`` and ``EN(p)`` are computed from the binomial
    distribution as given in the module docstring (Simon 1989).

    Raises:
        ValueError: for an invalid design or ``p`` outside ``[0, 1]``.
    """
    r1_, n1_, r_, n_ = validate_design(r1, n1, r, n)
    return _characteristics(r1_, n1_, r_, n_, _probability("p", p, closed=True))


def rejection_curve(
    r1: int, n1: int, r: int, n: int, ps: Iterable[float] | None = None
) -> list[OperatingCharacteristics]:
    """Operating characteristics of one design over a grid of response rates.

    Args:
        r1, n1, r, n: the design.
        ps: response rates in ``[0, 1]``; by default ``0, 0.01, ..., 1``.

    Returns:
        One :class:`OperatingCharacteristics` per ``p``, in the given order.
    """
    r1_, n1_, r_, n_ = validate_design(r1, n1, r, n)
    grid = [i / 100 for i in range(101)] if ps is None else list(ps)
    values = [_probability("p", p, closed=True) for p in grid]
    return [_characteristics(r1_, n1_, r_, n_, p) for p in values]


def evaluate(r1: int, n1: int, r: int, n: int, p0: float, p1: float) -> Design:
    """The :class:`Design` ``r1/n1, r/n`` with its exact alpha, power, PET and EN at p0.

    Raises:
        ValueError: for an invalid design, or ``p0``/``p1`` outside ``(0, 1)``
            or ``p1 <= p0``.
    """
    r1_, n1_, r_, n_ = validate_design(r1, n1, r, n)
    p0_ = _probability("p0", p0)
    p1_ = _probability("p1", p1)
    if not p1_ > p0_:
        raise ValueError(f"p1 ({p1!r}) must be greater than p0 ({p0!r})")
    null = _characteristics(r1_, n1_, r_, n_, p0_)
    alternative = _characteristics(r1_, n1_, r_, n_, p1_)
    return Design(
        r1=r1_,
        n1=n1_,
        r=r_,
        n=n_,
        en0=null.expected_sample_size,
        pet0=null.early_termination_probability,
        alpha=null.reject_probability,
        power=alternative.reject_probability,
    )


# --------------------------------------------------------------------------
# Sample-size bounds


def _best_test_power(n: int, p0: float, p1: float, alpha: float) -> float:
    """Power at ``p1`` of the most powerful (randomised) size-``alpha`` test on ``n`` patients.

    By the Neyman-Pearson lemma no test based on ``n`` patients, and so no
    two-stage design with total ``n``, has more power at the same size. Unlike
    the feasibility of two-stage designs, this power never decreases in ``n``
    (a test may ignore a patient), so it gives a sound lower bound on ``n``.
    """
    pmf0 = _binomial_pmf(n, p0)
    pmf1 = _binomial_pmf(n, p1)
    tails0 = _upper_tails(pmf0)
    tails1 = _upper_tails(pmf1)
    # Smallest c with P0(X > c) <= alpha; tails0 is non-decreasing in its index.
    j = bisect_right(tails0, alpha) - 1
    c = n - 1 - j if j >= 0 else n
    size = tails0[n - 1 - c] if c < n else 0.0
    power = tails1[n - 1 - c] if c < n else 0.0
    # On underflow be generous: this is only a bound.
    gamma = min(1.0, max(0.0, (alpha - size) / pmf0[c])) if pmf0[c] > 0.0 else 1.0
    return power + gamma * pmf1[c]


def minimum_sample_size(p0: float, p1: float, alpha: float, beta: float) -> int:
    """A lower bound on the total ``n`` of any feasible two-stage design.

    The smallest ``n`` (at least 2) at which the most powerful randomised test
    of size ``alpha`` reaches power ``1 - beta``; the bound is sound because
    that power is monotone in ``n``. The comparison is a little generous (1e-9)
    so rounding can never raise the bound above a feasible design.

    Raises:
        ValueError: for bad parameters, or if even ``n = NMAX_LIMIT`` is too small.
    """
    p0_, p1_, alpha_, beta_, _ = validate_parameters(p0, p1, alpha, beta)
    size = alpha_ + 1e-9
    target = 1.0 - beta_ - 1e-9

    def enough(n: int) -> bool:
        return _best_test_power(n, p0_, p1_, size) >= target

    # Gallop up from small n (cheap tables), then bisect: the power is monotone.
    lo, hi = 1, 2
    while not enough(hi):
        if hi >= NMAX_LIMIT:
            raise ValueError(
                f"no design with n <= {NMAX_LIMIT} can have type I error <= {alpha_:g} "
                f"and power >= {1.0 - beta_:g} for p0 = {p0_:g} and p1 = {p1_:g}; "
                "p1 is too close to p0"
            )
        lo, hi = hi, min(NMAX_LIMIT, 2 * hi)
    # Invariant: lo is too small (or 1), hi is enough.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid
    return hi


def default_nmax(p0: float, p1: float, alpha: float, beta: float) -> int:
    """The ``nmax`` used by :func:`search` when none is given.

    ``max(2 * m, m + 40)``, capped at :data:`NMAX_LIMIT`, where ``m`` is
    :func:`minimum_sample_size`. Optimal designs are seldom more than about
    1.5 times the single-stage sample size, and the search widens itself when
    a design comes within :data:`NEAR_NMAX` of the limit.
    """
    return _default_nmax(minimum_sample_size(p0, p1, alpha, beta))


def _default_nmax(bound: int) -> int:
    return min(NMAX_LIMIT, max(2 * bound, bound + 40))


# --------------------------------------------------------------------------
# The search

# (EN(p0), n, n1, r1, r) of a feasible design, as found by the search.
_Found = tuple[float, int, int, int, int]


class _Engine:
    """Incremental exact search over total sample sizes ``n = start, start+1, ...``.

    Per ``n``, every first stage ``n1`` is scanned from its largest sensible
    ``r1`` downwards. For fixed ``(n1, n)`` both ``R(p0)`` and ``R(p1)``
    decrease in ``r1`` and in ``r``, and ``EN(p0)`` decreases in ``r1`` and
    does not depend on ``r``. Hence:

    * for each ``r1`` only the smallest ``r`` with ``R(p0) <= alpha`` (the
      most powerful ``r`` that meets the alpha target) needs checking;
    * the first feasible ``r1`` met from the top is the best for ``(n1, n)``;
    * that smallest ``r`` never decreases as ``r1`` decreases or ``n`` grows,
      so remembered values give lower bounds and finding it usually takes one
      or two evaluations of ``R(p0)``;
    * ``R(p) <= P(X1 > r1)`` and ``R(p) <= P(X > r)`` bound ``r1`` and ``r``
      before anything is summed;
    * a design cannot beat the best ``EN(p0)`` found so far unless
      ``n1 + (1 - PET) * n2`` does, which cuts the scan short;
    * ``R(p1)`` at ``(r1, r)`` is at most ``R(p1)`` at an ``(r1', r')``
      already summed, with ``r1' > r1`` and ``r' <= r``, plus
      ``P1(r1 < X1 <= r1')``; when that falls clearly short of the power
      target (by :data:`_BOUND_SLACK`, far above rounding) the sum is skipped.
      This spares most power sums of a large search and never changes which
      designs are feasible.

    Sizes ``n`` are visited in increasing order without bisection, because
    feasibility is not monotone in ``n``. Only designs that beat every design
    with a smaller ``n`` are kept (the others cannot be admissible), giving a
    staircase of ``(n, EN)`` points whose first element is the minimax and
    whose last is the optimal design.

    For a fixed ``n1`` the bound on ``EN(p0)`` at the largest usable ``r1``
    only grows with ``n`` while the best ``EN(p0)`` only falls, so once every
    ``n1`` is ruled out no larger ``n`` can improve the staircase and the
    search stops (``exhausted``): the answer is then the same for every
    ``nmax``.
    """

    def __init__(self, p0: float, p1: float, alpha: float, beta: float, start: int) -> None:
        self.p0 = p0
        self.p1 = p1
        self.alpha_cap = alpha + PROBABILITY_TOLERANCE
        self.power_floor = (1.0 - beta) - PROBABILITY_TOLERANCE
        # Binomial tables per size m = 0, 1, ..., as arrays of C doubles: a
        # list of Python floats would take four times the memory (about 400 MB
        # for every m up to 2000) and is no faster to sum.
        self.pmf0: list[array[float]] = []
        self.pmf1: list[array[float]] = []
        self.cdf0: list[array[float]] = []
        self.tails0: list[array[float]] = []
        self.tails1: list[array[float]] = []
        # Largest r1 whose stage-1 pass probability at p1 reaches the power
        # target (power can never exceed it), or -1.
        self.r1_top: list[int] = []
        # Lower bounds on the smallest r meeting the alpha target, per (n1, r1).
        self.r_floor: list[array[int]] = []
        # Told of each table built and each n scanned (see SearchProgress).
        self.progress: ProgressHook | None = None
        self.next_n = max(2, start)
        self.best_en = math.inf
        self.staircase: list[_Found] = []
        # Set once no n1 can beat best_en at any larger n: the answer is then
        # exact for every nmax.
        self.exhausted = False

    def _grow(self, m_max: int) -> None:
        floor = self.power_floor
        progress = self.progress
        while len(self.pmf0) <= m_max:
            m = len(self.pmf0)
            pmf0 = _binomial_pmf(m, self.p0)
            pmf1 = _binomial_pmf(m, self.p1)
            tails1 = _upper_tails(pmf1)
            self.pmf0.append(array("d", pmf0))
            self.pmf1.append(array("d", pmf1))
            self.cdf0.append(array("d", accumulate(pmf0)))
            self.tails0.append(array("d", _upper_tails(pmf0)))
            self.tails1.append(array("d", tails1))
            # P1(X1 > r1) = tails1[m - 1 - r1] grows as r1 falls.
            j = bisect_left(tails1, floor)
            self.r1_top.append(m - 1 - j if j < m else -1)
            self.r_floor.append(array("i", [0]) * m)
            if progress is not None and m < m_max:
                # Only the first scan builds many tables; later ones add one.
                progress(SearchProgress("tables", m, m_max))

    def run_to(self, nmax: int) -> None:
        """Scan every ``n`` up to ``nmax`` not yet scanned (unless exhausted)."""
        while self.next_n <= nmax and not self.exhausted:
            self._scan(self.next_n)
            if self.progress is not None:
                self.progress(self._state(self.next_n, nmax))
            self.next_n += 1
        self.next_n = max(self.next_n, nmax + 1)

    def _state(self, n: int, nmax: int) -> SearchProgress:
        if not self.staircase:
            return SearchProgress("search", n, nmax)
        en, n_best, n1, r1, r = self.staircase[-1]
        return SearchProgress("search", n, nmax, (r1, n1, r, n_best), en)

    def _scan(self, n: int) -> None:
        # One flat loop with locals bound up front: this is the hot path.
        self._grow(n)
        alpha_cap = self.alpha_cap
        power_floor = self.power_floor
        power_short = power_floor - _BOUND_SLACK
        tails0_n = self.tails0[n]
        tails1_n = self.tails1[n]
        # Single-stage bounds at this n: R(p0) <= P0(X > r), R(p1) <= P1(X > r).
        # r_alpha: smallest r with P0(X > r) <= alpha, so the wanted r <= r_alpha.
        j = bisect_right(tails0_n, alpha_cap) - 1
        if j < 0:
            return  # even r = n - 1 has type I error p0**n > alpha
        r_alpha = n - 1 - j
        # r_power: largest r with P1(X > r) >= 1 - beta; no larger r is feasible.
        j = bisect_left(tails1_n, power_floor)
        if j >= n:
            return
        r_power = n - 1 - j

        pmf0, pmf1, cdf0 = self.pmf0, self.pmf1, self.cdf0
        tails0, tails1 = self.tails0, self.tails1
        r1_top, r_floor = self.r1_top, self.r_floor
        best_en = self.best_en
        found: _Found | None = None
        alive = False
        for n1 in range(1, n):
            if n1 >= best_en:
                break
            top = r1_top[n1]
            if top < 0:
                continue
            n2 = n - n1
            cdf = cdf0[n1]
            if n1 + (1.0 - cdf[top]) * n2 >= best_en:
                # Dead for good: EN grows with n and best_en only falls.
                continue
            alive = True
            floors = r_floor[n1]
            pmf0_1, pmf1_1 = pmf0[n1], pmf1[n1]
            tails0_1, tails1_1 = tails0[n1], tails1[n1]
            tails0_2, tails1_2 = tails0[n2], tails1[n2]
            chain = 0  # lower bound on the wanted r, valid for all smaller r1
            # The last power computed for this n1: R(p1), P1(X1 > r1) and r.
            last_power, last_pass, last_r = -math.inf, 0.0, n
            for r1 in range(top, -1, -1):
                en = n1 + (1.0 - cdf[r1]) * n2
                if en >= best_en:
                    break
                if floors[r1] > chain:
                    chain = floors[r1]
                if chain > r_power:
                    break
                lo = r1 if r1 > chain else chain
                if lo > r_power:
                    continue
                # Smallest r >= lo with R(p0) <= alpha. R(p0) at r = r_alpha is
                # at most the single-stage error, so r_alpha always passes.
                if lo >= r_alpha or (
                    _reject(pmf0_1, tails0_1, tails0_2, n1, n2, r1, lo) <= alpha_cap
                ):
                    # chain stays a valid bound for smaller r1; lo itself may
                    # be r1, a limit that does not carry over to them.
                    r = lo
                else:
                    hi = r_alpha if r_alpha < r_power else r_power
                    if hi == r_alpha or (
                        _reject(pmf0_1, tails0_1, tails0_2, n1, n2, r1, hi) <= alpha_cap
                    ):
                        # Invariant: lo fails, hi passes.
                        while hi - lo > 1:
                            mid = (lo + hi) // 2
                            if _reject(pmf0_1, tails0_1, tails0_2, n1, n2, r1, mid) <= alpha_cap:
                                hi = mid
                            else:
                                lo = mid
                        r = hi
                    else:
                        r = r_power + 1  # alpha needs an r beyond any powerful one
                    # lo failed, so r > r1 and this r is unconstrained by r1:
                    # a bound for every smaller r1 and every larger n.
                    chain = r
                    if r > r_power:
                        floors[r1] = r
                        break
                floors[r1] = chain
                # R(p1) at (r1, r) is at most R(p1) at an earlier (r1', r') with
                # r1' > r1 and r' <= r plus P1(r1 < X1 <= r1'); when that bound
                # falls clearly short of the target the sum is not needed.
                pass1 = tails1_1[n1 - 1 - r1]
                if r >= last_r and last_power + (pass1 - last_pass) < power_short:
                    continue
                power = _reject(pmf1_1, tails1_1, tails1_2, n1, n2, r1, r)
                if power >= power_floor:
                    found = (en, n, n1, r1, r)
                    best_en = en
                    break
                last_power, last_pass, last_r = power, pass1, r
        if found is not None:
            self.best_en = best_en
            self.staircase.append(found)
        if not alive and self.staircase:
            self.exhausted = True


def _hull(points: Sequence[_Found]) -> list[_Found]:
    """Lower convex hull of ``(n, EN)`` points sorted by ``n``, keeping collinear points."""
    hull: list[_Found] = []
    for point in points:
        while len(hull) >= 2:
            (en_o, n_o, *_), (en_a, n_a, *_) = hull[-2], hull[-1]
            en_b, n_b = point[0], point[1]
            left = (n_a - n_o) * (en_b - en_o)
            right = (en_a - en_o) * (n_b - n_o)
            # hull[-1] lies strictly above the chord from hull[-2] to point.
            if left - right < -_HULL_TOLERANCE * max(1.0, abs(left), abs(right)):
                hull.pop()
            else:
                break
        hull.append(point)
    return hull


def _result(
    staircase: Sequence[_Found], p0: float, p1: float, nmax: int, warnings: Sequence[str]
) -> SearchResult:
    def design(found: _Found) -> Design:
        _, n, n1, r1, r = found
        return evaluate(r1, n1, r, n, p0, p1)

    admissible = tuple(design(found) for found in _hull(staircase))
    return SearchResult(
        optimal=admissible[-1],
        minimax=admissible[0],
        admissible=admissible,
        nmax=nmax,
        warnings=tuple(warnings),
    )


def _no_design(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> ValueError:
    return ValueError(
        f"no two-stage design with n <= {nmax} has type I error <= {alpha:g} "
        f"and power >= {1.0 - beta:g} for p0 = {p0:g} and p1 = {p1:g}"
    )


def search(
    p0: float,
    p1: float,
    alpha: float,
    beta: float,
    nmax: int | None = None,
    *,
    progress: ProgressHook | None = None,
) -> SearchResult:
    """Optimal, minimax and admissible Simon two-stage designs.

    Searches all designs with ``0 <= r1 < n1 < n <= nmax`` and ``r1 <= r < n``
    exactly (no normal approximation), as defined in the module docstring.

    Args:
        p0: uninteresting response rate (the null hypothesis).
        p1: desirable response rate (the alternative), ``p1 > p0``.
        alpha: largest acceptable type I error.
        beta: largest acceptable type II error (power ``>= 1 - beta``).
        nmax: largest total sample size; by default :func:`default_nmax`.
        progress: called with a :class:`SearchProgress` after each binomial
            table of the first scan and after each total sample size ``n``
            scanned, so a caller can show how a long search is going; it
            must not raise. The search itself never prints.

    If no feasible design has ``n <= nmax``, ``nmax`` is doubled (at most up
    to :data:`NMAX_LIMIT`) and the search continues. So it is when the
    optimal or minimax ``n`` lies within :data:`NEAR_NMAX` of ``nmax``,
    unless the search has already proved that no larger ``n`` can improve
    the answer (see :class:`_Engine`): then the answer is final and ``nmax``
    stays as it is. Each widening is reported in ``warnings``. Alpha and
    power are compared with a slack of :data:`PROBABILITY_TOLERANCE` (see
    there for why).

    Raises:
        ValueError: for bad parameters, or when no design with
            ``n <= NMAX_LIMIT`` is feasible.
    """
    p0_, p1_, alpha_, beta_, nmax_ = validate_parameters(p0, p1, alpha, beta, nmax)
    start = minimum_sample_size(p0_, p1_, alpha_, beta_)
    limit = nmax_ if nmax_ is not None else _default_nmax(start)
    engine = _Engine(p0_, p1_, alpha_, beta_, start)
    engine.progress = progress
    warnings: list[str] = []
    while True:
        engine.run_to(limit)
        if not engine.staircase:
            if limit >= NMAX_LIMIT:
                raise _no_design(p0_, p1_, alpha_, beta_, limit)
            wider = min(NMAX_LIMIT, 2 * limit)
            warnings.append(f"no feasible design with n <= {limit}; search widened to nmax = {wider}")
            limit = wider
            continue
        minimax_n = engine.staircase[0][1]
        optimal_n = engine.staircase[-1][1]
        near = [
            f"the {name} design (n = {n})"
            for name, n in (("minimax", minimax_n), ("optimal", optimal_n))
            if limit - n <= NEAR_NMAX
        ]
        # An exhausted search has proved that no larger n can do better:
        # its answer is final, whatever nmax, and widening would only repeat it.
        if near and not engine.exhausted:
            what = " and ".join(near)
            verb = "lies" if len(near) == 1 else "lie"
            if limit >= NMAX_LIMIT:
                warnings.append(
                    f"{what} {verb} within {NEAR_NMAX} of nmax = {limit}, the largest allowed; "
                    "a design with a larger n might have a smaller expected sample size"
                )
            else:
                wider = min(NMAX_LIMIT, 2 * limit)
                warnings.append(
                    f"{what} {verb} within {NEAR_NMAX} of nmax = {limit}; "
                    f"search widened to nmax = {wider}"
                )
                limit = wider
                continue
        return _result(engine.staircase, p0_, p1_, limit, warnings)


def admissible_weight_ranges(designs: Sequence[Design]) -> list[tuple[float, float]]:
    """For each admissible design, the weights ``w`` for which it minimises the Bayes risk.

    ``designs`` must be ordered as in :attr:`SearchResult.admissible` (minimax
    first). Consecutive designs ``a`` and ``b`` have equal risk
    ``w * n + (1 - w) * EN(p0)`` at
    ``w = (EN_a - EN_b) / ((n_b - n_a) + (EN_a - EN_b))`` (Jung et al. 2004),
    so design ``i`` is best for ``w`` between its two neighbouring break points;
    the optimal design's range starts at 0 and the minimax design's ends at 1.
    """
    breaks = []
    for a, b in pairwise(designs):
        gain = a.en0 - b.en0
        breaks.append(gain / ((b.n - a.n) + gain))
    upper = [1.0, *breaks]
    lower = [*breaks, 0.0]
    return list(zip(lower, upper, strict=True))


# --------------------------------------------------------------------------
# Reference implementation


def brute_force_search(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> SearchResult:
    """The same answer as :func:`search` (without widening) by plain enumeration.

    Every design with ``n <= nmax`` is evaluated with the same binomial tables
    and the same feasibility rule, and the tie-breaking keys of the module
    docstring are applied directly. It costs ``O(nmax**5)`` and exists to
    check and benchmark :func:`search`.

    Raises:
        ValueError: for bad parameters or when no design is feasible.
    """
    p0_, p1_, alpha_, beta_, _ = validate_parameters(p0, p1, alpha, beta)
    nmax_ = _whole("nmax", nmax, 2, NMAX_LIMIT)
    tables = _Engine(p0_, p1_, alpha_, beta_, 2)
    tables._grow(nmax_)
    best_by_n: dict[int, tuple[float, int, int, int, int]] = {}
    for n in range(2, nmax_ + 1):
        for n1 in range(1, n):
            n2 = n - n1
            for r1 in range(n1):
                en = n1 + (1.0 - tables.cdf0[n1][r1]) * n2
                for r in range(r1, n):
                    size = _reject(
                        tables.pmf0[n1], tables.tails0[n1], tables.tails0[n2], n1, n2, r1, r
                    )
                    if size > tables.alpha_cap:
                        continue
                    power = _reject(
                        tables.pmf1[n1], tables.tails1[n1], tables.tails1[n2], n1, n2, r1, r
                    )
                    if power < tables.power_floor:
                        continue
                    key = (en, n, n1, -r1, r)
                    if n not in best_by_n or key < best_by_n[n]:
                        best_by_n[n] = key
    if not best_by_n:
        raise _no_design(p0_, p1_, alpha_, beta_, nmax_)
    staircase: list[_Found] = []
    for n in sorted(best_by_n):
        en, _, n1, neg_r1, r = best_by_n[n]
        if not staircase or en < staircase[-1][0]:
            staircase.append((en, n, n1, -neg_r1, r))
    return _result(staircase, p0_, p1_, nmax_, ())
