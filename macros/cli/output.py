"""Where a command writes its output: a regular file or a new path, replaced whole, or stdout.

A command never replaces what it does not own: a folder, a device (``-o
/dev/null`` run as root would otherwise replace the machine's device with a
file), a pipe, a symbolic link or a read-only file is refused before anything
is written. The text goes to a temporary file beside the target, which is
renamed over it only once it is complete, so a failed write (a full disk)
leaves the previous file as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from macros.trial.characters import visible


class OutputError(Exception):
    """The output cannot be written; the text is one line, ``status`` the exit status.

    Status 2 when the path given is wrong (a folder, a device, a name too
    long), 1 when writing failed (no space left, no permission).
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def check_target(path: Path, shown: str) -> None:
    """Refuse, with :class:`OutputError`, a path that is not a regular file or a new name."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _error(shown, exc) from None
    if info is None:
        folder = _existing_folder(path.parent)
        if folder is not None and _read_only(folder):
            raise OutputError(f"cannot write {visible(shown)}: its folder is read-only", 2)
        return
    if stat.S_ISLNK(info.st_mode):
        why = "is a symbolic link; give the file itself or a new name"
    elif stat.S_ISDIR(info.st_mode):
        why = "is a folder; give a file name"
    elif not stat.S_ISREG(info.st_mode):
        why = "is not a regular file (a device, pipe or socket); give a file name"
    elif _read_only(path):
        why = "is read-only; make it writable or give another name"
    elif _read_only(path.parent):
        why = "is in a read-only folder"
    else:
        return
    raise OutputError(f"cannot write {visible(shown)}: it {why}", 2)


def _read_only(path: Path) -> bool:
    """No write permission, or no write bit at all (which even root respects here)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not mode & 0o222


def _existing_folder(folder: Path) -> Path | None:
    """``folder`` or its nearest existing ancestor (the one a new file's folders go in)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate if candidate.is_dir() else None
    return None


def write_file(path: Path, text: str, shown: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, renamed on success."""
    check_target(path, shown)
    data = text.encode("utf-8")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(shown, exc) from None
    try:
        previous = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        previous = None
    except OSError as exc:
        raise _error(shown, exc) from None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".trial-output-", suffix=".tmp")
    except OSError as exc:
        raise _error(shown, exc) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, previous if previous is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        raise _error(shown, exc) from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output, and say so in one line if it cannot be written."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.
        silence_stdout()
    except OSError as exc:
        silence_stdout()
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}", 1) from None


def silence_stdout() -> None:
    """Point standard output at the null device, so that the exit's flush cannot fail again."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, sys.stdout.fileno())
    finally:
        os.close(null)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _error(shown: str, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    usage = exc.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR)
    return OutputError(f"cannot write {visible(shown)}: {reason}", 2 if usage else 1)
