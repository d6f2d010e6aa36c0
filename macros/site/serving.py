"""mkdocs hooks (``hooks:`` in mkdocs.yml): ``mkdocs serve`` keeps the last good site on view.

When a rebuild fails, mkdocs serve holds every request until a build
succeeds ("the server will appear stuck"), and prints a traceback for any
error that is not a build error. A macro error in a page ends the server:
with ``on_error_fail: true`` mkdocs-macros calls ``exit(100)``, and the
server catches ``Exception``, which ``SystemExit`` is not.

:func:`on_serve` wraps the server's rebuild: the site being served is copied
aside first; if the rebuild fails in any way, the copy is put back, one line
says that the last good build is still served, and the rebuild returns as if
it had succeeded, so requests are answered again. The problems themselves
are logged where they arise (the trial file's problems by the loader, a page
macro's by mkdocs-macros). The next save rebuilds, so the site recovers as
soon as the files are fixed.

This file is loaded by mkdocs by its path, not as part of the package, so it
imports nothing from ``macros``.
"""

from __future__ import annotations

import logging
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort, BuildError

log = logging.getLogger("mkdocs.plugins.trial.serve")


def on_serve(server: Any, config: Any, builder: Callable[..., None], **kwargs: Any) -> Any:
    """Wrap the server's rebuild so that a failed rebuild keeps the last good site.

    SIGTERM is made to stop the server as Ctrl-C does, so that mkdocs removes
    its temporary site folder then too.
    """
    server.builder = keep_last_good(server.builder, Path(server.root))
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def keep_last_good(rebuild: Callable[[], None], root: Path) -> Callable[[], None]:
    """``rebuild``, except that when it fails the site in ``root`` is put back as it was."""

    def guarded() -> None:
        scratch = Path(tempfile.mkdtemp(prefix="mkdocs_last_good_"))
        saved = scratch / "site"
        try:
            shutil.copytree(root, saved, symlinks=True)
            try:
                rebuild()
            except KeyboardInterrupt:
                raise
            except (Abort, BuildError) as exc:
                # The problems were logged as they arose; this says what happens now.
                _restore(saved, root)
                log.error("%s %s", exc, _STILL_SERVING)
            except SystemExit as exc:
                # mkdocs-macros logged the page's macro error, then exited.
                _restore(saved, root)
                log.error("A page macro failed (exit status %s). %s", exc.code, _STILL_SERVING)
            except Exception:
                # Not a problem in the files: a bug, shown with its traceback.
                _restore(saved, root)
                log.exception("The rebuild failed with an internal error. " + _STILL_SERVING)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    return guarded


_STILL_SERVING = (
    "Rebuild failed: still serving the last good build. Fix the problems above and save; "
    "the site rebuilds."
)


def _restore(saved: Path, root: Path) -> None:
    """Make ``root`` hold exactly what ``saved`` holds (``root`` itself stays: it is served)."""
    for entry in list(root.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in list(saved.iterdir()):
        shutil.move(entry, root / entry.name)
