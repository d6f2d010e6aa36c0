"""The checklist page without a browser: fingerprint, safe embedding, the built
page and its links, and the PDF step's skip, failure and determinism rules."""

from __future__ import annotations

import hashlib
import html
import json
import re
import stat
from pathlib import Path

import pytest

from conftest import ROOT, TESTS, Build, build_site
from macros.eligibility import checklist, pdf
from macros.site import embed
from macros.site.loading import load_trial
from macros.trial.model import Trial

HOSTILE = TESTS / "data" / "hostile_trial.yaml"


@pytest.fixture(scope="module")
def trial() -> Trial:
    return load_trial(ROOT / "data" / "trial.yaml")


def changed(trial: Trial, group: str, index: int, **updates: object) -> Trial:
    """A copy of ``trial`` with one criterion changed."""
    criteria = list(getattr(trial.eligibility, group))
    criteria[index] = criteria[index].model_copy(update=updates)
    eligibility = trial.eligibility.model_copy(update={group: criteria})
    return trial.model_copy(update={"eligibility": eligibility})


def head_json(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="trial-prescreen-data">(.*?)</script>', page, re.S
    )
    assert match, "no pre-screen data in the page"
    return json.loads(match.group(1))


# --- fingerprint ----------------------------------------------------------------


def test_fingerprint_is_sha256_of_the_documented_canonical_form(trial: Trial) -> None:
    canonical = checklist.canonical_criteria(trial)
    triples = json.loads(canonical)
    assert triples[0] == ["inclusion", "I1", trial.eligibility.inclusion[0].text]
    assert triples[-1][:2] == ["exclusion", "E21"]
    assert len(triples) == len(trial.criteria)
    assert canonical == json.dumps(triples, ensure_ascii=False, separators=(",", ":")).encode()
    assert checklist.fingerprint(trial) == hashlib.sha256(canonical).hexdigest()[:8]
    assert re.fullmatch(r"[0-9a-f]{8}", checklist.fingerprint(trial))


def test_fingerprint_is_stable_across_loads(trial: Trial) -> None:
    again = load_trial(ROOT / "data" / "trial.yaml")
    assert checklist.fingerprint(again) == checklist.fingerprint(trial)


@pytest.mark.parametrize(
    ("group", "index", "updates"),
    [
        ("inclusion", 1, {"text": "Male or female age ≥ 16 years"}),
        ("exclusion", 12, {"text": "Abnormal liver function: ALT or AST > 5 ULN"}),
        ("exclusion", 0, {"id": "E1a"}),
    ],
    ids=["inclusion text", "exclusion text", "id"],
)
def test_fingerprint_changes_when_a_criterion_changes(trial, group, index, updates) -> None:
    assert checklist.fingerprint(changed(trial, group, index, **updates)) != checklist.fingerprint(
        trial
    )


def test_fingerprint_changes_when_criteria_are_reordered_or_regrouped(trial: Trial) -> None:
    inclusion = trial.eligibility.inclusion
    swapped = trial.eligibility.model_copy(update={"inclusion": [inclusion[1], inclusion[0], *inclusion[2:]]})
    moved = trial.eligibility.model_copy(
        update={"inclusion": inclusion[:-1], "exclusion": [inclusion[-1], *trial.eligibility.exclusion]}
    )
    base = checklist.fingerprint(trial)
    assert checklist.fingerprint(trial.model_copy(update={"eligibility": swapped})) != base
    assert checklist.fingerprint(trial.model_copy(update={"eligibility": moved})) != base


def test_fingerprint_ignores_everything_but_the_criteria(trial: Trial) -> None:
    base = checklist.fingerprint(trial)
    no_rule = changed(trial, "exclusion", 12, rule=None)
    retitled = trial.model_copy(
        update={"identification": trial.identification.model_copy(update={"brief_title": "Other"})}
    )
    rewrapped = changed(
        trial, "inclusion", 1, text="Male  or female\n age ≥ 18 years "
    )
    assert checklist.fingerprint(no_rule) == base
    assert checklist.fingerprint(retitled) == base
    assert checklist.fingerprint(rewrapped) == base


# --- safe embedding ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "<!-- <script>",
        "a & b > c < d",
        "line\u2028separator\u2029",
        '"quotes" and \\ backslash',
    ],
)
def test_script_json_cannot_end_the_script_element_and_reads_back_the_same(text: str) -> None:
    embedded = str(embed.script_json({"text": text, "list": [text]}))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in embedded
    assert json.loads(embedded) == {"text": text, "list": [text]}


def test_css_string_keeps_data_inside_the_string() -> None:
    text = 'v1 "</style><script>x()</script>\\\n'
    css = str(embed.css_string(text))
    assert css.startswith('"') and css.endswith('"')
    inner = css[1:-1]
    for bad in ('"', "<", ">", "/", "\n", "(", ")"):
        assert bad not in inner
    # CSS reads "\hex " as one character and drops the single space after it.
    decoded = re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), inner)
    assert decoded == text


def test_css_string_keeps_the_space_after_an_escaped_character() -> None:
    assert str(embed.css_string("A · B")) == '"A \\b7  B"'


# --- measurement fields and pre-screen data ----------------------------------------


def test_measurement_fields_come_from_the_rules(trial: Trial) -> None:
    rows = {row.criterion.id: row for g in checklist.GROUPS for row in checklist.form_rows(trial, g)}
    assert [m.label for m in rows["I4"].measures] == ["Platelet count 1", "Platelet count 2"]
    assert [m.label for m in rows["E13"].measures] == ["ALT", "AST", "Total bilirubin"]
    assert all(m.uln and m.dated for m in rows["E13"].measures)
    assert [(m.label, m.unit, m.dated) for m in rows["I2"].measures] == [("Age", "years", False)]
    assert rows["E2"].measures[0].never
    assert rows["I1"].manual and not rows["I1"].measures
    assert not rows["E9"].manual


def test_prescreen_data_holds_every_criterion_verbatim(trial: Trial) -> None:
    data = checklist.prescreen_data(trial)
    assert [(c["id"], c["text"]) for c in data["criteria"]] == [
        (c.id, c.text) for c in trial.criteria
    ]
    assert data["fingerprint"] == checklist.fingerprint(trial)
    assert data["needs_enrollment_date"] is True
    assert data["variables"]["platelets"]["series"] and data["variables"]["platelets"]["rows"] == 2
    assert data["variables"]["alt"]["uln"] and data["variables"]["alt"]["unit"] is None
    assert set(data["events"]) == {"tpo_ra_treatment", "arteriovenous_thrombosis"}


def test_protocol_version_falls_back_to_the_registry_record(trial: Trial) -> None:
    assert checklist.protocol_version(trial) == "Registry record of 2025-08-05"
    hostile = load_trial(HOSTILE)
    assert checklist.protocol_version(hostile).startswith("Protocol version 2.0 ")
    assert checklist.protocol_version(hostile).endswith(" of 2025-02-01")


# --- the built site -----------------------------------------------------------------


def test_checklist_page_shows_every_criterion_verbatim_with_boxes(built_site: Build, trial) -> None:
    page = built_site.page("checklist")
    for criterion in trial.criteria:
        row = re.search(
            rf'<tr class="trial-checklist__row" data-criterion="{criterion.id}">(.*?)</tr>',
            page, re.S,
        )
        assert row, criterion.id
        text = html.escape(criterion.text, quote=False)
        assert f'<span class="trial-checklist__text">{text}</span>' in row.group(1)
        assert f'data-box="{criterion.id}:yes"' in row.group(1)
        assert f'data-box="{criterion.id}:no"' in row.group(1)
    for words in ("Participant ID", "Initials", "Screening date", "Site", "Completed by",
                  "Verified by (investigator)", "Not eligible", "Waiver or exception",
                  "Registry record of 2025-08-05", checklist.fingerprint(trial)):
        assert words in page, words
    assert "answered <strong>Yes</strong> and every exclusion criterion <strong>No</strong>" in page


def test_print_header_and_data_are_in_the_head_of_the_checklist_page_only(built_site: Build) -> None:
    page = built_site.page("checklist")
    head = page.split("</head>", 1)[0]
    assert '<style id="trial-checklist-page">' in head
    assert 'counter(page) " of " counter(pages)' in head
    assert '"NCT05660785 \\b7  Eligibility checklist"' in head
    assert head_json(page)["criteria"][0]["id"] == "I1"
    assert "trial-prescreen-data" not in built_site.page("eligibility")
    assert "trial-checklist-page" not in built_site.page("eligibility")
    index = (built_site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "trial-prescreen-data" not in index and "counter(pages)" not in index


def test_eligibility_page_links_to_the_checklist_and_its_pdfs(built_site: Build) -> None:
    page = built_site.page("eligibility")
    assert 'href="../checklist/"' in page
    assert 'href="../checklist/checklist-a4.pdf"' in page
    assert 'href="../checklist/checklist-letter.pdf"' in page
    checklist_page = built_site.page("checklist")
    assert 'href="checklist-a4.pdf"' in checklist_page


def test_the_build_writes_both_pdfs_beside_the_checklist(built_site: Build) -> None:
    if pdf.find_chromium() is None and not pdf.in_ci():
        pytest.skip("Chromium is not installed: the PDFs are skipped by design")
    for name in checklist.PDF_NAMES.values():
        path = built_site.site / "checklist" / name
        assert path.read_bytes().startswith(b"%PDF-"), name
    leftovers = list((built_site.site / "checklist").glob(".print-*"))
    assert not leftovers


def test_without_javascript_the_prescreen_stays_hidden(built_site: Build) -> None:
    page = built_site.page("checklist")
    assert re.search(r'<section class="trial-prescreen" id="trial-prescreen"[^>]* hidden>', page)
    assert "<noscript>" in page


def test_hostile_texts_are_escaped_everywhere(tmp_path: Path) -> None:
    build = build_site(
        tmp_path / "site", trial=HOSTILE.relative_to(ROOT), TRIAL_CHROMIUM="/nonexistent", CI=""
    )
    assert build.returncode == 0, build.stderr
    page = build.page("checklist")
    trial = load_trial(HOSTILE)
    # Only the script elements the theme and the site put there, none from the data.
    assert "<script>window.__pwned" not in page
    assert page.count("</style>") == page.count("<style")
    data = head_json(page)
    assert [c["text"] for c in data["criteria"]] == [c.text for c in trial.criteria]
    assert data["criteria"][2]["rule"]["unless"]["question"].startswith("Cleared by </script>")


# --- the PDF step -------------------------------------------------------------------


def test_without_chromium_the_build_succeeds_and_says_so_once(tmp_path: Path) -> None:
    build = build_site(tmp_path / "site", TRIAL_CHROMIUM="/nonexistent/chromium", CI="")
    assert build.returncode == 0, build.stderr
    lines = [line for line in build.stderr.splitlines() if "Checklist PDFs" in line]
    assert len(lines) == 1, lines
    assert "skipped" in lines[0] and "apt-get install chromium" in lines[0]
    assert not list((tmp_path / "site" / "checklist").glob("*.pdf"))


def test_in_ci_a_missing_chromium_fails_the_build(tmp_path: Path) -> None:
    build = build_site(tmp_path / "site", TRIAL_CHROMIUM="/nonexistent/chromium", CI="true")
    assert build.returncode != 0
    assert "Chromium was not found and CI=true requires the PDFs" in build.stderr
    assert "Traceback" not in build.stderr


def _fake_browser(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_a_failing_chromium_is_a_clear_error(tmp_path: Path) -> None:
    browser = _fake_browser(tmp_path, "echo 'cannot open display' >&2; exit 3")
    page = tmp_path / "page.html"
    page.write_text("<html><head></head><body></body></html>", encoding="utf-8")
    expected = r"failed to print out\.pdf \(exit code 3\):\ncannot open display"
    with pytest.raises(pdf.PrintError, match=expected):
        pdf.print_to_pdf(browser, page, tmp_path / "out.pdf")


def test_a_hanging_chromium_times_out(tmp_path: Path) -> None:
    browser = _fake_browser(tmp_path, "exec sleep 30")
    page = tmp_path / "page.html"
    page.write_text("<html><head></head><body></body></html>", encoding="utf-8")
    with pytest.raises(pdf.PrintError, match=r"did not finish printing out\.pdf within 1 s"):
        pdf.print_to_pdf(browser, page, tmp_path / "out.pdf", timeout=1)


def test_pdf_dates_come_from_source_date_epoch(tmp_path: Path, monkeypatch) -> None:
    original = (
        b"%PDF-1.4\n1 0 obj\n<</Creator (x)\n/CreationDate (D:20261123201203+00'00')\n"
        b"/ModDate (D:20261123201203+00'00')>>\nendobj\n"
    )
    path = tmp_path / "a.pdf"
    path.write_bytes(original)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pdf.fix_dates(path)
    fixed = path.read_bytes()
    assert len(fixed) == len(original)
    assert fixed.count(b"(D:20231114221320+00'00')") == 2


def test_two_builds_give_the_same_bytes_pdfs_included(built_site: Build, tmp_path: Path) -> None:
    if pdf.find_chromium() is None and not pdf.in_ci():
        pytest.skip("Chromium is not installed: no PDFs to compare")
    again = build_site(tmp_path / "site")
    assert again.returncode == 0, again.stderr
    first = {p.relative_to(built_site.site): p for p in built_site.site.rglob("*") if p.is_file()}
    second = {p.relative_to(again.site): p for p in again.site.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    different = sorted(str(k) for k in first if first[k].read_bytes() != second[k].read_bytes())
    assert different == []


def test_the_configured_chromium_must_exist(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAL_CHROMIUM", str(tmp_path / "missing"))
    assert pdf.find_chromium() is None
    fake = _fake_browser(tmp_path, "exit 0")
    monkeypatch.setenv("TRIAL_CHROMIUM", fake)
    assert pdf.find_chromium() == fake


def test_the_prescreen_script_has_no_network_storage_or_html_parsing() -> None:
    script = (ROOT / "docs" / "assets" / "prescreen.js").read_text(encoding="utf-8")
    for banned in (
        "fetch(", "XMLHttpRequest", "sendBeacon", "WebSocket", "EventSource", "localStorage",
        "sessionStorage", "indexedDB", "document.cookie", "innerHTML", "outerHTML",
        "insertAdjacentHTML", "document.write", "eval(", "import(",
    ):
        assert banned not in script, banned


def test_without_chromium_the_pages_do_not_link_to_missing_pdfs(tmp_path) -> None:
    from conftest import build_site

    build = build_site(tmp_path / "site", TRIAL_CHROMIUM="/nonexistent", CI="")
    assert build.returncode == 0, build.stderr
    page = build.page("eligibility")
    assert "checklist-a4.pdf" not in page
    assert "The checklist PDFs (version" in page and "are not in this build" in page
    assert not (tmp_path / "site" / "checklist" / "checklist-a4.pdf").exists()


# --- readings, answers, enrolment status, source documents ----------------------------

SECOND = TESTS / "data" / "second_trial.yaml"
OPERATORS = TESTS / "data" / "operators_trial.yaml"


def test_the_criterion_texts_are_untouched_by_the_readings(trial: Trial) -> None:
    # The fingerprint of the texts as they were before the readings moved out of comments.
    assert checklist.fingerprint(trial) == "91444ab2"
    data = checklist.prescreen_data(trial)
    readings = {c["id"]: c["reading"] for c in data["criteria"]}
    assert readings["E7"] == "total duration of previous TPO-RA treatment"
    assert readings["I2"] is None


def test_the_checklist_asks_each_judgement_inside_a_rule_and_keeps_room_for_more_counts(trial) -> None:
    rows = {row.criterion.id: row for g in checklist.GROUPS for row in checklist.form_rows(trial, g)}
    assert [(q.key, q.text) for q in rows["E17"].questions] == [
        ("answer:E17:all.0", "Does the patient have congestive heart failure?")
    ]
    assert [(q.key, q.text) for q in rows["E9"].questions] == [
        ("answer:E9:unless", "Is the raised ferritin caused by infection?")
    ]
    assert rows["I4"].series == ["platelets"] and rows["I1"].questions == []


def test_plausible_values_and_the_uln_range_go_to_the_page(trial: Trial) -> None:
    data = checklist.prescreen_data(trial)
    assert data["variables"]["age_years"]["plausible"] == {
        "low": "0", "high": "120", "above": False, "whole": False, "text": "0 to 120 years",
    }
    assert data["variables"]["nyha_class"]["plausible"]["whole"] is True
    assert data["uln_plausible"] == {
        "low": "0", "high": None, "above": True, "whole": False, "text": "greater than 0",
    }


def test_a_trial_that_is_not_enrolling_says_its_status_and_date(trial: Trial) -> None:
    assert checklist.not_enrolling(trial) == checklist.NotEnrolling(
        "Completed", "2025-01-28", "completion date"
    )
    assert checklist.not_enrolling(load_trial(SECOND)) is None
    assert checklist.not_enrolling(load_trial(OPERATORS)) == checklist.NotEnrolling(
        "Suspended", "2026-02", "status verified"
    )


def test_how_the_prescreen_reads_each_criterion(trial: Trial) -> None:
    from macros.eligibility import explain

    lines = {r.id: r for r in explain.criterion_readings(trial)}
    assert list(lines) == [c.id for c in trial.criteria]
    assert lines["I2"].decided == "Met when age is 18 years or more (18 years itself counts)."
    assert "above 3 x ULN (exactly 3 x ULN does not count)" in lines["E13"].decided
    assert "below 50 x 10^9/L (50 x 10^9/L itself does not count)" in lines["I4"].decided
    assert "each dated at least 1 week after the one before" in lines["I4"].decided
    assert (
        "within 4 weeks before the planned enrollment date, counted from 28 days before it up to "
        "and including the enrollment date" in lines["E17"].decided
    )
    assert "counted from the same date 1 year earlier" in lines["E18"].decided
    assert lines["E7"].reading == "total duration of previous TPO-RA treatment"
    assert lines["E1"].decided.startswith("Staff answer it from the source documents")


def test_the_checklist_page_has_readings_a_source_column_and_the_status(built_site: Build) -> None:
    page = built_site.page("checklist")
    assert '<th scope="col">Source document</th>' in page
    assert page.count('<td class="trial-checklist__source"></td>') == 25
    row = re.search(r'<tr class="trial-checklist__row" data-criterion="E7">(.*?)</tr>', page, re.S)
    assert "Read as: total duration of previous TPO-RA treatment" in row.group(1)
    assert re.search(r"<dt>Protocol</dt>\s*<dd>Registry record of 2025-08-05</dd>", page)
    assert 'data-fill="enrollment"' in page and "Planned enrollment date" in page
    assert 'data-box="answer:E17:all.0:yes"' in page and 'data-series="platelets"' in page
    banner = re.search(r'<div class="trial-enrolment".*?</div>', page, re.S).group(0)
    assert "Not enrolling." in banner and "Completed (completion date 2025-01-28)" in banner
    # Above the pre-screen and the form.
    assert page.index('id="trial-enrolment"') < page.index('id="trial-prescreen"')
    assert page.index('id="trial-enrolment"') < page.index('id="trial-checklist"')
    readings = page[page.index('id="trial-prescreen-readings"'):page.index('id="trial-checklist"')]
    assert "How the pre-screen reads each criterion" in readings
    for criterion in ("I2", "I4", "E13", "E17", "E18", "E21"):
        assert f"<dt>{criterion}</dt>" in readings
    assert "Age: 0 to 120 years" in readings and "Upper limit of normal: greater than 0" in readings


def test_the_eligibility_page_shows_each_reading_beside_its_criterion(built_site: Build) -> None:
    page = built_site.page("eligibility")
    item = re.search(r'<li class="trial-criterion" id="criterion-e7">(.*?)</li>', page, re.S).group(1)
    assert '<span class="trial-reading">Read as: total duration of previous TPO-RA treatment</span>' in item
    assert "Read as:" not in re.search(r'id="criterion-i2">(.*?)</li>', page, re.S).group(1)


def test_an_enrolling_trial_shows_no_status_note_and_a_protocol_version(tmp_path: Path) -> None:
    build = build_site(
        tmp_path / "site", trial=SECOND.relative_to(ROOT), TRIAL_CHROMIUM="/nonexistent", CI=""
    )
    assert build.returncode == 0, build.stderr
    page = build.page("checklist")
    assert "trial-enrolment" not in page and "Not enrolling" not in page
    hostile = build_site(
        tmp_path / "hostile", trial=HOSTILE.relative_to(ROOT), TRIAL_CHROMIUM="/nonexistent", CI=""
    )
    assert hostile.returncode == 0, hostile.stderr
    assert re.search(
        r"<dt>Protocol</dt>\s*<dd>Protocol version 2\.0 .*? of 2025-02-01</dd>", hostile.page("checklist")
    )
