"""Earlier states of the trial file, read from its git history with the ``git`` command.

Two subprocesses whatever the length of the history: one ``git log`` lists
the commits that changed the file, one ``git cat-file --batch`` reads the
file as each of them left it. Everything comes from the commits (hashes,
committer dates, contents), never from the clock, so the same commit always
gives the same history.

A source without usable history (no git, not a repository, a shallow clone,
a file never committed) is not an error: :func:`read_revisions` says why in
``unavailable`` and the site states that only the current version is known.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Seconds each git command may take; a hung git must not hang the build.
TIMEOUT = 60

# Settings that would change git's output if a user or system config set them.
_CONFIG = ("-c", "log.showSignature=false", "-c", "core.quotePath=false")


@dataclass(frozen=True)
class Revision:
    """The trial file as one commit left it."""

    commit: str  # full hash
    date: str  # committer date, YYYY-MM-DD, as the committer's clock wrote it
    text: bytes


@dataclass(frozen=True)
class Revisions:
    """Every commit that changed the trial file, newest first, or why there are none."""

    revisions: tuple[Revision, ...]
    # Why no history could be read (None when it was, even if it is empty).
    unavailable: str | None = None


class _GitError(Exception):
    pass


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    # C locale: messages and dates do not depend on the machine's language.
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        result = subprocess.run(
            ["git", *_CONFIG, *args], cwd=cwd, input=stdin, capture_output=True,
            timeout=TIMEOUT, env=env, check=False,
        )
    except FileNotFoundError:
        raise _GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise _GitError(f"git did not answer within {TIMEOUT} s") from None
    except OSError as exc:
        raise _GitError(f"git could not be run: {exc.strerror or exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitError(message[-1] if message else f"git exited with code {result.returncode}")
    return result.stdout


def read_revisions(path: Path) -> Revisions:
    """The commits that changed ``path``, newest first, each with the file's bytes.

    Follows ``git log`` from ``HEAD`` (merges simplified as git does by
    default). Never raises: when there is no usable history, ``unavailable``
    says why in a few words.
    """
    path = path.resolve()
    try:
        top, shallow = _git(
            ["rev-parse", "--show-toplevel", "--is-shallow-repository"], path.parent
        ).decode("utf-8").splitlines()
    except (_GitError, ValueError, UnicodeDecodeError) as exc:
        return Revisions((), f"this copy of the source has no git history ({exc})")
    if shallow.strip() == "true":
        return Revisions(
            (), "this copy of the source is a shallow clone, so its earlier versions are not in it"
        )
    root = Path(top).resolve()
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return Revisions((), "the trial file is outside its git repository")
    try:
        log = _git(
            ["log", "--no-renames", "--format=%H %cs", "HEAD", "--", relative], root
        ).decode("ascii")
    except (_GitError, UnicodeDecodeError) as exc:
        if "bad revision 'HEAD'" in str(exc):  # a repository without commits
            return Revisions((), "the trial file has never been committed to git")
        return Revisions((), f"its git history could not be read ({exc})")
    commits = [line.split(" ", 1) for line in log.splitlines() if line.strip()]
    if not commits:
        return Revisions((), "the trial file has never been committed to git")
    request = "".join(f"{commit}:{relative}\n" for commit, _ in commits).encode("utf-8")
    try:
        blobs = _read_batch(_git(["cat-file", "--batch"], root, stdin=request), len(commits))
    except (_GitError, ValueError) as exc:
        return Revisions((), f"its git history could not be read ({exc})")
    revisions = tuple(
        Revision(commit=commit, date=date, text=text)
        for (commit, date), text in zip(commits, blobs, strict=True)
        # a commit that deleted the file left nothing to read
        if text is not None
    )
    return Revisions(revisions)


def _read_batch(output: bytes, count: int) -> list[bytes | None]:
    """Split ``git cat-file --batch`` output into the objects' contents (None: missing)."""
    contents: list[bytes | None] = []
    at = 0
    for _ in range(count):
        end = output.index(b"\n", at)
        header = output[at:end].split(b" ")
        at = end + 1
        if header[-1] == b"missing" or len(header) != 3:
            contents.append(None)
            continue
        size = int(header[2])
        contents.append(output[at:at + size] if header[1] == b"blob" else None)
        at += size + 1  # the object is followed by a newline
    return contents
