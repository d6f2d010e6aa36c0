"""The built search index: every word a reader sees can be found, hyphenated words rank.

The index is read as Material's search worker reads it (:mod:`search_words`);
tests/test_site_browser.py types the same words into the search box.
"""

from __future__ import annotations

import pytest

from conftest import Build
from search_words import load_index, page_entries, tokens, unfindable_words

# Words that start a table cell, and the page whose table holds them.
CELL_STARTS = [
    ("Tangshan", "sites/"),
    ("Zhoukou", "sites/"),
    ("Hebei", "sites/"),
    ("Tianjin", "sites/"),
    ("Experimental", "arms/"),
    ("IIT2022049", "sponsors/"),
]


def test_every_word_on_every_page_can_be_found(built_site: Build) -> None:
    assert unfindable_words(built_site.site) == {}


@pytest.mark.parametrize(("word", "url"), CELL_STARTS)
def test_a_word_that_starts_a_table_cell_is_a_word_of_its_page(built_site: Build, word, url) -> None:
    index = load_index(built_site.site)
    separator = index["config"]["separator"]
    holding = [
        doc["location"] for doc in index["docs"] if word.lower() in tokens(doc["text"], separator)
    ]
    assert holding and all(location.startswith(url) for location in holding), holding


def test_table_cells_are_apart_in_the_snippets(built_site: Build) -> None:
    index = load_index(built_site.site)
    (sites,) = page_entries(index, "sites/")
    assert "1 Tangshan Central Hospital Tangshan Hebei China 2 Zhoukou" in sites["text"]
    (identifiers,) = [d for d in index["docs"] if d["location"] == "sponsors/#identifiers"]
    assert "ClinicalTrials.gov registry number IIT2022049 Organisation's study id" in identifiers["text"]


def test_hyphenated_words_weigh_as_much_as_headings(built_site: Build) -> None:
    index = load_index(built_site.site)
    fields = index["config"]["fields"]
    assert fields["hyphenated"]["boost"] == fields["title"]["boost"]
    (exclusion,) = [d for d in index["docs"] if d["location"] == "eligibility/#exclusion-criteria"]
    assert "TPO RA" in exclusion["hyphenated"]
    # Sections without a hyphenated word carry no such field.
    (design,) = [d for d in index["docs"] if d["location"] == "design/#error-rates-and-expected-size"]
    assert "TPO" not in design.get("hyphenated", "")


def test_words_are_split_at_punctuation_and_entities(built_site: Build) -> None:
    separator = load_index(built_site.site)["config"]["separator"]
    assert tokens("anemia (NSAA). &lt;50 x 10^9/L, ≥16 and 1.5 ULN", separator) == {
        "anemia", "nsaa", "50", "x", "10", "9", "l", "16", "and", "1.5", "uln",
    }
