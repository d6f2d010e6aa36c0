"""Real registry records, imported and built: read as a reader, searched, on a phone.

Every record in tests/data/ctgov is imported with the command line and built
(the ``imported_record_site`` fixture). tests/registry/test_ctgov_import.py
checks the import itself; these tests read the built pages.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from browser import PHONE, launch, require_chromium, search_results, serve, sideways_scroll
from conftest import CTGOV_RECORDS, PAGES, Build
from macros.registry.ctgov_eligibility import heading_kind
from macros.registry.ctgov_mapping import unescape
from printing import print_faults
from search_words import unfindable_words

# A list marker as the registry writes them: "* ", "- ", "+ ", "1. ", "1) ".
_MARKER = re.compile(r"^\s*(?:[*+-]|\d{1,3}[.)])\s+")
# What a reader must never see: a backslash escape of the registry's markdown.
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")


def article_text(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.page(page or "index"), "html.parser")
    article = soup.select_one("article")
    for element in article.select(".headerlink"):
        element.decompose()
    return " ".join(article.get_text(" ").split())


def registry_lines(record, *, items_only: bool = False) -> list[str]:
    """The lines of the record's eligibility text as a reader reads them (with
    ``items_only``, only the lines that start a list item: the criteria)."""
    module = json.loads(record.read_text(encoding="utf-8"))["protocolSection"]
    text = module.get("eligibilityModule", {}).get("eligibilityCriteria", "")
    lines = []
    for line in text.splitlines():
        if not line.strip() or heading_kind(_MARKER.sub("", line)) is not None:
            continue
        if items_only and not _MARKER.match(line):
            continue
        lines.append(" ".join(unescape(_MARKER.sub("", line)).split()))
    return lines


def test_every_line_of_the_eligibility_text_reads_on_the_eligibility_page(imported_record_site) -> None:
    record, _, _, build = imported_record_site
    page = article_text(build, "eligibility")
    lines = registry_lines(record)
    assert lines
    for line in lines:
        assert line in page, line


def test_the_checklist_holds_every_criterion_too(imported_record_site) -> None:
    record, _, _, build = imported_record_site
    page = html.unescape(article_text(build, "checklist"))
    for line in registry_lines(record, items_only=True):
        assert line in page, line


@pytest.mark.parametrize("page", [p for p in PAGES if p != "data/"])
def test_no_markdown_escape_reaches_a_page(imported_record_site, page: str) -> None:
    _, _, _, build = imported_record_site
    found = _ESCAPE.findall(article_text(build, page))
    assert found == [], page


def test_every_word_on_every_page_can_be_found(imported_record_site) -> None:
    _, _, _, build = imported_record_site
    assert unfindable_words(build.site) == {}


def test_what_the_record_does_not_state_is_said_so(imported_record_site) -> None:
    record, _, _, build = imported_record_site
    eligibility = json.loads(record.read_text(encoding="utf-8"))["protocolSection"]["eligibilityModule"]
    page = article_text(build, "eligibility")
    if "healthyVolunteers" in eligibility:
        expected = "Accepted" if eligibility["healthyVolunteers"] else "Not accepted"
        assert f"Healthy volunteers {expected} " in page
    else:
        assert "Healthy volunteers The record does not state it " in page


# --- on a phone ------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def test_no_page_scrolls_sideways_on_a_phone(imported_record_site, chromium) -> None:
    _, _, _, build = imported_record_site
    context = chromium.new_context(**PHONE)
    wide = {}
    with serve(build.site) as base:
        for path in [*PAGES, "404.html"]:
            page = context.new_page()
            page.goto(base + path, wait_until="load")
            overflow = sideways_scroll(page)
            if overflow > 0:
                wide[path or "index"] = overflow
            page.close()
    context.close()
    assert wide == {}


def test_every_page_prints_to_a4_with_no_blank_sheet_and_no_heading_alone(
    imported_record_site, chromium, tmp_path
) -> None:
    _, _, _, build = imported_record_site
    faults = {}
    with serve(build.site) as base:
        for path in PAGES:
            page = chromium.new_page()
            page.goto(base + path, wait_until="load")
            found = print_faults(page, tmp_path / "page.pdf")
            if found:
                faults[path or "index"] = found
            page.close()
    assert faults == {}


def criteria_only_hyphenated_word(record) -> str | None:
    """A hyphenated word that, of the whole record, only the eligibility text holds."""
    data = json.loads(record.read_text(encoding="utf-8"))
    criteria = data["protocolSection"].get("eligibilityModule", {}).pop("eligibilityCriteria", "")
    rest = json.dumps(data, ensure_ascii=False).lower()
    for word in re.findall(r"(?<![\w-])[A-Za-z]\w*(?:-\w+)+(?![\w-])", unescape(criteria)):
        if word.lower() not in rest:
            return word
    return None


@pytest.mark.parametrize(
    "imported_record_site",
    [record for record in CTGOV_RECORDS if criteria_only_hyphenated_word(record)],
    ids=lambda p: p.stem,
    indirect=True,
)
def test_a_hyphenated_word_of_the_criteria_finds_the_criteria_first(imported_record_site, chromium) -> None:
    record, _, _, build = imported_record_site
    word = criteria_only_hyphenated_word(record)
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    with serve(build.site) as base:
        page.goto(base)
        (href, _), *_ = search_results(page, word)
    page.close()
    assert urlparse(href).path.endswith(("/eligibility/", "/checklist/")), (word, href)
