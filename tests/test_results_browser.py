"""The Results page in a real browser: a phone, print, and search.

Built from the record with the widest results (NCT04431453: eight cohorts),
so its tables and flow diagram are far wider than a phone. They must scroll
inside their own boxes, never the page; on paper nothing may stick out of the
page. The seed trial's page (no results yet) must fit a phone too.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from browser import launch, require_chromium, serve
from conftest import ROOT, TESTS, Build, build_site

RECORD = TESTS / "data" / "ctgov" / "results" / "NCT04431453.json"
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}

WIDEST = """() => {
  const page = document.scrollingElement.scrollWidth - window.innerWidth;
  const boxes = [...document.querySelectorAll('article .trial-scroll')];
  return {
    page,
    boxes: boxes.length,
    scrolling: boxes.filter((b) => b.scrollWidth > b.clientWidth + 1).length,
    outside: boxes.filter((b) => b.getBoundingClientRect().right > window.innerWidth + 1).length,
  };
}"""


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory) -> Build:
    folder = tmp_path_factory.mktemp("wide-results")
    trial = folder / "trial.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", str(RECORD), "-o", str(trial)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    build = build_site(folder / "site", trial=trial, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return build


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def test_wide_results_scroll_inside_their_boxes_on_a_phone(browser, wide_site: Build) -> None:
    with serve(wide_site.site) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        page = context.new_page()
        hosts: set[str] = set()
        page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or ""))
        page.goto(base + "results/", wait_until="networkidle")
        found = page.evaluate(WIDEST)
        assert found["page"] <= 0, f"the page scrolls sideways by {found['page']}px"
        assert found["boxes"] >= 5 and found["scrolling"] >= 3, found
        assert found["outside"] == 0, found
        assert page.locator("figure.trial-consort svg").is_visible()
        assert hosts <= {"127.0.0.1"}, hosts
        context.close()


def test_on_paper_nothing_sticks_out_of_the_page(browser, wide_site: Build) -> None:
    with serve(wide_site.site) as base:
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.goto(base + "results/", wait_until="networkidle")
        page.emulate_media(media="print")
        widths = page.evaluate(
            """() => {
              const article = document.querySelector('article').getBoundingClientRect();
              const svg = document.querySelector('figure.trial-consort svg').getBoundingClientRect();
              return {article: article.right, svg: svg.right};
            }"""
        )
        assert widths["svg"] <= widths["article"] + 1, widths
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        page.close()


def test_search_finds_a_serious_event_term_on_the_results_page(browser, wide_site: Build) -> None:
    with serve(wide_site.site) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base)
        search = page.locator("input.md-search__input")
        search.click()
        search.press_sequentially("bradycardia", delay=30)
        hit = page.locator(".md-search-result__item a[href*='/results/']").first
        hit.wait_for(timeout=10_000)
        page.close()


def test_the_seed_trials_results_page_fits_a_phone(browser, built_site: Build) -> None:
    with serve(built_site.site) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        page = context.new_page()
        page.goto(base + "results/", wait_until="networkidle")
        found = page.evaluate(WIDEST)
        assert found["page"] <= 0 and found["outside"] == 0, found
        assert page.get_by_text("Results not yet posted.").is_visible()
        context.close()
