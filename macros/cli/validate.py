"""``python -m macros validate [FILE]``: OK and a summary, or every problem."""

from __future__ import annotations

import sys
from pathlib import Path

from macros.site.loading import load_trial
from macros.trial.characters import visible
from macros.trial.errors import TrialDataError
from macros.trial.paths import display_name, trial_path


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python -m macros validate [FILE]", file=sys.stderr)
        return 2
    cwd = Path.cwd()
    path = Path(argv[0]) if argv else trial_path(cwd)
    name = visible(display_name(path, cwd))
    try:
        trial = load_trial(path, name)
    except TrialDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"OK {name}: {summary(trial)}")
    return 0


def summary(trial) -> str:
    eligibility = trial.eligibility
    sites = len(trial.contacts_locations.locations)
    return (
        f"{trial.identification.nct_id}, {trial.status.overall_status}, "
        f"{len(eligibility.inclusion)} inclusion and {len(eligibility.exclusion)} exclusion "
        f"criteria, {sites} site{'s' if sites != 1 else ''}, "
        f"record of {trial.record_version}"
    )
