""""Which version is my paper checklist?" in a real browser.

The site of a trial file with three protocol versions in a temporary git
repository (history_repo.py) is served on 127.0.0.1 and driven with Debian's
Chromium. Without Chromium these tests skip, except with ``CI=true``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import launch, require_chromium, serve
from conftest import Build, build_site
from history_repo import FILE, three_versions

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    require_chromium()
    repo = three_versions(tmp_path_factory.mktemp("lookup") / "repo")
    # The lookup needs no PDFs; leaving them out keeps the build short.
    build = build_site(
        tmp_path_factory.mktemp("lookup-site") / "site", trial=repo / FILE,
        TRIAL_CHROMIUM="/nonexistent", CI="",
    )
    assert build.returncode == 0, build.stderr
    return build


@pytest.fixture(scope="module")
def index(site: Build) -> dict:
    return json.loads((site.site / "versions" / "index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(site: Build) -> Iterator[object]:
    with serve(site.site) as url, playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        tab = chromium.new_page()
        requests: list[str] = []
        errors: list[str] = []
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(url + "checklist/")
        tab.wait_for_load_state("networkidle")
        requests.clear()
        yield tab
        assert errors == []
        # every answer came from the page itself
        assert requests == []
        chromium.close()


def answer(page, typed: str) -> str:  # type: ignore[no-untyped-def]
    box = page.get_by_label("Checklist version", exact=True)
    box.fill(typed)
    return " ".join(page.locator("#trial-version-lookup-answer").inner_text().split())


def test_a_superseded_checklist_says_by_which_version_and_since_when(page, index: dict) -> None:
    old = index["versions"][2]["fingerprint"]
    current = index["current"]["fingerprint"]
    text = answer(page, old)
    assert text == (
        f"Superseded. Checklist version {old} belongs to protocol version 1.0 of 2024-01-10. "
        "It was superseded by version 2.0 on 2024-06-01. Screen new patients with the current "
        f"checklist (version {current})."
    )
    state = page.locator("#trial-version-lookup-answer").get_attribute("data-state")
    assert state == "superseded"


def test_the_current_checklist_says_current(page, index: dict) -> None:
    current = index["current"]["fingerprint"]
    # as people type it: capitals and spaces are forgiven
    text = answer(page, f" {current[:4].upper()} {current[4:]} ")
    assert text == (
        f"Current. Checklist version {current} is the one in force: protocol versions 2.0 and 3.0, "
        "in force since 2024-06-01."
    )


def test_an_unknown_or_mistyped_version_says_so(page) -> None:
    unknown = answer(page, "0000beef")
    assert unknown.startswith("Not found. No known version of this trial's checklist is 0000beef.")
    assert answer(page, "12zz5678") == (
        "Not a checklist version. A checklist version has 8 characters, each 0 to 9 or a to f."
    )
    assert answer(page, "12ab") == ""


def test_the_form_is_hidden_in_print(page) -> None:
    page.emulate_media(media="print")
    try:
        assert not page.locator("#trial-version-lookup").is_visible()
        assert page.locator("#trial-checklist").is_visible()
    finally:
        page.emulate_media(media="screen")


def test_the_page_has_the_lookup_data_for_every_fingerprint(site: Build, index: dict) -> None:
    assert len(index["fingerprints"]) == 2
    assert Path(site.site / "checklist" / "index.html").read_text(encoding="utf-8").count(
        'id="trial-versions-data"'
    ) == 1
