"""User-facing data errors: every problem at once, each pointing at a line.

A problem reads ``data/trial.yaml:LINE:COL: path.to.field: message``. Bad data
is a user error (clear message, exit 1), kept apart from internal bugs, which
still raise ordinary exceptions with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from macros.trial.characters import visible

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """``('eligibility', 'inclusion', 0, 'text')`` -> ``eligibility.inclusion[0].text``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, and where."""

    line: int
    column: int
    path: str
    message: str
    file: str = ""

    def __str__(self) -> str:
        # A key or a file name may hold control characters; show them, do not obey them.
        return (
            f"{visible(self.file)}:{self.line}:{self.column}: {visible(self.path)}: "
            f"{visible(self.message)}"
        )


class TrialDataError(Exception):
    """The trial file cannot be used; carries every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(
            {Problem(p.line, p.column, p.path, p.message, file) for p in problems}
        )
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        header = f"{visible(file)}: {count} {noun} in the trial data:"
        super().__init__("\n".join([header, *map(str, self.problems)]))
