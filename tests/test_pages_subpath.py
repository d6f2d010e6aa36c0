"""The site where GitHub Pages puts it: under /<repository>/, built with SITE_URL.

Pages serves a project site from ``https://<owner>.github.io/<repository>/`` and
answers any missing path with the site's 404.html, whatever folder the path is
in: that page must find its style sheets and pages from anywhere.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import urlopen

import pytest
from bs4 import BeautifulSoup

from browser import launch, require_chromium, search_results, serve_like_pages
from conftest import Build, build_site

SITE_URL = "https://owner.github.io/repo/"
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


@pytest.fixture(scope="module")
def pages_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = build_site(tmp_path_factory.mktemp("pages") / "site", SITE_URL=SITE_URL, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return build


def _site_url_lines(build: Build) -> list[str]:
    return [line for line in (build.stdout + build.stderr).splitlines() if "SITE_URL" in line]


def test_a_build_without_site_url_says_in_one_line_what_it_is_for(built_site: Build) -> None:
    (line,) = _site_url_lines(built_site)
    assert "404.html" in line and "sitemap.xml" in line and "https://owner.github.io/repository/" in line
    assert "WARNING" not in built_site.stdout + built_site.stderr


def test_a_build_with_site_url_is_clean_and_says_nothing_about_it(pages_site: Build) -> None:
    assert _site_url_lines(pages_site) == []
    assert "WARNING" not in pages_site.stdout + pages_site.stderr


def test_the_sitemap_lists_every_page(pages_site: Build) -> None:
    tree = ET.parse(pages_site.site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)}
    pages = {
        SITE_URL + page.parent.relative_to(pages_site.site).as_posix().removeprefix(".") + "/"
        for page in pages_site.site.rglob("index.html")
    }
    pages = {url.replace("repo//", "repo/") for url in pages}
    assert len(pages) >= 9 and listed == pages


def test_the_404_page_links_only_into_the_sites_folder(pages_site: Build) -> None:
    page = BeautifulSoup((pages_site.site / "404.html").read_text(encoding="utf-8"), "html.parser")
    links = [tag.get("href") or tag.get("src") for tag in page.select("[href], [src]")]
    local = [link for link in links if not urlparse(link).scheme]
    assert local and all(link.startswith("/repo/") for link in local), local
    stylesheets = [tag["href"] for tag in page.select("link[rel=stylesheet]")]
    assert any(re.search(r"assets/stylesheets/main\.[0-9a-f]+\.min\.css$", s) for s in stylesheets)
    assert "/repo/assets/trial.css" in stylesheets


# --- in a browser, served as GitHub Pages serves it -----------------------------


@pytest.fixture(scope="module")
def pages(pages_site: Build) -> Iterator[tuple[object, str]]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with serve_like_pages(pages_site.site, "repo") as base, sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium, base
        finally:
            chromium.close()


def test_the_server_answers_a_missing_path_with_the_404_page(pages, pages_site: Build) -> None:
    _, base = pages
    with urlopen(base + "sites/") as response:
        assert response.status == 200
    for missing in ("no/such/page/", "eligibility/typo", "../elsewhere"):
        with pytest.raises(Exception) as error:
            urlopen(urljoin(base, missing))
        assert error.value.code == 404
        assert error.value.read() == (pages_site.site / "404.html").read_bytes()


@pytest.mark.parametrize("missing", ["no-such-page/", "eligibility/criteria/old-link/"])
def test_the_404_page_is_styled_and_its_links_work_under_the_folder(pages, missing: str) -> None:
    chromium, base = pages
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}")
        if r.status >= 400 and r.request.resource_type != "document"
        else None,
    )
    response = page.goto(base + missing, wait_until="networkidle")
    assert response.status == 404
    assert failed == []  # every style sheet, script, font and image was found
    # Material's styles apply: the header is a bar, not a page of text and a giant logo.
    header = page.locator("header.md-header").bounding_box()
    assert header and header["height"] < 80, header
    logo = page.locator(".md-header__button.md-logo").bounding_box()
    assert logo and logo["height"] <= 48, logo
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    # Our own style sheet applies too.
    muted = "getComputedStyle(document.documentElement).getPropertyValue('--trial-muted')"
    assert page.evaluate(muted).strip() == "#5f6b7a"
    # Every link of the page leads to a page of the site.
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    local = sorted({h.split("#")[0] for h in hrefs if h.startswith(base.split("/repo/")[0])})
    assert len(local) >= 9
    for href in local:
        with urlopen(href) as answer:
            assert answer.status == 200, href
    page.get_by_role("link", name="Eligibility", exact=True).first.click()
    page.wait_for_url(base + "eligibility/")
    assert page.locator(".trial-criterion").count() > 0
    page.close()


def test_the_served_site_is_found_by_its_search_under_the_folder(pages) -> None:
    chromium, base = pages
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(base + "no-such-page/")
    (href, _), *_ = search_results(page, "Tangshan")
    assert urlparse(href).path == "/repo/sites/"
    page.close()


def test_the_published_site_is_built_from_the_same_pages(pages_site: Build, built_site: Build) -> None:
    def pages_of(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}

    assert pages_of(pages_site.site) == pages_of(built_site.site)
