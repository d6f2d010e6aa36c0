"""``python -m macros build [--site-dir DIR]``: validate, build, then swap in.

The site is built into a temporary directory beside ``DIR`` and replaces it
only when the whole build succeeded, so a failed build never leaves a
half-written site and never removes the last good one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from macros.site.loading import load_trial
from macros.trial.errors import TrialDataError
from macros.trial.paths import display_name, trial_path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


def main(argv: list[str]) -> int:
    parser = _Parser(prog="python -m macros build", description=__doc__)
    parser.add_argument("--site-dir", default="site", help="where the site goes (default: site)")
    parser.add_argument("--config", default="mkdocs.yml", help="mkdocs configuration file")
    args = parser.parse_args(argv)

    project = Path(args.config).resolve().parent
    path = trial_path(project)
    try:
        load_trial(path, display_name(path, project))
    except TrialDataError as exc:
        print(exc, file=sys.stderr)
        print("Build stopped: the site was not changed.", file=sys.stderr)
        return 1

    site = Path(args.site_dir).resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", _last_commit_time(project))
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    with tempfile.TemporaryDirectory(prefix=f".{site.name}-build-", dir=site.parent) as tmp:
        staging = Path(tmp) / "site"
        command = [
            sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
            "--config-file", str(Path(args.config).resolve()), "--site-dir", str(staging),
        ]
        result = subprocess.run(command, env=env, check=False)
        if result.returncode != 0 or not (staging / "index.html").is_file():
            print("Build failed: the site was not changed.", file=sys.stderr)
            return 1
        _swap(staging, site, Path(tmp))
    shown = display_name(site, Path.cwd())
    print(f"Site built in {shown}/")
    print(f"Open {shown}/index.html, or preview it with live reload: make serve")
    return 0


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
