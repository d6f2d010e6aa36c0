"""Shared fixtures: the repository root and whole-site builds in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


@dataclass
class Build:
    site: Path
    returncode: int
    stdout: str
    stderr: str

    def page(self, name: str) -> str:
        """HTML of a page by its source name: 'eligibility' -> eligibility/index.html."""
        path = self.site / ("index.html" if name == "index" else f"{name}/index.html")
        return path.read_text(encoding="utf-8")


def build_site(site: Path, trial: Path | None = None, **env_overrides: str) -> Build:
    """Run ``mkdocs build --strict`` as a user would, in a fresh process."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1700000000")
    env.pop("TRIAL_DATA", None)
    if trial is not None:
        env["TRIAL_DATA"] = str(trial)
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    return Build(site, result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="session", autouse=True)
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The checklist PDF cache of every build in the tests: a folder of the test session's,
    so that the project's own .cache is neither read nor filled by them."""
    folder = tmp_path_factory.mktemp("pdf-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRIAL_PDF_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The site of data/trial.yaml, built once per test session."""
    build = build_site(tmp_path_factory.mktemp("site") / "site")
    assert build.returncode == 0, build.stderr
    return build


# Every page of the site, as URLs relative to its root: one per docs/*.md.
PAGES = sorted(
    "" if page.stem == "index" else f"{page.stem}/" for page in (ROOT / "docs").glob("*.md")
)

# Real ClinicalTrials.gov records (see tests/data/ctgov/SOURCES.md).
CTGOV_RECORDS = sorted((TESTS / "data" / "ctgov").glob("NCT*.json"))
# Builds of imported records test their pages, not the checklist PDFs.
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


@pytest.fixture(scope="session", params=CTGOV_RECORDS, ids=lambda p: p.stem)
def imported_record_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, subprocess.CompletedProcess, Build]:
    """Each real record imported with ``python -m macros import-ctgov``, then built:
    (record, trial file, the import's result, the build)."""
    record = request.param
    folder = tmp_path_factory.mktemp(record.stem)
    trial_file = folder / "trial.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", str(record), "-o", str(trial_file)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    build = build_site(folder / "site", trial=trial_file, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return record, trial_file, result, build

