"""A build reads and parses the trial file once, and writes everything from that one reading.

The site is built in this process with mkdocs' own build function, so that
``source.parse`` and every opening of the trial file can be counted. Two
builds in a row with the file changed in between are what ``mkdocs serve``
does on each change.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import NO_PDFS, ROOT
from history_repo import FILE, three_versions
from macros.trial import source


class Reads:
    """What one build parsed, and how often it opened the trial file."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, trial: Path) -> None:
        self.trial = trial.resolve()
        self.parsed: list[str] = []
        self.opened = 0
        parse = source.parse

        def counted_parse(text: str, file: str) -> source.Document:
            self.parsed.append(text)
            return parse(text, file)

        monkeypatch.setattr(source, "parse", counted_parse)
        for module in (builtins, io):
            monkeypatch.setattr(module, "open", self._counted(module.open))

    def _counted(self, open_: Callable[..., Any]) -> Callable[..., Any]:
        def counted_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == self.trial:
                self.opened += 1
            return open_(file, *args, **kwargs)

        return counted_open

    def reset(self) -> None:
        self.parsed.clear()
        self.opened = 0


def build_site(site: Path, trial: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name, value in {
        **NO_PDFS, "TRIAL_DATA": str(trial), "SOURCE_DATE_EPOCH": "1700000000",
        "NO_MKDOCS_2_WARNING": "1",
    }.items():
        monkeypatch.setenv(name, value)
    build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site)))


def test_each_build_parses_the_trial_file_once_and_serves_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trial = tmp_path / "trial.yaml"
    shutil.copyfile(ROOT / "data" / "trial.yaml", trial)
    reads = Reads(monkeypatch, trial)
    for round_ in range(2):
        text = trial.read_text(encoding="utf-8")
        reads.reset()
        site = tmp_path / f"site{round_}"
        build_site(site, trial, monkeypatch)
        assert reads.parsed == [text]
        assert reads.opened == 1
        # the download and the archive's current version are the text that was parsed
        assert (site / "downloads" / "trial.yaml").read_text(encoding="utf-8") == text
        [archived] = (site / "versions").glob("*/trial.yaml")
        assert archived.read_text(encoding="utf-8") == text
        # as under mkdocs serve: the file changes, the next build reads it anew
        trial.write_text(text + f"# edited {round_ + 1}\n", encoding="utf-8")


def test_earlier_versions_from_git_are_parsed_once_each_and_the_working_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = three_versions(tmp_path / "repo")
    trial = repo / FILE
    text = trial.read_text(encoding="utf-8")
    reads = Reads(monkeypatch, trial)
    build_site(tmp_path / "site", trial, monkeypatch)
    assert reads.opened == 1
    assert reads.parsed[0] == text
    # versions 1.0 and 2.0, as git holds them: other texts, each parsed once
    assert len(reads.parsed) == 3
    assert len(set(reads.parsed)) == 3
