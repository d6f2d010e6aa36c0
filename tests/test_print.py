"""Every page of the site printed to A4 in Chromium: no blank sheet, no heading alone.

Material prints a page with its own print style sheet; ours adds what keeps a
printout whole (see docs/assets/trial.css, ``@media print``). Each page is
printed with Playwright's ``page.pdf`` and read back with poppler
(:mod:`printing`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser import launch, require_chromium, serve
from conftest import PAGES, Build
from printing import print_faults, sheet_texts


@pytest.fixture(scope="module")
def site(built_site: Build) -> Iterator[tuple[object, str]]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with serve(built_site.site) as base, sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium, base
        finally:
            chromium.close()


@pytest.mark.parametrize("path", PAGES)
def test_a_page_prints_with_no_blank_sheet_and_no_heading_alone(site, path: str, tmp_path) -> None:
    chromium, base = site
    page = chromium.new_page()
    page.goto(base + path, wait_until="networkidle")
    assert print_faults(page, tmp_path / "page.pdf") == []
    page.close()


@pytest.mark.parametrize("path", ["arms/", "sites/", "sponsors/", "outcomes/"])
def test_a_short_page_prints_on_one_sheet(site, path: str, tmp_path) -> None:
    chromium, base = site
    page = chromium.new_page()
    page.goto(base + path, wait_until="networkidle")
    page.pdf(path=str(tmp_path / "page.pdf"), format="A4")
    page.close()
    assert len(sheet_texts(tmp_path / "page.pdf")) == 1


def test_wherever_a_page_breaks_no_sheet_is_blank_and_no_heading_is_alone(site, tmp_path) -> None:
    """The arms page pushed down 10 px at a time, so that every part of it, and
    its end, in turn meets the foot of a sheet."""
    chromium, base = site
    page = chromium.new_page()
    page.goto(base + "arms/", wait_until="networkidle")
    page.evaluate("document.querySelector('article h1').before(document.createElement('div'))")
    faults = {}
    for gap in range(0, 600, 10):
        page.evaluate(f"document.querySelector('article h1').previousSibling.style.height = '{gap}px'")
        found = print_faults(page, tmp_path / "page.pdf")
        if found:
            faults[gap] = found
    page.close()
    assert faults == {}


def test_the_check_sees_a_heading_left_alone(site, tmp_path) -> None:
    """The same check on a page made to fail: a heading pushed to the foot of a sheet."""
    chromium, base = site
    page = chromium.new_page()
    page.goto(base + "eligibility/", wait_until="networkidle")
    page.add_style_tag(
        content="@media print { .md-typeset :is(h1,h2,h3) { break-after: auto !important; }"
        " .md-typeset :is(h1,h2,h3) + * { break-before: auto !important; }"
        " #exclusion-criteria { margin-top: var(--gap) !important; } }"
    )
    faults = []
    # Push the heading down until it is the last thing on the first sheet.
    for gap in range(0, 1200, 8):
        page.evaluate(f"document.documentElement.style.setProperty('--gap', '{gap}px')")
        faults = print_faults(page, tmp_path / "page.pdf")
        if faults:
            break
    page.close()
    assert faults and "ends with the heading 'Exclusion criteria'" in faults[0]


def test_the_check_sees_a_blank_sheet(site, tmp_path) -> None:
    """Material's own body height, which our print style sheet undoes, gives a blank sheet."""
    chromium, base = site
    page = chromium.new_page()
    page.goto(base + "arms/", wait_until="networkidle")
    page.add_style_tag(content="@media print { body { min-height: 100% !important; } }")
    assert print_faults(page, tmp_path / "page.pdf") == ["sheet 2 of 2 is blank"]
    page.close()
