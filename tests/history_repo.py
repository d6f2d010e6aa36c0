"""Temporary git repositories holding a trial file in several protocol versions.

Made from tests/data/second_trial.yaml (a made-up trial) with a ``protocol``
block and a computable rule added. Commits carry fixed author and committer
dates, so the history, and everything built from it, is the same on every run.
"""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from conftest import TESTS

BASE = TESTS / "data" / "second_trial.yaml"
FILE = "trial.yaml"


def git(repo: Path, *args: str, when: str = "2024-01-01T12:00:00+00:00") -> str:
    """Run git in ``repo`` with a fixed identity and date; return its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Trial Team", "GIT_AUTHOR_EMAIL": "trial@example.org",
        "GIT_COMMITTER_NAME": "Trial Team", "GIT_COMMITTER_EMAIL": "trial@example.org",
        "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
        capture_output=True, text=True, check=True,
    )
    return result.stdout


def base_data() -> dict[str, Any]:
    """Version 1.0: the second trial with a protocol block and a rule on IN-2."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    data["protocol"] = {
        "version": "1.0",
        "date": "2024-01-10",
        "summary": "First version of the protocol.",
    }
    data["eligibility"]["inclusion"][1]["rule"] = {
        "all": [
            {"variable": "systolic_bp", "operator": ">=", "threshold": 130, "unit": "mmHg"},
            {"variable": "systolic_bp", "operator": "<", "threshold": 160, "unit": "mmHg"},
        ]
    }
    return data


def dump(data: dict[str, Any]) -> str:
    # Dates stay strings in the dump, as the registry writes them.
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def commit(repo: Path, data: dict[str, Any] | str, message: str, when: str) -> None:
    text = data if isinstance(data, str) else dump(data)
    (repo / FILE).write_text(text, encoding="utf-8")
    git(repo, "add", FILE, when=when)
    git(repo, "commit", "-q", "-m", message, when=when)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    return path


def edit(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    change(out)
    return out


def three_versions(path: Path) -> Path:
    """1.0; 2.0 rewords IN-2 with its threshold; 3.0 adds a site and stops recruiting.

    Version 2.0 takes two commits (a slip, then its fix): the archive must hold
    the second. A commit that only touches another file sits in between.
    """
    repo = new_repo(path)
    v1 = base_data()
    commit(repo, v1, "Protocol 1.0", "2024-01-11T09:00:00+00:00")

    def reword(data: dict[str, Any]) -> None:
        data["protocol"] = {
            "version": "2.0", "date": "2024-06-01", "amendment": "A1",
            "approval_date": "2024-05-20",
            "summary": "Raises the blood pressure threshold to 140 mmHg.",
        }
        criterion = data["eligibility"]["inclusion"][1]
        criterion["text"] = "Resting systolic blood pressure ≥ 140 mmHg & < 160 mmHg"
        criterion["rule"]["all"][0]["threshold"] = 140

    slip = edit(v1, reword)
    slip["eligibility"]["inclusion"][1]["text"] = "Resting systolic blood presure ≥ 140 mmHg & < 160 mmHg"
    commit(repo, slip, "Protocol 2.0", "2024-06-02T09:00:00+00:00")
    (repo / "README").write_text("notes\n", encoding="utf-8")
    git(repo, "add", "README", when="2024-06-03T09:00:00+00:00")
    git(repo, "commit", "-q", "-m", "Notes", when="2024-06-03T09:00:00+00:00")
    v2 = edit(v1, reword)
    commit(repo, v2, "Protocol 2.0: fix a typo", "2024-06-04T09:00:00+00:00")

    def add_site_and_stop(data: dict[str, Any]) -> None:
        data["protocol"] = {"version": "3.0", "date": "2024-09-15"}
        data["status"]["overall_status"] = "ACTIVE_NOT_RECRUITING"
        data["contacts_locations"]["locations"].append(
            {"facility": "Example Clinic West", "city": "Lisbon", "country": "Portugal"}
        )

    commit(repo, edit(v2, add_site_and_stop), "Protocol 3.0", "2024-09-16T09:00:00+00:00")
    return repo


def invalid_old_version(path: Path) -> Path:
    """1.0 uses a key today's model does not know; 2.0 is valid."""
    repo = new_repo(path)
    v1 = base_data()
    v1["status"]["recruitment"] = "open"
    commit(repo, v1, "Protocol 1.0", "2024-01-11T09:00:00+00:00")
    v2 = base_data()
    v2["protocol"] = {"version": "2.0", "date": "2024-06-01"}
    commit(repo, v2, "Protocol 2.0", "2024-06-02T09:00:00+00:00")
    return repo
