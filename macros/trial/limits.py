"""Limits the model puts on numbers that the maths packages share."""

#: Largest total sample size accepted when evaluating a given design.
MAX_DESIGN_N = 100_000

#: Largest number of patients (both stages) of an exact analysis after a
#: two-stage trial; equal to ``macros.results.inference.MAX_N``.
MAX_ANALYSIS_N = 5000
