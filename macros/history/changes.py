"""The Changes page's entries: each version with its state and its differences from the one before."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from macros.history.diff import Comparison, compare
from macros.history.versions import History, Version


@dataclass(frozen=True)
class State:
    """Whether a version is in force, or which version replaced it and when."""

    current: bool
    superseded_by: Version | None = None

    @property
    def since(self) -> str | None:
        """The date the version was superseded (the next version's date)."""
        return self.superseded_by.date if self.superseded_by else None


@dataclass(frozen=True)
class Entry:
    """One version on the Changes page."""

    version: Version
    state: State
    previous: Version | None
    # The content comparison with the previous version; None for the earliest
    # version, or when either of the two fails today's model.
    comparison: Comparison | None
    # A unified diff of the two trial files when they cannot be compared by content.
    text_diff: tuple[str, ...]


def state(history: History, version: Version) -> State:
    """Current, or superseded by the version that followed it."""
    if version.current:
        return State(current=True)
    return State(current=False, superseded_by=history.following(version))


def entries(history: History) -> list[Entry]:
    """Every version, newest first, each compared with the version before it."""
    out = []
    for version in reversed(history.versions):
        previous = history.previous(version)
        comparison = None
        text_diff: tuple[str, ...] = ()
        if previous is not None:
            if previous.trial is not None and version.trial is not None:
                comparison = compare(previous.trial, version.trial)
            else:
                text_diff = text_diff_lines(previous, version)
        out.append(Entry(version, state(history, version), previous, comparison, text_diff))
    return out


def text_diff_lines(old: Version, new: Version) -> tuple[str, ...]:
    """The two trial files as a unified diff, line by line (no trailing newlines)."""
    before = old.text.decode("utf-8", "replace").splitlines()
    after = new.text.decode("utf-8", "replace").splitlines()
    return tuple(
        difflib.unified_diff(
            before, after, fromfile=f"version {old.number}", tofile=f"version {new.number}",
            lineterm="",
        )
    )
