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


# The project folder: macros/trial/paths.py is three levels below it.
PROJECT = Path(__file__).resolve().parents[2]


def cache_dir(name: str) -> Path | None:
    """``.cache/<name>`` in the project (``$TRIAL_CACHE_DIR/<name>`` if set), created if need be.

    Everything in it can be recomputed: a cache that cannot be created (a
    read-only checkout) gives ``None`` and the caller computes without it.
    """
    root = Path(os.environ.get("TRIAL_CACHE_DIR") or PROJECT / ".cache")
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder
