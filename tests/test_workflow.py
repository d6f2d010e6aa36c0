"""The GitHub Pages workflow: it parses, runs the project's own commands, and never
deploys a site that did not pass.

actionlint checks it too when an ``actionlint`` executable is installed (the
virtual environment's or one on PATH); otherwise that one test is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
MAKE = re.compile(r"^\s*make\s+([a-z][\w-]*)\s*$", re.M)


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def runs(workflow: dict, job: str) -> list[str]:
    return [step["run"] for step in steps(workflow, job) if "run" in step]


def make_targets(text: str) -> list[str]:
    return MAKE.findall(text)


def test_triggers_and_paths(workflow) -> None:
    on = workflow["on"]
    assert "pull_request" in on and not (on["pull_request"] or {}).get("paths")
    assert on["push"]["branches"] == ["main"]
    assert sorted(on["push"]["paths"]) == sorted(
        ["data/**", "docs/**", "macros/**", "overrides/**", "mkdocs.yml"]
    )


def test_the_build_runs_the_projects_own_commands(workflow) -> None:
    targets = [t for run in runs(workflow, "build") for t in make_targets(run)]
    assert targets == ["test", "site"]
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert set(make_targets(ci_run)) <= set(targets)


def test_the_readme_documents_the_same_commands() -> None:
    readme = ROOT / "README.md"
    if not readme.is_file():
        pytest.skip("no README.md yet")
    text = readme.read_text(encoding="utf-8")
    for command in ("make test", "make site"):
        assert command in text


def test_chromium_pip_cache_and_source_date_epoch(workflow) -> None:
    build = workflow["jobs"]["build"]
    assert build["container"]["image"].startswith("python:3.11-")
    everything = "\n".join(runs(workflow, "build"))
    assert re.search(r"apt-get install .*\\\n\s*chromium poppler-utils", everything)
    assert "git log -1 --format=%ct" in everything
    assert 'SOURCE_DATE_EPOCH=$epoch" >> "$GITHUB_ENV"' in everything
    cache = next(s for s in steps(workflow, "build") if s.get("uses", "").startswith("actions/cache@"))
    assert "hashFiles('requirements*.txt')" in cache["with"]["key"]
    assert cache["with"]["path"] == "~/.cache/pip"
    # The environment is set up before the commands run.
    names = [s.get("run", s.get("uses", "")) for s in steps(workflow, "build")]
    first_make = next(i for i, n in enumerate(names) if make_targets(n))
    assert all(i < first_make for i, n in enumerate(names) if "apt-get" in n or "%ct" in n)


def test_the_printed_checklist_pdfs_are_kept_between_runs(workflow) -> None:
    caches = [s for s in steps(workflow, "build") if s.get("uses", "").startswith("actions/cache@")]
    kept = next(s for s in caches if s["with"]["path"] in (".cache", ".cache/checklist-pdf"))
    # Saved under a new key by each run, restored from the newest earlier one.
    assert "github.sha" in kept["with"]["key"]
    assert kept["with"]["restore-keys"].strip()


def test_the_checkout_has_the_whole_history_and_git_trusts_it(workflow) -> None:
    # The Changes page and the archive of versions come from earlier commits;
    # a shallow checkout would publish a site that knows only the current one.
    checkout = next(s for s in steps(workflow, "build") if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    names = [s.get("run", "") for s in steps(workflow, "build")]
    safe = next(i for i, n in enumerate(names) if "safe.directory" in n)
    assert all(safe < i for i, n in enumerate(names) if make_targets(n))


def test_deploy_needs_a_good_build_and_uses_the_pages_actions(workflow) -> None:
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "github.event_name != 'pull_request'" in deploy["if"]
    assert "refs/heads/main" in deploy["if"]
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    assert upload["if"] == "github.event_name != 'pull_request'"
    assert build["steps"][-1] is upload  # after every check
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"
    # No step may fail quietly.
    for job in workflow["jobs"].values():
        assert not job.get("continue-on-error")
        for step in job.get("steps", []):
            assert not step.get("continue-on-error"), step


def test_the_site_is_built_for_the_address_pages_serves_it_at(workflow) -> None:
    build = steps(workflow, "build")
    pages = next(s for s in build if s.get("uses", "").startswith("actions/configure-pages@"))
    site = next(s for s in build if "make site" in s.get("run", ""))
    assert site["env"]["SITE_URL"] == "${{ steps." + pages["id"] + ".outputs.base_url }}"
    assert build.index(pages) < build.index(site)
    # Only deployed builds need the address; pull requests build without it.
    assert pages["if"] == "github.event_name != 'pull_request'"
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}


def test_permissions_and_concurrency(workflow) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert "group" in workflow["concurrency"]


def _actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_actionlint_finds_nothing() -> None:
    actionlint = _actionlint()
    if actionlint is None:
        import os
        import platform

        # requirements-dev.txt installs it wherever a wheel exists (x86_64)
        if os.environ.get("CI") == "true" and platform.machine() == "x86_64":
            pytest.fail("actionlint should be installed from requirements-dev.txt")
        pytest.skip("actionlint is not installed (see requirements-dev.txt)")
    result = subprocess.run(
        [actionlint, "-no-color", str(WORKFLOW.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
