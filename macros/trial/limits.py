"""Limits the model puts on numbers that the maths packages share."""

#: Largest total sample size accepted when evaluating a given design.
MAX_DESIGN_N = 100_000
