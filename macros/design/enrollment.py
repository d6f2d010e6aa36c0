"""Arithmetic of the stated plan that is not Simon's search itself."""

from __future__ import annotations

import math
from fractions import Fraction


def inflated_enrollment(evaluable: int, dropout_rate: float) -> int:
    """Participants to enrol so that ``evaluable`` remain after dropout.

    ``ceil(n / (1 - dropout))`` in exact arithmetic: with floats, 40 / 0.8 is
    50.00000000000001 and would round up to 51.
    """
    remaining = 1 - Fraction(str(dropout_rate))
    return math.ceil(Fraction(evaluable) / remaining)
