"""``python -m macros build [--site-dir DIR]``: validate, build, then swap in.

The site is built into a temporary folder beside ``DIR`` and replaces it
only when the whole build succeeded, so a failed build never leaves a
half-written site and never removes the last good one.

``DIR`` must be the build's own: the project, a folder that holds it, a
folder inside its sources and a non-empty folder that no build made are
refused before anything is touched (:mod:`macros.site.site_dir`). A signal
(Ctrl-C, SIGTERM, SIGHUP) stops the mkdocs process and removes the temporary
folder; a build killed outright takes its mkdocs process with it, and its
temporary folder is removed by the next build. Two builds into the same
folder swap one after the other, under a lock.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from macros.site.loading import load_trial
from macros.site.site_dir import SiteDirError, check_site_dir, mark_site
from macros.trial.characters import visible
from macros.trial.errors import TrialDataError
from macros.trial.paths import display_name, trial_path

# Inside a build's temporary folder while the build runs: with the folder's
# lock, it tells a later build that a folder left behind is ours to remove.
CLAIM = ".trial-site-build"
# Seconds the mkdocs process has to stop after a signal before it is killed.
STOP_TIMEOUT = 30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def main(argv: list[str]) -> int:
    parser = _Parser(prog="python -m macros build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-dir", default="site", help="where the site goes (default: site)")
    parser.add_argument("--config", default="mkdocs.yml", help="mkdocs configuration file")
    args = parser.parse_args(argv)

    config = Path(args.config).resolve()
    project = config.parent
    path = trial_path(project)
    site = Path(args.site_dir).resolve()
    try:
        check_site_dir(site, project, trial_file=path)
    except SiteDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Build stopped: nothing was changed.", file=sys.stderr)
        return 2
    try:
        load_trial(path, display_name(path, project))
    except TrialDataError as exc:
        print(exc, file=sys.stderr)
        print("Build stopped: the site was not changed.", file=sys.stderr)
        return 1

    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", _last_commit_time(project))
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        with _signals_raise():
            return _build(config, site, env)
    except _Interrupted as exc:
        print(f"Build stopped by {exc}: the site was not changed.", file=sys.stderr)
        return 128 + exc.signum
    except OSError as exc:
        print(f"error: cannot build into {visible(str(site))}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _build(config: Path, site: Path, env: dict[str, str]) -> int:
    site.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(site)
    with _claimed_folder(site) as scratch:
        staging = scratch / "site"
        command = [
            sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
            "--config-file", str(config), "--site-dir", str(staging),
        ]
        if _run(command, env) != 0 or not (staging / "index.html").is_file():
            print("Build failed: the site was not changed.", file=sys.stderr)
            return 1
        mark_site(staging)
        with _locked(site.parent):
            # Checked again: the folder may have changed while the site was built.
            try:
                check_site_dir(site, config.parent)
            except SiteDirError as exc:
                print(f"error: {exc}", file=sys.stderr)
                print("Build stopped: nothing was changed.", file=sys.stderr)
                return 2
            _swap(staging, site, scratch)
    shown = visible(display_name(site, Path.cwd()))
    print(f"Site built in {shown}/")
    print(f"Open {shown}/index.html, or preview it with live reload: make serve")
    return 0


def _run(command: list[str], env: dict[str, str]) -> int:
    """Run mkdocs; on a signal here, stop it (SIGTERM, then SIGKILL) before going on."""
    process = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)
    try:
        return process.wait()
    except BaseException:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        raise


def _die_with_parent() -> None:
    """In the mkdocs process: be sent SIGTERM if this process dies, even by SIGKILL (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into an exception, so that cleanup runs."""

    def handler(signum: int, frame: object) -> None:
        raise _Interrupted(signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def _claimed_folder(site: Path) -> Iterator[Path]:
    """A new temporary folder beside ``site``, locked and marked as this build's while it runs."""
    scratch = Path(tempfile.mkdtemp(prefix=f".{site.name}-build-", dir=site.parent))
    try:
        handle = os.open(scratch, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            (scratch / CLAIM).write_text("a site build in progress\n", encoding="utf-8")
            yield scratch
        finally:
            os.close(handle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _remove_abandoned(site: Path) -> None:
    """Remove the temporary folders of builds that were killed outright (SIGKILL, power cut).

    Only folders named and claimed by a build, whose lock no running build holds.
    """
    for folder in site.parent.glob(f".{glob.escape(site.name)}-build-*"):
        if folder.is_symlink() or not (folder / CLAIM).is_file():
            continue
        try:
            handle = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a build is running there
        else:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (no file is created): one swap at a time."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _swap(staging: Path, site: Path, scratch: Path) -> None:
    """Replace ``site`` by ``staging`` with two renames on the same file system."""
    old = scratch / "previous"
    if site.exists():
        site.rename(old)
    staging.rename(site)
    if old.exists():
        shutil.rmtree(old)


def _last_commit_time(project: Path) -> str:
    """Seconds since the epoch of the last commit, so rebuilds are byte-identical."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=project, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return out if out.isdigit() else "0"
