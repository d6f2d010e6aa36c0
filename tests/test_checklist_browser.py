"""The checklist in a real browser: printing, the pre-screen, privacy, accessibility.

Playwright drives Debian's Chromium against the built site served on
127.0.0.1. Without Chromium these tests skip, except with ``CI=true``, where
they fail. The pre-screen scenarios use the criteria of data/trial.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import launch, require_chromium, serve
from conftest import ROOT, TESTS, Build, build_site
from macros.eligibility import checklist
from macros.site.loading import load_trial
from macros.trial.model import Trial
from prescreen_page import (
    ELIGIBLE,
    Tab,
    answer_manual_criteria,
    assert_local,
    fill,
    open_tab,
    overall,
    pdf_pages,
    question,
    result,
    squash,
    state,
    stub_print,
)

playwright_api = pytest.importorskip("playwright.sync_api")


# --- fixtures --------------------------------------------------------------------


@pytest.fixture(scope="module")
def trial() -> Trial:
    return load_trial(ROOT / "data" / "trial.yaml")


@pytest.fixture(scope="module")
def base_url(built_site: Build) -> Iterator[str]:
    with serve(built_site.site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser, base_url: str) -> Iterator[Tab]:
    tab = open_tab(browser, base_url + "checklist/")
    yield tab
    assert tab.errors == []
    tab.page.context.close()


PAPER = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}


def assert_printed_checklist(path: Path, trial: Trial, paper: str) -> list[str]:
    pages, size = pdf_pages(path)
    assert size == pytest.approx(PAPER[paper], abs=2), f"{path.name} is not {paper}"
    assert len(pages) >= 2
    fingerprint = checklist.fingerprint(trial)
    for number, text in enumerate(pages, 1):
        for words in (
            trial.identification.nct_id, f"Page {number} of {len(pages)}",
            f"Checklist version {fingerprint}", checklist.protocol_version(trial),
        ):
            assert words in text, f"page {number} of {path.name} lacks {words!r}"
    for criterion in trial.criteria:
        # On exactly one page, whole: a row split across pages would be on none.
        where = [n for n, text in enumerate(pages, 1) if squash(criterion.text) in text]
        assert len(where) == 1, f"{criterion.id} is on pages {where} of {path.name}"
    everything = " ".join(pages)
    assert "Verified by (investigator)" in everything
    # The determination starts on the page of the last criterion and is whole.
    [closing] = [n for n, text in enumerate(pages, 1) if "Determination" in text]
    assert "Verified by (investigator)" in pages[closing - 1]
    assert squash(trial.criteria[-1].text) in pages[closing - 1], f"signatures alone on page {closing}"
    # Only the form: no theme navigation, search or page intro.
    for theme_text in ("Search", "Arms and interventions", "Pre-screen", "Made with"):
        assert theme_text not in everything, theme_text
    return pages


# --- printing ----------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_build_produced_pdfs_hold_the_whole_checklist(built_site, trial, paper) -> None:
    require_chromium()
    path = built_site.site / "checklist" / checklist.PDF_NAMES[paper]
    assert path.is_file(), f"the build did not write {path.name}"
    assert_printed_checklist(path, trial, paper)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_printing_the_page_from_the_browser(tab: Tab, trial, paper, tmp_path) -> None:
    out = tmp_path / f"{paper}.pdf"
    tab.page.pdf(path=str(out), format="A4" if paper == "a4" else "Letter")
    assert_printed_checklist(out, trial, paper)
    assert_local(tab.requests)


# --- the pre-screen ----------------------------------------------------------------

def test_a_patient_aged_17_is_not_eligible_citing_the_age_criterion(tab: Tab) -> None:
    page = tab.page
    assert overall(page)[0] == "incomplete"
    fill(page, {"ps-age_years-0-value": "17"})
    assert state(page, "I2") == "Not met"
    status, text = overall(page)
    assert status == "not-eligible"
    assert "Pre-screen: not eligible" in text
    assert "I2 not met: Male or female age ≥ 18 years" in text
    assert_local(tab.requests)


def test_values_meeting_every_rule_read_all_criteria_met_so_far(tab: Tab, trial) -> None:
    page = tab.page
    fill(page, ELIGIBLE)
    answer_manual_criteria(page, trial)
    status, text = overall(page)
    assert status == "all-met", text
    assert "all criteria met so far" in text
    for criterion in trial.eligibility.inclusion:
        assert state(page, criterion.id) == "Met"
    for criterion in trial.eligibility.exclusion:
        assert state(page, criterion.id) == "Does not apply"
    assert_local(tab.requests)


def test_a_missing_platelet_date_leaves_the_platelet_criterion_unknown(tab: Tab, trial) -> None:
    page = tab.page
    fill(page, {**ELIGIBLE, "ps-platelets-1-date": ""})
    answer_manual_criteria(page, trial)
    assert state(page, "I4") == "Unknown"
    status, text = overall(page)
    assert status == "incomplete"
    assert "Pre-screen: incomplete, 1 criterion unknown" in text
    assert "I4 unknown: Missing platelet count 2 date of test." in text
    assert "I2" not in text


def test_alt_at_3_5_times_the_uln_excludes(tab: Tab, trial) -> None:
    page = tab.page
    fill(page, {**ELIGIBLE, "ps-alt-0-value": "140", "ps-alt-0-uln": "40"})
    answer_manual_criteria(page, trial)
    assert state(page, "E13") == "Applies"
    assert result(page, "E13") == (
        "ALT 140 on 2024-05-20 with upper limit of normal 40 (3 x ULN = 120), above 3 x ULN: applies."
    )
    status, text = overall(page)
    assert status == "not-eligible"
    assert "E13 applies: Abnormal liver function" in text


def test_counts_too_close_together_do_not_meet_the_platelet_criterion(tab: Tab) -> None:
    page = tab.page
    fill(page, {"ps-platelets-0-value": "30", "ps-platelets-0-date": "2024-05-06",
                "ps-platelets-1-value": "28", "ps-platelets-1-date": "2024-05-10"})
    assert state(page, "I4") == "Not met"
    page.get_by_role("button", name="Add another platelet count").click()
    fill(page, {"ps-platelets-2-value": "25", "ps-platelets-2-date": "2024-05-13"})
    assert state(page, "I4") == "Met"


def test_an_old_lvef_does_not_count_and_a_normal_ferritin_needs_no_judgement(tab: Tab) -> None:
    page = tab.page
    fill(page, {"ps-enrollment": "2024-06-03", "ps-lvef-0-value": "30",
                "ps-lvef-0-date": "2024-03-01", "ps-nyha_class-0-value": "3"})
    assert (
        "LVEF test of 2024-03-01 is more than 4 weeks before the planned enrollment date, "
        "so it does not count" in result(page, "E17")
    )
    assert "missing" in result(page, "E17") and "LVEF test dated 2024-05-06 or later" in result(page, "E17")
    fill(page, {"ps-ferritin-0-value": "800"})
    assert state(page, "E9") == "Does not apply"
    fill(page, {"ps-ferritin-0-value": "1500"})
    assert state(page, "E9") == "Unknown"
    question(page, "Is the raised ferritin caused by infection?", "Yes")
    assert state(page, "E9") == "Does not apply"
    assert result(page, "E9") == (
        "Ferritin 1500 ng/mL, above 1000 ng/mL; Is the raised ferritin caused by infection? Yes, "
        "so the exception applies: does not apply."
    )


def test_print_filled_checklist_marks_it_as_a_pre_screen(tab: Tab, trial, tmp_path) -> None:
    page = tab.page
    fill(page, {**ELIGIBLE, "ps-alt-0-value": "140", "ps-alt-0-uln": "40"})
    answer_manual_criteria(page, trial)
    stub_print(page)
    page.get_by_role("button", name="Print filled checklist").click()
    assert page.evaluate("window.printCalls") == 1
    note = page.locator("#trial-checklist-prescreen-note")
    assert "PRE-SCREEN, NOT AN ELIGIBILITY DETERMINATION" in note.inner_text()
    assert page.locator('[data-box="E13:yes"]').inner_text() == "X"
    assert page.locator('[data-box="I2:yes"]').inner_text() == "X"
    assert page.locator('[data-box="E13:no"]').inner_text() == ""
    assert page.locator('[data-fill="variable:alt:0:value"]').inner_text() == "140"
    out = tmp_path / "filled.pdf"
    page.pdf(path=str(out), format="A4")
    pages, _ = pdf_pages(out)
    assert "PRE-SCREEN, NOT AN ELIGIBILITY DETERMINATION" in pages[0]
    for text in pages:
        assert "PRE-SCREEN — not an eligibility determination" in text
    assert "140" in " ".join(pages)
    # The determination stays for the investigator to tick.
    assert page.locator(".trial-checklist__closing .trial-checklist__box").evaluate_all(
        "boxes => boxes.map(b => b.textContent)"
    ) == ["", "", "", ""]
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert note.is_hidden()
    assert page.locator('[data-box="E13:yes"]').inner_text() == ""


# --- privacy -------------------------------------------------------------------------


def test_nothing_leaves_the_machine_and_nothing_is_stored(browser, base_url: str, trial) -> None:
    tab = open_tab(browser, base_url + "eligibility/")
    page = tab.page
    page.get_by_role("link", name="eligibility checklist and pre-screen").click()
    page.wait_for_url("**/checklist/")
    before = page.evaluate("[document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]")
    fill(page, ELIGIBLE)
    answer_manual_criteria(page, trial)
    page.get_by_role("button", name="Add another platelet count").click()
    after = page.evaluate("[document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]")
    assert after == before
    assert before[0] == ""
    assert_local(tab.requests)
    assert any(url.endswith("/assets/prescreen.js") for url in tab.requests)
    tab.page.context.close()


# --- without JavaScript --------------------------------------------------------------


def test_without_javascript_the_page_is_the_blank_form(browser, base_url: str) -> None:
    tab = open_tab(browser, base_url + "checklist/", java_script_enabled=False)
    page = tab.page
    assert page.locator("#trial-prescreen").is_hidden()
    assert page.locator("#trial-checklist").is_visible()
    note = page.locator(".trial-prescreen__noscript")
    assert note.is_visible() and "needs JavaScript" in note.inner_text()
    assert page.locator(".md-content input").count() == 0
    tab.page.context.close()


# --- accessibility --------------------------------------------------------------------


def test_every_input_has_a_label(tab: Tab) -> None:
    unlabelled = tab.page.evaluate(
        """() => [...document.querySelectorAll('#trial-prescreen input, #trial-prescreen button')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !(e.tagName === 'BUTTON' && e.textContent.trim()))
            .map(e => e.id || e.outerHTML)"""
    )
    assert unlabelled == []
    ids = tab.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert tab.page.locator("#trial-prescreen input").count() > 40


def test_the_form_works_with_the_keyboard_alone(tab: Tab) -> None:
    page = tab.page

    def tab_to(selector: str, limit: int = 400) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#ps-age_years-0-value")
    page.keyboard.type("17")
    assert overall(page)[0] == "not-eligible"
    tab_to('input[name$="-top"]')  # the next judgement: E2 has a date first, so this is I3
    page.keyboard.press("Space")
    focused = page.evaluate("document.activeElement.id")
    assert page.locator(f"#{focused}").is_checked()
    stub_print(page)
    tab_to("#ps-print")
    page.keyboard.press("Enter")
    assert page.evaluate("window.printCalls") == 1
    assert page.locator('[data-box="I2:no"]').inner_text() == "X"


# --- a trial whose texts try to break out -----------------------------------------------


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> Iterator[str]:
    build = build_site(
        tmp_path_factory.mktemp("hostile") / "site",
        trial=(TESTS / "data" / "hostile_trial.yaml").relative_to(ROOT),
        TRIAL_CHROMIUM="/nonexistent",
        CI="",  # this build is about the page, not the PDFs
    )
    assert build.returncode == 0, build.stderr
    with serve(build.site) as url:
        yield url


def test_hostile_texts_show_as_text_and_run_nothing(browser, hostile_url: str, tmp_path) -> None:
    trial = load_trial(TESTS / "data" / "hostile_trial.yaml")
    tab = open_tab(browser, hostile_url + "checklist/")
    page = tab.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert tab.dialogs == [] and tab.errors == []
    for criterion in trial.criteria:
        legend = page.locator(f'fieldset[data-criterion="{criterion.id}"] .trial-prescreen__criterion-text')
        assert legend.text_content() == criterion.text
        row = page.locator(f'tr[data-criterion="{criterion.id}"] .trial-checklist__text')
        assert row.text_content() == criterion.text
    assert "Cleared by </script>" in page.locator("#trial-prescreen").inner_text()
    out = tmp_path / "hostile.pdf"
    page.pdf(path=str(out), format="A4")
    pages, _ = pdf_pages(out)
    assert checklist.protocol_version(trial) in pages[0]
    tab.page.context.close()
