"""``mkdocs serve`` with broken data or a broken page keeps serving the last good build.

It used to hold every request while the trial file was broken, print
tracebacks, and end (exit 100) on a macro error in a page. The server runs
on a copy of the project, edited as a person would while previewing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

STILL_SERVING = "Rebuild failed: still serving the last good build."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode("utf-8")


def _wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except OSError:
            pass  # the server is not up yet
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Server:
    def __init__(self, project: Path, temp: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = project.parent / "serve.log"
        self.stream = self.log.open("w", encoding="utf-8")
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", TRIAL_CHROMIUM="/nonexistent/chromium",
                   CI="", TMPDIR=str(temp))
        env.pop("TRIAL_DATA", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{self.port}"],
            cwd=project, env=env, stdout=self.stream, stderr=subprocess.STDOUT,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def page(self, path: str = "") -> str:
        status, body = _get(self.url + path)
        assert status == 200
        return body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stream.close()


@pytest.fixture
def served(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("docs", "overrides", "data"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "macros").symlink_to(ROOT / "macros")
    temp = tmp_path / "tmp"
    temp.mkdir()
    server = Server(project, temp)
    try:
        _wait_for(lambda: "NCT05660785" in server.page(), "the first build")
        yield project, server, temp
    finally:
        server.stop()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serve_keeps_the_last_good_build_through_bad_data_and_bad_pages(served) -> None:
    project, server, temp = served
    trial = project / "data" / "trial.yaml"
    title = "Herombopag Added to Cyclosporine in Non Severe Aplastic Anemia"
    assert title in server.page()

    # A broken trial file: the problem is logged with its line, the site stays.
    good = trial.read_text(encoding="utf-8")
    trial.write_text(good + "bomb: &a [*a]\n", encoding="utf-8")
    _wait_for(lambda: server.text().count(STILL_SERVING) == 1, "the failed rebuild")
    assert title in server.page("eligibility/")
    log = server.text()
    lines = len(good.splitlines())
    assert f"data/trial.yaml:{lines + 1}:7: (top level): an anchor (&a)" in log
    assert "Traceback" not in log

    # Fixed: the next save rebuilds.
    trial.write_text(good.replace(title, "Renamed QZX study", 1), encoding="utf-8")
    _wait_for(lambda: "Renamed QZX study" in server.page(), "the fixed site")

    # A macro error in a page no longer ends the server.
    page = project / "docs" / "index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n{{ no_such_macro() }}\n", encoding="utf-8")
    _wait_for(lambda: server.text().count(STILL_SERVING) == 2, "the failed page rebuild")
    assert server.process.poll() is None
    assert "A page macro failed (exit status 100)" in server.text()
    assert "Renamed QZX study" in server.page()
    assert "Renamed QZX study" in server.page("sites/")

    page.write_text(original, encoding="utf-8")
    _edit(trial, "Renamed QZX study", "Renamed QZY study")
    _wait_for(lambda: "Renamed QZY study" in server.page(), "the recovered site")

    # SIGTERM stops the server as Ctrl-C does: its temporary site folder goes too.
    assert list(temp.glob("mkdocs_*"))
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=60)
    assert not list(temp.glob("mkdocs_*"))
