"""What the build keeps in .cache/ saves work only: the site is the same with or without it."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest

from conftest import NO_PDFS, build_site
from macros.registry import json_schema
from macros.trial import text_cache


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_build_from_warm_caches_equals_one_from_none(tmp_path: Path) -> None:
    caches = tmp_path / "cache"
    cold = build_site(tmp_path / "cold", TRIAL_CACHE_DIR=str(caches), **NO_PDFS)
    assert cold.returncode == 0, cold.stderr
    kept = {folder.name: len(list(folder.iterdir())) for folder in caches.iterdir()}
    assert kept.keys() >= {"jinja", "jinja-theme", "schema", "exports"}
    assert all(count > 0 for count in kept.values()), kept
    warm = build_site(tmp_path / "warm", TRIAL_CACHE_DIR=str(caches), **NO_PDFS)
    assert warm.returncode == 0, warm.stderr
    assert _files(cold.site) == _files(warm.site)


def test_damaged_compiled_templates_are_compiled_again(tmp_path: Path) -> None:
    caches = tmp_path / "cache"
    first = build_site(tmp_path / "first", TRIAL_CACHE_DIR=str(caches), **NO_PDFS)
    assert first.returncode == 0, first.stderr
    for entry in [*(caches / "jinja").iterdir(), *(caches / "jinja-theme").iterdir()]:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])  # as if the disk filled up mid-write
    second = build_site(tmp_path / "second", TRIAL_CACHE_DIR=str(caches), **NO_PDFS)
    assert second.returncode == 0, second.stderr
    comparison = filecmp.dircmp(first.site, second.site)
    assert _files(first.site) == _files(second.site), comparison.diff_files


@pytest.fixture
def schema_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRIAL_CACHE_DIR", str(tmp_path))
    json_schema.schema_text.cache_clear()
    yield tmp_path / "schema"
    json_schema.schema_text.cache_clear()


def test_the_schema_is_kept_and_read_back(schema_cache: Path) -> None:
    fresh = json.dumps(json_schema.trial_schema(), indent=2, ensure_ascii=False) + "\n"
    assert json_schema.schema_text() == fresh
    (entry,) = schema_cache.iterdir()
    json_schema.schema_text.cache_clear()
    assert json_schema.schema_text() == fresh
    assert list(schema_cache.iterdir()) == [entry]


@pytest.mark.parametrize("damage", ["flipped", "truncated", "empty", "no digest"])
def test_a_damaged_schema_entry_is_generated_again_never_served(
    schema_cache: Path, damage: str
) -> None:
    fresh = json_schema.schema_text()
    (entry,) = schema_cache.iterdir()
    data = entry.read_bytes()
    damaged = {
        "flipped": data.replace(b'"type"', b'"tYpe"', 1),
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "no digest": data.split(b"\n", 1)[1],
    }[damage]
    assert damaged != data
    entry.write_bytes(damaged)
    json_schema.schema_text.cache_clear()
    assert json_schema.schema_text() == fresh
    assert entry.read_bytes() == data  # and the entry is whole again


def test_an_export_is_kept_under_its_inputs_and_remade_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAL_CACHE_DIR", str(tmp_path))
    made: list[str] = []

    def make(text: str):
        return lambda: made.append(text) or text

    key = text_cache.code_key(b"trial: 1", packages=("trial", "registry"))
    assert key != text_cache.code_key(b"trial: 2", packages=("trial", "registry"))
    assert text_cache.cached_text("exports", key, make("first")) == "first"
    assert text_cache.cached_text("exports", key, make("again")) == "first"
    assert made == ["first"]
    (entry,) = (tmp_path / "exports").iterdir()
    entry.write_bytes(entry.read_bytes()[:-2])
    assert text_cache.cached_text("exports", key, make("remade")) == "remade"
    assert made == ["first", "remade"]


def test_a_cache_folder_that_cannot_be_made_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    without = build_site(tmp_path / "without", TRIAL_CACHE_DIR=str(blocked), **NO_PDFS)
    assert without.returncode == 0, without.stderr
    assert "Traceback" not in without.stderr
    with_caches = build_site(tmp_path / "with", TRIAL_CACHE_DIR=str(tmp_path / "cache"), **NO_PDFS)
    assert with_caches.returncode == 0, with_caches.stderr
    assert _files(without.site) == _files(with_caches.site)
    assert blocked.read_text(encoding="utf-8") == "not a folder"
