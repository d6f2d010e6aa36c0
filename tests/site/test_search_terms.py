"""The search index's field of hyphenated words."""

from __future__ import annotations

import json

from macros.site.search_terms import FIELD, hyphenated_parts, with_hyphenated_field, write_search_terms


def test_the_parts_of_hyphenated_words_are_listed() -> None:
    assert hyphenated_parts("Treatment with TPO-RA within 1 week") == "TPO RA"
    assert hyphenated_parts("<li>SARS-CoV-2 and non-small cell</li>") == "SARS CoV 2 non small"
    assert hyphenated_parts("Ferritin &gt; 1000, anti-HCV&lt;1") == "anti HCV"


def test_dates_plain_words_and_loose_hyphens_are_not_hyphenated_words() -> None:
    assert hyphenated_parts("2025-01-28, 12 - 24 years, -5, x-, plain words") == ""


def test_the_field_weighs_as_the_title_and_sits_on_entries_that_need_it() -> None:
    index = {
        "config": {"fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}},
        "docs": [
            {"location": "a/", "title": "A", "text": "<p>uses TPO-RA</p>"},
            {"location": "b/", "title": "Error rates", "text": "no such word"},
            {"location": "c/", "title": "Two-stage design", "text": ""},
        ],
    }
    out = with_hyphenated_field(index)
    assert out["config"]["fields"][FIELD] == {"boost": 1000.0}
    assert [doc.get(FIELD) for doc in out["docs"]] == ["TPO RA", None, "Two stage"]


def test_the_written_index_keeps_materials_form(tmp_path) -> None:
    (tmp_path / "search").mkdir()
    path = tmp_path / "search" / "search_index.json"
    index = {
        "config": {"fields": {"title": {"boost": 1000.0}}},
        "docs": [{"location": "", "title": "x", "text": "a-b"}],
    }
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    write_search_terms(None, tmp_path, None)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["docs"][0][FIELD] == "a b"
    assert ", " not in text and ": " not in text
    assert [p.name for p in (tmp_path / "search").iterdir()] == ["search_index.json"]


def test_a_site_without_search_is_left_alone(tmp_path) -> None:
    write_search_terms(None, tmp_path, None)
    assert list(tmp_path.iterdir()) == []
