"""The trial as the build and the commands load it: the model's checks and every domain's.

The trial package validates shapes and cross-field facts; checks that need a
domain's maths (the stated plan against Simon's design) live in that domain
and are listed here, the one place that knows them all.
"""

from __future__ import annotations

from pathlib import Path

from macros.design import plan_checks
from macros.registry.ctgov_eligibility import check_round_trip
from macros.trial import source, validate
from macros.trial.model import Trial

CHECKS: tuple[validate.Check, ...] = (plan_checks.check, check_round_trip)


def load_trial(path: str | Path, display: str | None = None) -> Trial:
    """Read and validate a trial file with every check; raise TrialDataError on any problem."""
    return validate.load_trial(path, display, CHECKS)


def validate_document(document: source.Document) -> Trial:
    """Validate an already parsed trial document with every check."""
    return validate.validate_document(document, CHECKS)
