"""The pre-screen at its boundaries, in Chromium: exact limits, impossible values,
dates, the Back button, readings, plain-words results and what the printout shows.

Each scenario a coordinator found wrong is here as a test, with the values they
typed. The property tests at the end compare the page's decisions with exact
rational arithmetic (Python's Fraction) on random values with up to 3 decimals.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest

from browser import CHROMIUM_ARGS, launch, require_chromium, serve
from conftest import ROOT, TESTS, Build, build_site
from macros.eligibility.checklist import variable_uses
from macros.site.loading import load_trial
from macros.trial import rules
from macros.trial.model import Trial
from prescreen_page import (
    ELIGIBLE,
    Tab,
    answer_manual_criteria,
    error,
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

OPERATORS = TESTS / "data" / "operators_trial.yaml"


@pytest.fixture(scope="module")
def trial() -> Trial:
    return load_trial(ROOT / "data" / "trial.yaml")


@pytest.fixture(scope="module")
def base_url(built_site: Build) -> Iterator[str]:
    with serve(built_site.site) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    require_chromium()
    with playwright_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright) -> Iterator[object]:
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture
def tab(browser, base_url: str) -> Iterator[Tab]:
    tab = open_tab(browser, base_url + "checklist/")
    yield tab
    assert tab.errors == []
    tab.page.context.close()


@pytest.fixture(scope="module")
def operators_url(tmp_path_factory) -> Iterator[str]:
    build = build_site(
        tmp_path_factory.mktemp("operators") / "site", trial=OPERATORS.relative_to(ROOT),
        TRIAL_CHROMIUM="/nonexistent", CI="",
    )
    assert build.returncode == 0, build.stderr
    with serve(build.site) as url:
        yield url


def flat(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def eligible(page, trial: Trial, **changes: str) -> None:  # type: ignore[no-untyped-def]
    """The eligible patient's values with ``changes`` (ids without 'ps-'), every judgement answered."""
    fill(page, {**ELIGIBLE, **{f"ps-{key}": value for key, value in changes.items()}})
    answer_manual_criteria(page, trial)


# --- 1. exact comparisons ---------------------------------------------------------------

# Values exactly at the multiple of the ULN that a binary division puts above it
# (2.1 / 0.7 = 3.0000000000000004), and the next value up in the last decimal.
AT_THE_LIMIT = [
    ("alt", "2.1", "0.7", "2.101", "E13", "3"),
    ("ast", "1.05", "0.35", "1.051", "E13", "3"),
    ("total_bilirubin", "1.425", "0.95", "1.426", "E13", "1.5"),
    ("serum_creatinine", "2.1", "1.4", "2.101", "E14", "1.5"),
]


@pytest.mark.parametrize(("name", "value", "uln", "above", "criterion", "times"), AT_THE_LIMIT,
                         ids=[case[0] for case in AT_THE_LIMIT])
def test_a_value_exactly_at_the_multiple_of_the_uln_is_not_above_it(
    tab: Tab, trial, name, value, uln, above, criterion, times
) -> None:
    page = tab.page
    eligible(page, trial, **{f"{name}-0-value": value, f"{name}-0-uln": uln})
    assert state(page, criterion) == "Does not apply"
    assert (
        f"with upper limit of normal {uln} ({times} x ULN = {value}), exactly {times} x ULN, not above it"
        in result(page, criterion)
    )
    assert overall(page)[0] == "all-met"
    fill(page, {f"ps-{name}-0-value": above})
    assert state(page, criterion) == "Applies"
    assert f", above {times} x ULN" in result(page, criterion)
    assert overall(page)[0] == "not-eligible"


def test_each_operator_keeps_its_own_side_of_the_boundary(browser, operators_url: str) -> None:
    tab = open_tab(browser, operators_url + "checklist/")
    page = tab.page
    cases = [
        # (input, value, criterion, badge): at the threshold, then just off it.
        ("ps-haemoglobin-0-value", "10.5", "IN-1", "Met"),          # >= 10.5 g/dL
        ("ps-haemoglobin-0-value", "10.499", "IN-1", "Not met"),
        ("ps-neutrophils-0-value", "1.5", "IN-2", "Not met"),       # > 1.5
        ("ps-neutrophils-0-value", "1.501", "IN-2", "Met"),
        ("ps-egfr-0-value", "60.25", "IN-3", "Met"),                # <= 60.25
        ("ps-egfr-0-value", "60.251", "IN-3", "Not met"),
        ("ps-systolic_bp-0-value", "120", "IN-4", "Met"),           # = 120
        ("ps-systolic_bp-0-value", "120.000", "IN-4", "Met"),
        ("ps-systolic_bp-0-value", "120.001", "IN-4", "Not met"),
        ("ps-creatinine_clearance-0-value", "30.5", "EX-6", "Unknown"),  # < 30.5, LVEF not given
        ("ps-lvef-0-value", "35.5", "EX-6", "Applies"),             # <= 35.5 %
        ("ps-lvef-0-value", "35.501", "EX-6", "Does not apply"),
    ]
    for ident, value, criterion, badge in cases:
        fill(page, {ident: value})
        assert state(page, criterion) == badge, (ident, value)
    # Relative to the ULN: > 2.5, >= 1.125, < 0.875, <= 1.333 and = 2 times the ULN.
    fill(page, {"ps-alt-0-uln": "0.3", "ps-alt-0-value": "0.75"})
    assert state(page, "EX-1") == "Does not apply"
    fill(page, {"ps-ast-0-uln": "0.8", "ps-ast-0-value": "0.9"})
    assert (state(page, "EX-2"), state(page, "EX-5")) == ("Applies", "Does not apply")
    fill(page, {"ps-ast-0-value": "1.6"})
    assert (state(page, "EX-2"), state(page, "EX-5")) == ("Applies", "Applies")
    fill(page, {"ps-serum_creatinine-0-uln": "1.2", "ps-serum_creatinine-0-value": "1.05"})
    assert state(page, "EX-3") == "Does not apply"
    fill(page, {"ps-total_bilirubin-0-uln": "3", "ps-total_bilirubin-0-value": "3.999"})
    assert state(page, "EX-4") == "Applies"
    fill(page, {"ps-total_bilirubin-0-value": "3.9991"})
    assert state(page, "EX-4") == "Does not apply"
    assert tab.errors == []
    tab.page.context.close()


# --- 2. plausible values, the mouse wheel, the decimal comma ------------------------------

IMPOSSIBLE = [
    ("age_years-0-value", "200", "I2", "200 is not plausible (0 to 120 years)"),
    ("age_years-0-value", "-5", "I2", "-5 is not plausible (0 to 120 years)"),
    ("platelets-0-value", "-30", "I4", "-30 is not plausible (0 or more)"),
    ("lvef-0-value", "300", "E17", "300 is not plausible (0 to 100%)"),
    ("nyha_class-0-value", "7", "E17", "7 is not plausible (a whole number from 1 to 4)"),
    ("nyha_class-0-value", "2.5", "E17", "2.5 is not plausible (a whole number from 1 to 4)"),
    ("marrow_fibrosis_grade-0-value", "9", "E4", "9 is not plausible (a whole number from 0 to 3)"),
    ("alt-0-uln", "0", "E13", "0 is not plausible (greater than 0)"),
    ("tpo_ra_weeks-0-value", "-1", "E7", "-1 is not plausible (0 or more)"),
]


@pytest.mark.parametrize(("ident", "value", "criterion", "message"), IMPOSSIBLE,
                         ids=[f"{c[0]}={c[1]}" for c in IMPOSSIBLE])
def test_an_impossible_value_is_refused_and_its_criterion_stays_unknown(
    tab: Tab, trial, ident, value, criterion, message
) -> None:
    page = tab.page
    eligible(page, trial, **{ident: value})
    field = page.locator(f"#ps-{ident}")
    assert field.get_attribute("aria-invalid") == "true"
    assert error(page, f"ps-{ident}") == message[0].upper() + message[1:] + "."
    assert state(page, criterion) == "Unknown"
    assert message in result(page, criterion)
    status, text = overall(page)
    assert status == "incomplete" and "all criteria met" not in text
    assert f"{criterion} unknown" in text
    # Corrected, the message goes and the criterion is decided again.
    fill(page, {f"ps-{ident}": ELIGIBLE.get(f"ps-{ident}", "1")})
    assert field.get_attribute("aria-invalid") is None and error(page, f"ps-{ident}") == ""
    assert state(page, criterion) != "Unknown"


def test_the_mouse_wheel_over_a_focused_field_changes_nothing(tab: Tab) -> None:
    page = tab.page
    fill(page, {"ps-age_years-0-value": "18", "ps-enrollment": "2024-06-03"})
    for ident, value in (("ps-age_years-0-value", "18"), ("ps-enrollment", "2024-06-03")):
        field = page.locator(f"#{ident}")
        field.click()
        box = field.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for delta in (120, 120, -360, 120):
            page.mouse.wheel(0, delta)
        page.wait_for_timeout(100)
        assert field.input_value() == value
    assert state(page, "I2") == "Met"


NOT_A_NUMBER = " is not a number (write digits, with a point or a comma before any decimals)."


def test_a_decimal_comma_is_a_decimal_separator_or_refused_never_misread(tab: Tab, trial) -> None:
    page = tab.page
    eligible(page, trial, **{"lvef-0-value": "30,5", "nyha_class-0-value": "3"})
    question(page, "Does the patient have congestive heart failure?", "Yes")
    assert "LVEF 30.5% on 2024-05-27, below 45%" in result(page, "E17")
    assert state(page, "E17") == "Applies"
    fill(page, {"ps-alt-0-value": "2,1", "ps-alt-0-uln": "0,7"})
    assert "ALT 2.1 on 2024-05-20 with upper limit of normal 0.7 (3 x ULN = 2.1)" in result(page, "E13")
    for typed, message in (
        ("1,000", "\u201c1,000\u201d could mean 1000 or 1.000 (write it without a thousands separator)."),
        ("1.000,5", "\u201c1.000,5\u201d" + NOT_A_NUMBER),
        ("30 000", "\u201c30 000\u201d" + NOT_A_NUMBER),
        ("3e1", "\u201c3e1\u201d" + NOT_A_NUMBER),
    ):
        fill(page, {"ps-platelets-0-value": typed})
        assert error(page, "ps-platelets-0-value") == message
        assert state(page, "I4") == "Unknown"
    # A comma before one, two or more than three decimals is not ambiguous.
    fill(page, {"ps-platelets-0-value": "30,5"})
    assert result(page, "I4").startswith("Platelet count 30.5 on 2024-05-06 and 28 on 2024-05-14")
    fill(page, {"ps-platelets-0-value": "0,125"})
    assert result(page, "I4").startswith("Platelet count 0.125 on 2024-05-06")


# --- 3. dates -----------------------------------------------------------------------------


def test_counts_dated_after_the_planned_enrollment_date_are_flagged_and_not_counted(tab: Tab, trial) -> None:
    page = tab.page
    eligible(page, trial, **{"platelets-0-date": "2024-06-10", "platelets-1-date": "2024-06-17"})
    for row, date in ((0, "2024-06-10"), (1, "2024-06-17")):
        assert page.locator(f"#ps-platelets-{row}-date").get_attribute("aria-invalid") == "true"
        assert error(page, f"ps-platelets-{row}-date") == (
            f"{date} is after the planned enrollment date (2024-06-03) and is not counted."
        )
    assert state(page, "I4") == "Unknown"
    assert "Platelet count 1 of 2024-06-10 is after the planned enrollment date" in result(page, "I4")
    # One count on the enrollment date itself still counts: it is not after it.
    fill(page, {"ps-platelets-0-date": "2024-05-27", "ps-platelets-1-date": "2024-06-03"})
    assert state(page, "I4") == "Met"


def test_counts_dated_in_the_future_are_flagged_and_not_counted(browser, base_url: str, trial) -> None:
    tab = open_tab(browser, base_url + "checklist/", clock="2024-06-01")
    page = tab.page
    eligible(page, trial, **{"platelets-1-date": "2024-06-02"})
    assert error(page, "ps-platelets-1-date") == "2024-06-02 is after today (2024-06-01) and is not counted."
    assert state(page, "I4") == "Unknown"
    fill(page, {"ps-enrollment": ""})
    assert state(page, "I4") == "Unknown"
    fill(page, {"ps-platelets-1-date": "2024-06-01"})
    assert state(page, "I4") == "Met"
    assert tab.errors == []
    tab.page.context.close()


def test_a_thrombosis_after_enrollment_is_not_within_the_year_before_it(tab: Tab, trial) -> None:
    page = tab.page
    eligible(page, trial)
    page.locator("#ps-event-arteriovenous_thrombosis-never").uncheck()
    fill(page, {"ps-event-arteriovenous_thrombosis-date": "2024-07-01"})
    assert state(page, "E18") == "Unknown"
    assert "within" not in result(page, "E18")
    assert result(page, "E18") == (
        "Most recent arteriovenous thrombosis 2024-07-01 is after the planned enrollment date "
        "(2024-06-03) and is not counted: unknown."
    )


@pytest.mark.parametrize(
    ("ident", "inside", "outside", "criterion"),
    [
        ("ps-event-arteriovenous_thrombosis-date", "2023-06-03", "2023-06-02", "E18"),  # 1 year
        ("ps-event-tpo_ra_treatment-date", "2024-05-27", "2024-05-26", "E2"),  # 1 week
        ("ps-lvef-0-date", "2024-05-06", "2024-05-05", "E17"),  # 4 weeks
    ],
    ids=["1 year", "1 week", "4 weeks"],
)
def test_time_windows_count_back_from_enrollment_and_include_both_ends(
    tab: Tab, trial, ident, inside, outside, criterion
) -> None:
    page = tab.page
    eligible(page, trial, **{"lvef-0-value": "30", "nyha_class-0-value": "3"})
    question(page, "Does the patient have congestive heart failure?", "Yes")
    for event in ("arteriovenous_thrombosis", "tpo_ra_treatment"):
        page.locator(f"#ps-event-{event}-never").uncheck()
    fill(page, {"ps-event-arteriovenous_thrombosis-date": "2020-01-01",
                "ps-event-tpo_ra_treatment-date": "2020-01-01"})
    for date, badge in ((inside, "Applies"), ("2024-06-03", "Applies")):
        fill(page, {ident: date})
        assert state(page, criterion) == badge, date
    fill(page, {ident: outside})
    assert state(page, criterion) == ("Unknown" if criterion == "E17" else "Does not apply")
    words = {"E18": "more than 1 year before enrollment (counted from 2023-06-03)",
             "E2": "more than 1 week before enrollment (counted from 2024-05-27)",
             "E17": "more than 4 weeks before the planned enrollment date"}[criterion]
    assert words in result(page, criterion)


def test_a_window_in_months_ends_on_the_last_day_of_a_shorter_month(browser, operators_url: str) -> None:
    tab = open_tab(browser, operators_url + "checklist/")
    page = tab.page
    fill(page, {"ps-enrollment": "2024-03-31"})
    for date, badge in (("2024-02-29", "Applies"), ("2024-02-28", "Does not apply")):
        fill(page, {"ps-event-radiotherapy-date": date})
        assert state(page, "EX-7") == badge, date
    for date, badge in (("2024-03-21", "Applies"), ("2024-03-20", "Does not apply")):
        fill(page, {"ps-event-chemotherapy-date": date})
        assert state(page, "EX-8") == badge, date
    tab.page.context.close()


def test_counts_exactly_a_week_apart_are_far_enough_apart(tab: Tab) -> None:
    page = tab.page
    fill(page, {"ps-platelets-0-value": "30", "ps-platelets-0-date": "2024-05-06",
                "ps-platelets-1-value": "28", "ps-platelets-1-date": "2024-05-12"})
    assert state(page, "I4") == "Not met"
    assert result(page, "I4") == (
        "Platelet count 30 on 2024-05-06 and 28 on 2024-05-12: no 2 consecutive results below "
        "50 x 10^9/L at least 1 week apart: not met."
    )
    fill(page, {"ps-platelets-1-date": "2024-05-13"})
    assert state(page, "I4") == "Met"


def test_the_page_says_how_it_reads_every_criterion_window_and_boundary(tab: Tab, trial) -> None:
    section = tab.page.locator("#trial-prescreen-readings")
    assert section.is_visible()
    assert section.get_by_role("heading", name="How the pre-screen reads each criterion").is_visible()
    text = squash(section.inner_text())
    for criterion in trial.criteria:
        assert f"{criterion.id} " in text
    for words in (
        "above 3 x ULN (exactly 3 x ULN does not count)",
        "Met when age is 18 years or more (18 years itself counts).",
        "counted from 28 days before it up to and including the enrollment date",
        "counted from 7 days before it up to and including the enrollment date",
        "A test or event dated after the planned enrollment date, or after today, is flagged and not "
        "counted.",
        "30,5 is read as 30.5",
        "Age: 0 to 120 years",
    ):
        assert words in text, words


# --- 4. readings, 5. results in plain words -----------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "reading"),
    [
        ("E1", "Read as: a judgement for the investigator, since the text does not say what the 4 weeks"),
        ("E7", "Read as: total duration of previous TPO-RA treatment"),
        ("E8", "Read as: total duration of previous immunosuppressive therapy"),
        ("E17", 'Read as: every part joined by "and" must hold for the exclusion'),
        ("E19", "Read as: a judgement for the investigator, since the 4 months are counted back"),
    ],
)
def test_each_interpretation_is_shown_beside_its_criterion_everywhere(
    browser, base_url: str, trial, criterion, reading
) -> None:
    tab = open_tab(browser, base_url + "checklist/")
    page = tab.page
    text = next(c.text for c in trial.criteria if c.id == criterion)
    box = page.locator(f'fieldset[data-criterion="{criterion}"]')
    assert box.locator(".trial-prescreen__criterion-text").inner_text() == text
    assert box.locator(".trial-reading").inner_text().startswith(reading)
    row = page.locator(f'tr[data-criterion="{criterion}"]')
    assert row.locator(".trial-reading").inner_text().startswith(reading)
    page.goto(base_url + "eligibility/")
    item = page.locator(f"#criterion-{criterion.lower()}")
    assert item.locator(".trial-criterion__text").inner_text() == text
    assert item.locator(".trial-reading").inner_text().startswith(reading)
    tab.page.context.close()


def test_results_name_the_values_in_plain_words(browser, base_url: str, trial) -> None:
    tab = open_tab(browser, base_url + "checklist/", clock="2026-12-01")
    page = tab.page
    eligible(page, trial, **{
        "enrollment": "2026-12-01",
        "platelets-0-value": "30", "platelets-0-date": "2026-11-20",
        "platelets-1-value": "35", "platelets-1-date": "2026-11-28",
        "nyha_class-0-value": "3", "lvef-0-date": "2026-11-25",
    })
    assert result(page, "I4") == (
        "Platelet count 30 on 2026-11-20 and 35 on 2026-11-28, 8 days apart, both below 50 x 10^9/L: met."
    )
    assert result(page, "I2") == "Age 40 years, above 18 years: met."
    assert result(page, "E17") == (
        "Does the patient have congestive heart failure? No; LVEF 62% on 2026-11-25, above 45%, "
        "within 4 weeks before enrollment (counted from 2026-11-03): does not apply."
    )
    question(page, "Does the patient have congestive heart failure?", "Yes")
    assert result(page, "E17") == (
        "LVEF 62% on 2026-11-25, above 45%, within 4 weeks before enrollment (counted from 2026-11-03): "
        "does not apply."
    )
    fill(page, {"ps-lvef-0-value": "40"})
    assert result(page, "E17") == (
        "Does the patient have congestive heart failure? Yes; NYHA class 3, exactly 3; LVEF 40% on "
        "2026-11-25, below 45%, within 4 weeks before enrollment (counted from 2026-11-03): applies."
    )
    assert result(page, "E4") == "Bone marrow fibrosis grade 1 on 2024-05-20, below 2: does not apply."
    assert result(page, "E7") == (
        "Previous TPO-RA treatment, total duration 0 weeks, below 4 weeks: does not apply."
    )
    assert result(page, "I1") == "Staff answer: met."
    for criterion in trial.criteria:
        text = re.sub(r"[\d.]+ x ULN = ", "", result(page, criterion.id))
        for code in (">=", "<=", " > ", " < ", "class is", "x ULN is", " = ", "null", "undefined"):
            assert code not in text, text
    tab.page.context.close()


# --- 6. nothing survives navigation -----------------------------------------------------------


def test_every_input_and_the_form_have_autocomplete_off(tab: Tab) -> None:
    page = tab.page
    page.get_by_role("button", name="Add another platelet count").click()
    assert page.locator("#trial-prescreen form").get_attribute("autocomplete") == "off"
    inputs = page.locator("#trial-prescreen input")
    assert inputs.count() > 40
    assert inputs.evaluate_all("els => els.filter(e => e.autocomplete !== 'off').map(e => e.id)") == []


def test_after_the_back_button_the_form_is_empty_and_agrees_with_its_results(browser, base_url) -> None:
    tab = open_tab(browser, base_url + "checklist/")
    page = tab.page
    fill(page, {"ps-age_years-0-value": "16"})
    assert state(page, "I2") == "Not met"
    page.goto(base_url + "eligibility/")
    page.go_back()
    page.wait_for_url("**/checklist/")
    assert page.locator("#ps-age_years-0-value").input_value() == ""
    assert state(page, "I2") == "Unknown"
    assert overall(page)[0] == "incomplete"
    tab.page.context.close()


@pytest.fixture(scope="module")
def caching_browser(playwright) -> Iterator[object]:
    """Chromium with the back/forward cache on, as in a browser people use.

    Playwright turns the cache off by default (--disable-back-forward-cache).
    """
    chromium = playwright.chromium.launch(
        executable_path=require_chromium(), args=CHROMIUM_ARGS, headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    chromium.close()


def test_a_page_restored_from_the_back_forward_cache_comes_back_empty(
    caching_browser, base_url, trial
) -> None:
    tab = open_tab(caching_browser, base_url + "checklist/")
    page = tab.page
    page.evaluate("() => { window.keptInCache = true; }")
    fill(page, {**ELIGIBLE, "ps-age_years-0-value": "16"})
    page.get_by_role("button", name="Add another platelet count").click()
    fill(page, {"ps-platelets-2-value": "25", "ps-platelets-2-date": "2024-05-20"})
    assert state(page, "I2") == "Not met"
    page.goto(base_url + "eligibility/")
    page.go_back(wait_until="commit")
    page.wait_for_function(
        "() => location.pathname.endsWith('/checklist/') && document.readyState === 'complete'"
    )
    # The same document, from the cache: the script state survived, the patient did not.
    assert page.evaluate("window.keptInCache") is True
    values = page.locator("#trial-prescreen input:not([type=radio]):not([type=checkbox])").evaluate_all(
        "els => els.map(e => e.value).filter(v => v !== '')"
    )
    assert values == []
    assert page.locator("#trial-prescreen input:checked").count() == 0
    assert page.locator("#ps-platelets-2-value").count() == 0
    assert state(page, "I2") == "Unknown"
    assert overall(page)[0] == "incomplete"
    assert tab.errors == []
    tab.page.context.close()


STORED = """async () => [document.cookie, JSON.stringify({...localStorage}),
  JSON.stringify({...sessionStorage}), (await indexedDB.databases()).map((d) => d.name)]"""


def test_no_patient_value_reaches_cookies_storage_the_url_or_history(tab: Tab, trial) -> None:
    page = tab.page
    url = page.url
    length = page.evaluate("history.length")
    before = page.evaluate(STORED)
    eligible(page, trial, **{"age_years-0-value": "41.25"})
    page.locator("#ps-age_years-0-value").press("Enter")  # a form submitted would put it in the URL
    page.get_by_role("button", name="Add another platelet count").click()
    assert page.url == url and "41.25" not in page.url
    assert page.evaluate("[history.length, history.state]") == [length, None]
    after = page.evaluate(STORED)
    # Only what the theme keeps (its own settings) and nothing typed.
    assert after == before and after[0] == "" and after[3] == []
    assert "41.25" not in str(after) and "2024-05-06" not in str(after)


# --- 7. the printout is the record --------------------------------------------------------------


def test_the_printed_filled_checklist_holds_every_value_answer_and_result(tab: Tab, trial, tmp_path) -> None:
    page = tab.page
    # The first two counts alone are too close together; the third makes I4 met.
    eligible(page, trial, **{
        "platelets-0-value": "30", "platelets-0-date": "2024-05-06",
        "platelets-1-value": "28", "platelets-1-date": "2024-05-10",
        "ferritin-0-value": "1500",
    })
    page.get_by_role("button", name="Add another platelet count").click()
    fill(page, {"ps-platelets-2-value": "25,5", "ps-platelets-2-date": "2024-05-13"})
    question(page, "Is the raised ferritin caused by infection?", "Yes")
    assert state(page, "I4") == "Met" and state(page, "E9") == "Does not apply"
    stub_print(page)
    page.get_by_role("button", name="Print filled checklist").click()
    assert page.evaluate("window.printCalls") == 1
    sheet = page.locator("#trial-checklist")
    assert sheet.locator('[data-fill="enrollment"]').inner_text() == "2024-06-03"
    added = sheet.locator(".trial-checklist__measure--added")
    assert squash(added.inner_text()) == "Platelet count 3 Value 25.5 10^9/L Date of test 2024-05-13"
    assert sheet.locator('[data-box="answer:E9:unless:yes"]').inner_text() == "X"
    assert sheet.locator('[data-box="answer:E17:all.0:no"]').inner_text() == "X"
    assert sheet.locator('[data-box="answer:E17:all.0:yes"]').inner_text() == ""
    for criterion in trial.criteria:
        printed = sheet.locator(f'[data-fill="result:{criterion.id}"]').inner_text()
        assert printed == "Pre-screen: " + result(page, criterion.id), criterion.id
    out = tmp_path / "filled.pdf"
    page.pdf(path=str(out), format="A4")
    pages, _ = pdf_pages(out)
    # pdftotext drops the hyphen where a line breaks after one ("2024-" / "05-13"),
    # and reads the lines of a form field in layout order: compare without either.
    everything = flat(" ".join(pages))
    for words in (
        "Platelet count 1", "Value 30", "Date of test 2024-05-06", "Platelet count 2", "Value 28",
        "Date of test 2024-05-10", "Platelet count 3", "Value 25.5", "Date of test 2024-05-13",
        "Planned enrollment date 2024-06-03",
        "Is the raised ferritin caused by infection? X Yes No",
        "Does the patient have congestive heart failure? Yes X No",
        "Pre-screen: Platelet count 30 on 2024-05-06 and 25.5 on 2024-05-13, 7 days apart, both below "
        "50 x 10^9/L: met.",
        "Pre-screen: Staff answer: met.",
        "Pre-screen: Ferritin 1500 ng/mL on 2024-05-20, above 1000 ng/mL; Is the raised ferritin caused "
        "by infection? Yes, so the exception applies: does not apply.",
    ):
        assert flat(words) in everything, words
    for criterion in trial.criteria:
        assert flat("Pre-screen: " + result(page, criterion.id)) in everything, criterion.id
    for number, text in enumerate(pages, 1):
        assert "PRE-SCREEN — not an eligibility determination" in text, f"page {number}"
    for criterion in trial.criteria:
        where = [n for n, text in enumerate(pages, 1) if squash(criterion.text) in text]
        assert len(where) == 1, f"{criterion.id} is on pages {where}"
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert added.count() == 0
    assert sheet.locator('[data-fill="result:I4"]').inner_text() == ""


def test_refused_and_uncounted_values_print_as_such(tab: Tab, trial) -> None:
    page = tab.page
    eligible(page, trial, **{"age_years-0-value": "200", "platelets-1-date": "2024-06-10"})
    stub_print(page)
    page.get_by_role("button", name="Print filled checklist").click()
    sheet = page.locator("#trial-checklist")
    assert sheet.locator('[data-fill="variable:age_years:0:value"]').inner_text() == "200 (refused)"
    assert sheet.locator('[data-fill="variable:platelets:1:date"]').inner_text() == "2024-06-10 (not counted)"
    assert sheet.locator('[data-box="I2:yes"]').inner_text() == ""
    assert sheet.locator('[data-box="I2:no"]').inner_text() == ""
    assert "Age 200 is not plausible (0 to 120 years): unknown." in sheet.locator(
        '[data-fill="result:I2"]'
    ).inner_text()


# --- 8. enrolment status, 9. the sheet ---------------------------------------------------------


def test_a_trial_not_enrolling_says_so_above_the_form_which_still_works(tab: Tab) -> None:
    page = tab.page
    note = page.locator("#trial-enrolment")
    assert note.is_visible()
    assert squash(note.inner_text()).startswith(
        "Not enrolling. The registry lists this trial as Completed (completion date 2025-01-28)."
    )
    assert note.bounding_box()["y"] < page.locator("#trial-prescreen").bounding_box()["y"]
    assert "Not enrolling: registry status Completed" in page.locator("#trial-checklist").inner_text()
    fill(page, {"ps-age_years-0-value": "17"})
    assert overall(page)[0] == "not-eligible"


def test_a_suspended_trial_gives_the_date_its_status_was_verified(browser, operators_url: str) -> None:
    tab = open_tab(browser, operators_url + "checklist/")
    note = tab.page.locator("#trial-enrolment")
    assert "Suspended (status verified 2026-02)" in note.inner_text()
    tab.page.context.close()


def test_the_sheet_has_a_source_document_column_on_every_page(tab: Tab, trial, tmp_path) -> None:
    out = tmp_path / "blank.pdf"
    tab.page.pdf(path=str(out), format="A4")
    pages, _ = pdf_pages(out)
    for number, text in enumerate(pages, 1):
        if any(squash(c.text) in text for c in trial.criteria):
            assert "Source document" in text, f"page {number}"
    assert "Protocol Registry record of 2025-08-05" in pages[0]


# --- 1. property tests: the page against exact rational arithmetic ------------------------------


def decimal_text(rng: random.Random, low: int, high: int) -> str:
    """A random decimal in [low, high] with 0 to 3 decimals."""
    places = rng.choice([0, 1, 2, 3])
    value = rng.randint(low * 10**places, high * 10**places)
    text = f"{value // 10**places}" + (f".{value % 10**places:0{places}d}" if places else "")
    return text


def typed(rng: random.Random, text: str) -> str:
    """As a person may type it: sometimes with a decimal comma."""
    return text.replace(".", ",") if rng.random() < 0.3 else text


def read(text: str, plausible: rules.Plausible = rules.NOT_NEGATIVE) -> Fraction | None:
    """What the page should read: None for a refused text (an ambiguous comma, implausible)."""
    whole, _, decimals = text.replace(",", ".").partition(".")
    if "," in text and len(decimals) == 3 and whole.strip("0"):
        return None
    if not plausible.contains(Decimal(text.replace(",", "."))):
        return None
    return Fraction(text.replace(",", "."))


def near(rng: random.Random, limit: Fraction, low: int, high: int) -> str:
    """Mostly values on or next to ``limit`` (when it has at most 3 decimals), else anywhere."""
    if rng.random() < 0.5 and (limit * 1000).denominator == 1:
        step = Fraction(rng.choice([-1, 0, 0, 1]), 1000)
        value = max(limit + step, Fraction(0))
        return format_fraction(value)
    return decimal_text(rng, low, high)


def format_fraction(value: Fraction) -> str:
    thousandths = value * 1000
    assert thousandths.denominator == 1
    n = int(thousandths)
    return f"{n // 1000}.{n % 1000:03d}"


OPERATOR = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "=": lambda a, b: a == b,
}

# Read every criterion's badge after setting every field at once, as typing would.
BATCH = """(samples) => samples.map((sample) => {
  for (const [id, value] of Object.entries(sample)) document.getElementById(id).value = value;
  document.querySelector('#trial-prescreen form').dispatchEvent(new Event('input', {bubbles: true}));
  return Object.fromEntries([...document.querySelectorAll('fieldset[data-criterion]')].map(
    (set) => [set.dataset.criterion, set.querySelector('.trial-prescreen__state').dataset.state]));
})"""


def expected_compare(node: rules.Compare, value: str, uln: str | None, unit: str | None) -> str:
    """'true', 'false' or 'refused', in exact rational arithmetic."""
    x = read(value, rules.VARIABLES[node.variable].plausible_in(unit))
    if x is None:
        return "refused"
    limit = Fraction(rules.decimal_text(node.threshold))
    if node.unit == rules.ULN:
        u = read(uln, rules.ULN_PLAUSIBLE)
        if u is None:
            return "refused"
        limit *= u
    return str(OPERATOR[node.operator](x, limit)).lower()


def criterion(values: list[str]) -> str:
    """A criterion of one or more comparisons joined by 'any': unknown if any input was refused."""
    if "refused" in values:
        return "unknown"
    return "true" if "true" in values else "false"


def test_the_pages_decisions_match_exact_arithmetic_for_every_operator(browser, operators_url) -> None:
    trial = load_trial(OPERATORS)
    tab = open_tab(browser, operators_url + "checklist/")
    page = tab.page
    rng = random.Random(20261201)
    units = {name: use.unit for name, use in variable_uses(trial).items()}
    compares = {
        c.id: c.rule for c in trial.criteria
        if isinstance(c.rule, rules.Compare) and c.rule.within is None
    }
    samples, expected = [], []
    for _ in range(600):
        sample: dict[str, str] = {}
        uln_of: dict[str, str] = {}
        for node in compares.values():
            field = f"ps-{node.variable}-0-"
            if node.unit == rules.ULN:
                if node.variable not in uln_of:
                    uln_of[node.variable] = decimal_text(rng, 0, 50) if rng.random() < 0.97 else "0"
                    sample[field + "uln"] = typed(rng, uln_of[node.variable])
                    u = Fraction(uln_of[node.variable])
                    limit = Fraction(rules.decimal_text(node.threshold)) * u
                    sample[field + "value"] = typed(rng, near(rng, limit, 0, 200))
            else:
                limit = Fraction(rules.decimal_text(node.threshold))
                sample[field + "value"] = typed(rng, near(rng, limit, 0, 300))
        ex6 = next(c.rule for c in trial.criteria if c.id == "EX-6")
        for part in ex6.any:
            sample[f"ps-{part.variable}-0-value"] = typed(
                rng, near(rng, Fraction(rules.decimal_text(part.threshold)), 0, 100)
            )
        want = {
            cid: criterion([expected_compare(node, sample[f"ps-{node.variable}-0-value"],
                                             sample.get(f"ps-{node.variable}-0-uln"),
                                             units[node.variable])])
            for cid, node in compares.items()
        }
        want["EX-6"] = criterion([
            expected_compare(part, sample[f"ps-{part.variable}-0-value"], None, units[part.variable])
            for part in ex6.any
        ])
        samples.append(sample)
        expected.append(want)
    got = page.evaluate(BATCH, samples)
    wrong = [
        (sample, cid, want[cid], seen[cid])
        for sample, want, seen in zip(samples, expected, got, strict=True)
        for cid in want if seen[cid] != want[cid]
    ]
    assert wrong == [], wrong[:5]
    on_boundary = sum(
        1 for sample in samples for node in compares.values()
        if node.unit != rules.ULN
        and read(sample[f"ps-{node.variable}-0-value"]) == Fraction(rules.decimal_text(node.threshold))
    )
    assert on_boundary > 100  # the boundaries themselves are tested, not only values near them
    assert tab.errors == []
    tab.page.context.close()


def test_the_trials_liver_kidney_and_age_decisions_match_exact_arithmetic(tab: Tab, trial) -> None:
    page = tab.page
    rng = random.Random(10)
    units = {name: use.unit for name, use in variable_uses(trial).items()}
    by_id = {c.id: c.rule for c in trial.criteria}
    e13, e14, i2 = by_id["E13"], by_id["E14"], by_id["I2"]
    samples, expected = [], []
    for _ in range(500):
        sample: dict[str, str] = {}
        for node in (*e13.any, e14.any[1]):
            uln = decimal_text(rng, 0, 120)
            while Fraction(uln) == 0:
                uln = decimal_text(rng, 0, 120)
            limit = Fraction(rules.decimal_text(node.threshold)) * Fraction(uln)
            sample[f"ps-{node.variable}-0-uln"] = typed(rng, uln)
            sample[f"ps-{node.variable}-0-value"] = typed(rng, near(rng, limit, 0, 400))
        sample["ps-creatinine_clearance-0-value"] = typed(rng, near(rng, Fraction(30), 0, 200))
        sample["ps-age_years-0-value"] = typed(rng, near(rng, Fraction(18), 0, 120))

        def compared(node: rules.Compare, sample: dict[str, str] = sample) -> str:
            return expected_compare(node, sample[f"ps-{node.variable}-0-value"],
                                    sample.get(f"ps-{node.variable}-0-uln"), units[node.variable])

        samples.append(sample)
        expected.append({
            "E13": criterion([compared(node) for node in e13.any]),
            "E14": criterion([compared(node) for node in e14.any]),
            "I2": criterion([compared(i2)]),
        })
    got = page.evaluate(BATCH, samples)
    wrong = [
        (sample, cid, want[cid], seen[cid])
        for sample, want, seen in zip(samples, expected, got, strict=True)
        for cid in want if seen[cid] != want[cid]
    ]
    assert wrong == [], wrong[:5]
