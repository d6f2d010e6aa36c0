"""Where the trial file is: ``$TRIAL_DATA`` or ``data/trial.yaml``."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_TRIAL = "data/trial.yaml"


def trial_path(base: Path | None = None) -> Path:
    """The trial file to use, relative paths taken from ``base`` (the project)."""
    name = os.environ.get("TRIAL_DATA") or DEFAULT_TRIAL
    path = Path(name)
    if not path.is_absolute() and base is not None:
        path = base / path
    return path


def display_name(path: Path, base: Path | None = None) -> str:
    """The path as the user would write it: relative to the project if inside it."""
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
