"""The trial as the build and the commands load it: the model's checks and every domain's.

The trial package validates shapes and cross-field facts; checks that need a
domain's maths (the stated plan against Simon's design) live in that domain
and are listed here, the one place that knows them all.

A build reads and parses the trial file once (:func:`load`) and hands the
same text to whatever else needs the file (the download, the history's
current version), so that everything it writes comes from one state of the
file, even when the file changes while ``mkdocs serve`` rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from macros.design import plan_checks
from macros.registry.ctgov_eligibility import check_round_trip
from macros.trial import source, validate
from macros.trial.model import Trial

CHECKS: tuple[validate.Check, ...] = (plan_checks.check, check_round_trip)


@dataclass(frozen=True)
class Loaded:
    """A trial file read once: the parsed document and the trial validated from it."""

    document: source.Document
    trial: Trial

    @property
    def data(self) -> bytes:
        """The file's bytes as they were read (the text was decoded from UTF-8 strictly)."""
        return self.document.text.encode("utf-8")


def load(path: str | Path, display: str | None = None) -> Loaded:
    """Read, parse and validate a trial file once; raise TrialDataError on any problem."""
    document = source.read(path, display)
    return Loaded(document, validate_document(document))


def load_trial(path: str | Path, display: str | None = None) -> Trial:
    """Read and validate a trial file with every check; raise TrialDataError on any problem."""
    return load(path, display).trial


def validate_document(document: source.Document) -> Trial:
    """Validate an already parsed trial document with every check."""
    return validate.validate_document(document, CHECKS)
