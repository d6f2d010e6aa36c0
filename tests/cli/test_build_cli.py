"""``python -m macros build``: it replaces only a site it made, and cleans up after itself.

``--site-dir .`` used to delete the project, ``--site-dir data`` the trial
file. Every refusal here is tried in a copy of the project, so that a
regression cannot harm the repository itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from macros.site.site_dir import MARKER

NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project (the code is linked, not copied), inside a folder of its own."""
    copy = tmp_path / "holder" / "project"
    copy.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "overrides", "data"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            shutil.copy2(source, copy / name)
    (copy / "macros").symlink_to(ROOT / "macros")
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "holder" / "precious.txt").write_text("keep me\n", encoding="utf-8")
    return copy


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) with its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(folder))] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ, NO_MKDOCS_2_WARNING="1", **NO_PDFS)
    out.pop("TRIAL_DATA", None)
    out.update(extra)
    return out


def build(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", "build", *args],
        cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=300, check=False,
    )


# --- folders a build must never replace ----------------------------------------------


@pytest.mark.parametrize(
    ("site_dir", "message"),
    [
        (".", "it is the project folder"),
        ("..", "it contains the project"),
        ("../..", "it contains the project"),
        ("data", "it is the project's source folder data/"),
        ("docs", "it is the project's source folder docs/"),
        ("docs/site", "it lies inside the project's source folder docs/"),
        ("macros", "it is the project's source folder macros/"),
        ("overrides", "it is the project's source folder overrides/"),
        (".git", "it is the project's source folder .git/"),
        (".git/site", "it lies inside the project's source folder .git/"),
    ],
)
def test_the_project_and_its_sources_are_refused_before_anything_is_touched(
    project: Path, site_dir: str, message: str
) -> None:
    holder = project.parent
    before = snapshot(holder)
    result = build(project, "--site-dir", site_dir)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot build the site into ")
    assert message in result.stderr
    assert result.stderr.endswith("Build stopped: nothing was changed.\n")
    assert "Traceback" not in result.stderr
    assert snapshot(holder) == before


def test_a_folder_holding_the_trial_file_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(project / "data" / "trial.yaml", elsewhere / "trial.yaml")
    result = build(project, "--site-dir", str(elsewhere), TRIAL_DATA=str(elsewhere / "trial.yaml"))
    assert result.returncode == 2
    assert "it contains the trial file" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["trial.yaml"]


def test_a_folder_no_build_made_is_refused(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    result = build(project, "--site-dir", str(folder))
    assert result.returncode == 2
    assert f"is not empty and was not made by a build (it has no {MARKER} file)" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "holder"]


def test_a_file_is_refused(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("notes\n", encoding="utf-8")
    result = build(project, "--site-dir", str(target))
    assert result.returncode == 2
    assert "it is a file, not a folder" in result.stderr
    assert target.read_text(encoding="utf-8") == "notes\n"


def test_mkdocs_build_itself_refuses_a_source_folder(project: Path) -> None:
    before = snapshot(project)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", "data"],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode != 0
    assert "cannot build the site into data: it is the project's source folder data/" in result.stderr
    assert snapshot(project) == before


# --- folders a build may replace ----------------------------------------------------


def test_a_new_an_empty_and_a_built_folder_are_built_into_and_marked(project: Path, tmp_path: Path) -> None:
    new = tmp_path / "new" / "site"
    first = build(project, "--site-dir", str(new))
    assert first.returncode == 0, first.stderr
    assert (new / MARKER).is_file() and (new / "index.html").is_file()
    (new / "stale.html").write_text("old\n", encoding="utf-8")
    again = build(project, "--site-dir", str(new))
    assert again.returncode == 0, again.stderr
    assert not (new / "stale.html").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(project, "--site-dir", str(empty)).returncode == 0
    assert (empty / MARKER).is_file()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["site"]


def test_the_marker_says_what_the_folder_is() -> None:
    from macros.site.site_dir import MARKER_TEXT

    assert "replaces everything in it" in MARKER_TEXT


def test_two_builds_into_the_same_folder_at_once_both_succeed(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    command = [sys.executable, "-m", "macros", "build", "--site-dir", str(site)]
    runs = [
        subprocess.Popen(command, cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(3)
    ]
    results = [(run.wait(timeout=300), run.communicate()) for run in runs]
    for code, (_, err) in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert (site / "index.html").is_file() and (site / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holder", "site"]


# --- signals ----------------------------------------------------------------------


def _slow_chromium(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for Chromium that records its process id, then hangs."""
    script = tmp_path / "slow-chromium"
    pid_file = tmp_path / "chromium.pid"
    script.write_text(f'#!/bin/sh\necho $$ > "{pid_file}"\nexec sleep 300\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, pid_file


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _start_printing_build(project: Path, tmp_path: Path, site: Path) -> tuple[subprocess.Popen, int, Path]:
    browser, pid_file = _slow_chromium(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "macros", "build", "--site-dir", str(site)],
        cwd=project, env=env(TRIAL_CHROMIUM=str(browser), TMPDIR=str(temp)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    _wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip(), 240, "the PDF printing")
    return process, int(pid_file.read_text()), temp


def _previous_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / MARKER).write_text("built\n", encoding="utf-8")
    (site / "index.html").write_text("last good site\n", encoding="utf-8")
    return site


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_stops_the_build_and_leaves_nothing_behind(project: Path, tmp_path: Path, signum) -> None:
    site = _previous_site(tmp_path)
    process, chromium, temp = _start_printing_build(project, tmp_path, site)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signum
    name = signal.Signals(signum).name
    assert f"Build stopped by {name}: the site was not changed." in err
    assert "Traceback" not in err
    _wait_for(lambda: not _alive(chromium), 30, "the browser to stop")
    assert (site / "index.html").read_text(encoding="utf-8") == "last good site\n"
    assert not list(tmp_path.glob(".site-build-*"))
    assert not list(temp.glob("trial-chromium-*"))


def test_a_killed_build_takes_mkdocs_with_it_and_the_next_build_cleans_up(
    project: Path, tmp_path: Path
) -> None:
    site = _previous_site(tmp_path)
    process, chromium, temp = _start_printing_build(project, tmp_path, site)
    process.kill()
    process.communicate(timeout=60)
    # The mkdocs process learns that its parent died, stops the browser and removes its profile.
    _wait_for(lambda: not _alive(chromium), 60, "the browser to stop")
    _wait_for(lambda: not list(temp.glob("trial-chromium-*")), 60, "the browser profile to go")
    assert (site / "index.html").read_text(encoding="utf-8") == "last good site\n"
    assert len(list(tmp_path.glob(".site-build-*"))) == 1  # SIGKILL leaves no chance to clean up
    again = build(project, "--site-dir", str(site))
    assert again.returncode == 0, again.stderr
    assert not list(tmp_path.glob(".site-build-*"))
    assert "NCT05660785" in (site / "index.html").read_text(encoding="utf-8")


def test_a_running_builds_folder_is_not_taken_for_an_abandoned_one(project: Path, tmp_path: Path) -> None:
    import fcntl

    from macros.cli.build import CLAIM

    running = tmp_path / ".site-build-running"
    running.mkdir()
    (running / CLAIM).write_text("busy\n", encoding="utf-8")
    unclaimed = tmp_path / ".site-build-someone-elses"
    unclaimed.mkdir()
    handle = os.open(running, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = build(project, "--site-dir", str(tmp_path / "site"))
        assert result.returncode == 0, result.stderr
        assert running.is_dir() and unclaimed.is_dir()
    finally:
        os.close(handle)
