"""The published site in a real browser: search, phone layout, no outside requests."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from browser import PHONE, launch, require_chromium, serve, sideways_scroll
from browser import search_results as search_site
from conftest import PAGES as SITE_PAGES
from conftest import Build

PAGES = [*SITE_PAGES, "404.html"]


@pytest.fixture(scope="module")
def browser(built_site: Build) -> Iterator[tuple[object, str]]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with serve(built_site.site) as base, sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium, base
        finally:
            chromium.close()


def test_search_for_a_word_of_a_criterion_leads_to_the_eligibility_page(browser) -> None:
    chromium, base = browser
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base)
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("ferritin", delay=30)  # Material reacts to key events
    hit = page.locator(".md-search-result__item a[href*='/eligibility/']").first
    hit.wait_for(timeout=10_000)
    hit.click()
    page.wait_for_url("**/eligibility/**")
    assert page.get_by_text("Ferritin > 1000 ng/ml", exact=False).first.is_visible()
    page.close()


def search_results(chromium, base: str, query: str) -> list[tuple[str, str]]:
    """Type ``query`` into the search box; each page found (link, text), best first."""
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base)
    results = search_site(page, query)
    page.close()
    return results


@pytest.mark.parametrize(
    ("word", "path"),
    [
        ("Tangshan", "/sites/"),
        ("Zhoukou", "/sites/"),
        ("Hebei", "/sites/"),
        ("Tianjin", "/sites/"),
        ("Experimental", "/arms/"),
        ("IIT2022049", "/sponsors/"),
    ],
)
def test_a_word_that_starts_a_table_cell_leads_to_its_page(browser, word: str, path: str) -> None:
    chromium, base = browser
    (href, _), *_ = search_results(chromium, base, word)
    assert urlparse(href).path.endswith(path), href


def test_a_hyphenated_term_ranks_the_criteria_that_hold_it_first(browser) -> None:
    chromium, base = browser
    results = search_results(chromium, base, "TPO-RA")
    first = urlparse(results[0][0]).path
    assert first.endswith(("/eligibility/", "/checklist/")), results[0]
    # Both pages with the criterion come before any other page.
    pages = [urlparse(href).path for href, _ in results]
    assert {pages[0], pages[1]} == {"/eligibility/", "/checklist/"}, pages


def test_the_snippet_of_a_table_shows_its_cells_apart(browser) -> None:
    chromium, base = browser
    (_, text), *_ = search_results(chromium, base, "Zhoukou")
    assert "Tangshan Hebei China 2 Zhoukou Central Hospital Zhoukou Henan" in " ".join(text.split())


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_a_phone_and_request_nothing_from_outside(browser, path: str) -> None:
    chromium, base = browser
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
    page.goto(base + path, wait_until="networkidle")
    overflow = sideways_scroll(page)
    assert overflow <= 0, f"{path or 'index'} scrolls sideways by {overflow}px on a phone"
    if path != "404.html":
        assert page.locator(".trial-identity").is_visible()
    assert hosts <= {"127.0.0.1"}, hosts
    context.close()


def test_a_wide_table_scrolls_inside_its_box_with_a_shadow_where_more_lies(browser) -> None:
    chromium, base = browser
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.goto(base + "arms/", wait_until="networkidle")
    table = page.locator("table.trial-table").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    width, visible = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert width > visible and sideways_scroll(page) <= 0
    assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"

    def edge(side: str) -> bytes:
        x = box["x"] + 2 if side == "left" else box["x"] + box["width"] - 10
        return page.screenshot(clip={"x": x, "y": box["y"] + 2, "width": 8, "height": box["height"] - 4})

    def cue_shows(side: str) -> bool:
        with_cue = edge(side)
        table.evaluate("t => { t.dataset.bg = t.style.background; t.style.background = 'none'; }")
        without = edge(side)
        table.evaluate("t => { t.style.background = t.dataset.bg; }")
        return with_cue != without

    # At the start the shadow is on the right only; at the end, on the left only.
    assert cue_shows("right") and not cue_shows("left")
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert cue_shows("left") and not cue_shows("right")
    context.close()

