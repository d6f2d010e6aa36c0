"""Reading the trial file's history with git, and choosing its versions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from history_repo import FILE, base_data, commit, dump, git, invalid_old_version, new_repo, three_versions
from macros.history.git import read_revisions
from macros.history.versions import History, collect, raw_protocol, read_history, slugs
from macros.site.loading import load_trial, validate_document


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return three_versions(tmp_path_factory.mktemp("history") / "repo")


def history_of(path: Path) -> History:
    return read_history(path, load_trial(path), validate_document, FILE)


def test_every_commit_that_changed_the_file_newest_first(repo: Path) -> None:
    revisions = read_revisions(repo / FILE)
    assert revisions.unavailable is None
    log = git(repo, "log", "--format=%H", "--", FILE).split()
    assert [r.commit for r in revisions.revisions] == log
    # the commit that touched only README is not there
    assert [r.date for r in revisions.revisions] == ["2024-09-16", "2024-06-04", "2024-06-02", "2024-01-11"]
    first = git(repo, "show", f"{log[-1]}:{FILE}")
    assert revisions.revisions[-1].text.decode("utf-8") == first


def test_each_version_is_taken_at_the_last_commit_that_carried_it(repo: Path) -> None:
    history = history_of(repo / FILE)
    assert [v.number for v in history.versions] == ["1.0", "2.0", "3.0"]
    v1, v2, v3 = history.versions
    fix = git(repo, "log", "--format=%H", "--grep", "fix a typo").strip()
    assert v2.commit == fix
    assert b"presure" not in v2.text and "≥ 140 mmHg".encode() in v2.text
    assert (v2.amendment, v2.approval_date, v2.date) == ("A1", "2024-05-20", "2024-06-01")
    assert v2.summary == "Raises the blood pressure threshold to 140 mmHg."
    assert v3.current and not v1.current and not v2.current
    assert v3.commit == git(repo, "rev-parse", "HEAD").strip()
    assert v1.fingerprint != v2.fingerprint == v3.fingerprint
    assert all(v.trial is not None and not v.problems for v in history.versions)
    assert history.unavailable is None and history.versioned


def test_a_version_without_a_date_is_dated_by_its_first_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    data = base_data()
    del data["protocol"]["date"]
    commit(repo, data, "1.0", "2024-02-03T23:30:00-05:00")
    commit(repo, {**data, "has_results": False}, "1.0 again", "2024-03-01T10:00:00+00:00")
    newer = {**data, "protocol": {"version": "1.1"}}
    commit(repo, newer, "1.1", "2024-04-01T10:00:00+00:00")
    history = history_of(repo / FILE)
    first, current = history.versions
    # the committer's own calendar day, as git records it
    assert (first.date, first.dated_by_commit) == ("2024-02-03", True)
    assert (current.date, current.dated_by_commit, current.title) == (
        "2024-04-01", True, "Protocol version 1.1 of 2024-04-01"
    )


def test_uncommitted_edits_make_the_working_file_the_current_version(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    data = yaml.safe_load((clone / FILE).read_text(encoding="utf-8"))
    data["protocol"] = {"version": "4.0-draft"}
    (clone / FILE).write_text(dump(data), encoding="utf-8")
    history = history_of(clone / FILE)
    assert [v.number for v in history.versions] == ["1.0", "2.0", "3.0", "4.0-draft"]
    assert history.current.commit is None and history.current.date is None
    assert history.versions[2].commit is not None and not history.versions[2].current


def test_a_version_number_that_comes_back_is_ordered_by_its_last_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    data = base_data()
    commit(repo, data, "1.0", "2024-01-01T10:00:00+00:00")
    commit(repo, {**data, "protocol": {"version": "2.0"}}, "2.0", "2024-02-01T10:00:00+00:00")
    again = {**data, "protocol": {"version": "1.0", "summary": "back"}}
    commit(repo, again, "1.0", "2024-03-01T10:00:00+00:00")
    commit(repo, {**data, "protocol": {"version": "3.0"}}, "3.0", "2024-04-01T10:00:00+00:00")
    history = history_of(repo / FILE)
    assert [v.number for v in history.versions] == ["2.0", "1.0", "3.0"]
    assert history.versions[1].summary == "back"


def test_a_file_outside_git_has_no_history(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text(dump(base_data()), encoding="utf-8")
    revisions = read_revisions(tmp_path / FILE)
    assert revisions.revisions == ()
    assert revisions.unavailable.startswith("this copy of the source has no git history")
    history = history_of(tmp_path / FILE)
    assert [v.number for v in history.versions] == ["1.0"] and history.unavailable


def test_a_shallow_clone_says_its_history_is_not_in_it(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.resolve().as_uri(), str(clone)],
        check=True, capture_output=True,
    )
    revisions = read_revisions(clone / FILE)
    assert revisions.revisions == ()
    assert "shallow clone" in revisions.unavailable
    assert [v.number for v in history_of(clone / FILE).versions] == ["3.0"]


def test_a_file_never_committed_has_no_history(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / FILE).write_text(dump(base_data()), encoding="utf-8")
    assert read_revisions(repo / FILE).unavailable == "the trial file has never been committed to git"


def test_without_git_the_build_still_has_the_current_version(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    assert shutil.which("git") is None
    revisions = read_revisions(repo / FILE)
    assert revisions.revisions == () and "git is not installed" in revisions.unavailable


def test_a_deleted_and_restored_file_skips_the_deletion(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, base_data(), "1.0", "2024-01-01T10:00:00+00:00")
    git(repo, "rm", "-q", FILE, when="2024-02-01T10:00:00+00:00")
    git(repo, "commit", "-q", "-m", "gone", when="2024-02-01T10:00:00+00:00")
    commit(repo, {**base_data(), "protocol": {"version": "2.0"}}, "2.0", "2024-03-01T10:00:00+00:00")
    revisions = read_revisions(repo / FILE)
    assert len(revisions.revisions) == 2 and revisions.unavailable is None


def test_a_trial_file_without_a_protocol_block_does_not_read_git(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    data = base_data()
    del data["protocol"]
    commit(repo, data, "record", "2024-01-01T10:00:00+00:00")
    history = history_of(repo / FILE)
    assert not history.versioned and len(history.versions) == 1
    assert history.current.title == "Registry record of 2026-01-15"
    assert history.current.number is None and history.current.slug == "current"


def test_an_old_version_that_fails_todays_model_keeps_its_text_and_problems(tmp_path: Path) -> None:
    repo = invalid_old_version(tmp_path / "repo")
    old, current = history_of(repo / FILE).versions
    assert old.trial is None and old.fingerprint is None
    assert [(p.path, p.message.split(";")[0]) for p in old.problems] == [
        ("status.recruitment", "unknown key 'recruitment'")
    ]
    line = next(i for i, t in enumerate(old.text.decode().splitlines(), 1) if "recruitment:" in t)
    assert [p.line for p in old.problems if p.path == "status.recruitment"] == [line]
    assert (old.number, old.date, old.summary) == ("1.0", "2024-01-10", "First version of the protocol.")
    assert current.trial is not None


def test_versions_read_from_raw_yaml_keep_their_exact_spelling() -> None:
    assert raw_protocol(b"protocol:\n  version: 1.10\n  date: 2024-01\n") == {
        "version": "1.10", "date": "2024-01"
    }
    assert raw_protocol(b"protocol: [1]\n") is None
    assert raw_protocol(b"a: [unclosed\n") is None
    assert raw_protocol(b"\xff\xfe") is None
    assert raw_protocol(b"status: {}\n") is None


def test_version_folders_are_safe_and_distinct() -> None:
    assert slugs(["1.0", "2.0 final", "../../etc", "2.0/final", "", "index.json", None]) == [
        "1.0", "2.0-final", "etc", "2.0-final-2", "version", "index.json-2", "current",
    ]
    hostile = '2.0 "</style><script>window.__pwned = 4</script>\\'
    assert slugs([hostile]) == ["2.0-style-script-window.__pwned-4-script"]


def test_collect_without_revisions_is_the_current_version_alone() -> None:
    from macros.history.git import Revisions

    trial = load_trial(Path(__file__).parents[1] / "data" / "hostile_trial.yaml")
    history = collect(trial, b"text", Revisions((), "no history here"), validate_document, FILE)
    assert len(history.versions) == 1 and history.unavailable == "no history here"
    assert history.current.title == trial.protocol.title
