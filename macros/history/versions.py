"""The protocol's versions: each distinct ``protocol.version`` in the trial file's history.

A version is the trial file as the *last* commit that carried its version
number left it (typo fixes made under the same number belong to it). Versions
are ordered by that commit; the working file is always the newest, the
current version. Each earlier version is validated with today's model: one
that fails keeps its text and its problems, and the site shows a plain text
diff for it instead of a comparison of contents.

A trial file without a ``protocol`` block has no versions to follow: its
history is the current registry record alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from macros.eligibility.checklist import fingerprint
from macros.history.git import Revision, Revisions, read_revisions
from macros.trial import source
from macros.trial.errors import Problem, TrialDataError
from macros.trial.model import Trial

#: Validates a parsed trial file with every check the build uses (or raises TrialDataError).
Validate = Callable[[source.Document], Trial]

# Every scalar stays the string it is written as, so "1.10" is not "1.1".
_RAW_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(frozen=True)
class Version:
    """One version of the protocol, as the trial file held it."""

    # The protocol's version number; None for a trial file that states none.
    number: str | None
    # Its folder under versions/ in the site: the number made safe for a path.
    slug: str
    # The version's own date, else the date of the first commit that carried it.
    date: str | None
    dated_by_commit: bool
    # The committer date of the first commit that carried it (YYYY-MM-DD), if any.
    committed: str | None
    amendment: str | None
    approval_date: str | None
    summary: str | None
    # The last commit that carried it; None when the working file differs from every commit.
    commit: str | None
    text: bytes
    # The validated trial, or None when this version fails today's model.
    trial: Trial | None
    problems: tuple[Problem, ...]
    current: bool
    # The checklist fingerprint of its criteria (None when it does not validate).
    fingerprint: str | None

    @property
    def title(self) -> str:
        """``Protocol version 2.0 of 2023-06-01``, or the registry record for an unversioned file."""
        if self.number is None:
            record = self.trial.record_version if self.trial else "unknown date"
            return f"Registry record of {record}"
        dated = f" of {self.date}" if self.date else ""
        return f"Protocol version {self.number}{dated}"


@dataclass(frozen=True)
class History:
    """The versions known, oldest first; the last one is the current version."""

    versions: tuple[Version, ...]
    # Why earlier versions are unknown (no git history), or None.
    unavailable: str | None
    # Whether the trial file states a protocol version at all.
    versioned: bool

    @property
    def current(self) -> Version:
        return self.versions[-1]

    def previous(self, version: Version) -> Version | None:
        """The version before ``version``, or None for the earliest."""
        index = self.versions.index(version)
        return self.versions[index - 1] if index > 0 else None

    def following(self, version: Version) -> Version | None:
        """The version after ``version``, or None for the current one."""
        index = self.versions.index(version)
        return self.versions[index + 1] if index + 1 < len(self.versions) else None


def raw_protocol(text: bytes) -> dict[str, str] | None:
    """The ``protocol`` block of a trial file's text as strings, or None without a version.

    Read without the model, so that a version that no longer validates still
    has a number, a date and a summary.
    """
    try:
        # BaseLoader builds only strings, lists and mappings: nothing runs.
        data = yaml.load(text.decode("utf-8"), Loader=_RAW_LOADER)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    protocol = data.get("protocol") if isinstance(data, dict) else None
    if not isinstance(protocol, dict) or not isinstance(protocol.get("version"), str):
        return None
    return {k: v for k, v in protocol.items() if isinstance(k, str) and isinstance(v, str)}


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names the archive itself uses beside the versions' folders.
_RESERVED = {"index.json"}


def slugs(numbers: Iterable[str | None]) -> list[str]:
    """A distinct folder name for each version number, in order (``2.0``, ``A-3`` ...)."""
    taken: set[str] = set()
    out = []
    for number in numbers:
        base = _UNSAFE.sub("-", "current" if number is None else number).strip(".-")[:60] or "version"
        name, n = base, 2
        while name in taken or name in _RESERVED:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        out.append(name)
    return out


def read_history(
    path: Path, current: Trial, validate: Validate, file: str, text: bytes | None = None
) -> History:
    """The history of the trial file at ``path``, whose working copy is ``current``.

    ``text`` is the working file's bytes that ``current`` was read from (the
    file is read when it is not given). Reads git only when the file states a
    protocol version: without one there are no versions to follow.
    """
    if text is None:
        text = path.read_bytes()
    revisions = read_revisions(path) if current.protocol is not None else Revisions(())
    return collect(current, text, revisions, validate, file)


def collect(
    current: Trial, current_text: bytes, revisions: Revisions, validate: Validate, file: str
) -> History:
    """The history of the trial file ``file`` from its ``revisions`` and the working file."""
    if current.protocol is None:
        only = Version(
            number=None, slug=slugs([None])[0], date=None, dated_by_commit=False, committed=None,
            amendment=None, approval_date=None, summary=None, commit=None, text=current_text,
            trial=current, problems=(), current=True, fingerprint=fingerprint(current),
        )
        return History((only,), revisions.unavailable, versioned=False)

    oldest_first = list(reversed(revisions.revisions))
    last: dict[str, int] = {}
    first_date: dict[str, str] = {}
    for index, revision in enumerate(oldest_first):
        raw = raw_protocol(revision.text)
        if raw is None:
            continue
        last[raw["version"]] = index
        first_date.setdefault(raw["version"], revision.date)

    number = current.protocol.version
    earlier = sorted((n for n in last if n != number), key=last.__getitem__)
    names = slugs([*earlier, number])
    versions = [
        _old(oldest_first[last[n]], n, name, first_date[n], validate, file)
        for n, name in zip(earlier, names, strict=False)
    ]
    carried = oldest_first[last[number]] if number in last else None
    protocol = current.protocol
    date = protocol.date or first_date.get(number)
    versions.append(
        Version(
            number=number, slug=names[-1], date=date,
            dated_by_commit=protocol.date is None and date is not None,
            committed=first_date.get(number),
            amendment=protocol.amendment, approval_date=protocol.approval_date,
            summary=protocol.summary,
            commit=carried.commit if carried and carried.text == current_text else None,
            text=current_text, trial=current, problems=(), current=True,
            fingerprint=fingerprint(current),
        )
    )
    return History(tuple(versions), revisions.unavailable, versioned=True)


def _old(
    revision: Revision, number: str, slug: str, first: str, validate: Validate, file: str
) -> Version:
    raw = raw_protocol(revision.text) or {}
    trial: Trial | None = None
    problems: tuple[Problem, ...] = ()
    try:
        trial = validate(source.parse(revision.text.decode("utf-8"), file))
    except UnicodeDecodeError as exc:
        problems = (Problem(1, 1, "(file)", f"not UTF-8 text (byte {exc.start})", file),)
    except TrialDataError as exc:
        problems = tuple(exc.problems)
    protocol = trial.protocol if trial is not None else None
    stated = protocol.date if protocol else raw.get("date")
    return Version(
        number=number, slug=slug, date=stated or first, dated_by_commit=not stated, committed=first,
        amendment=protocol.amendment if protocol else raw.get("amendment"),
        approval_date=protocol.approval_date if protocol else raw.get("approval_date"),
        summary=protocol.summary if protocol else raw.get("summary"),
        commit=revision.commit, text=revision.text, trial=trial, problems=problems,
        current=False, fingerprint=fingerprint(trial) if trial is not None else None,
    )
