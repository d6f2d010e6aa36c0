"""The Results page and the pre-specified analysis, in built sites.

Each of the four real records with results is imported with the command line
and built as its own site (``TRIAL_DATA``); everything the registry posts that
a reader looks for (group titles, measure titles, the flow's counts, serious
event terms) must be on its Results page. The seed trial has no results: its
page says so with the record's dates, and shows the analysis its two-stage
plan calls for. A made-up trial carries injection payloads in every kind of
results text, and another the observed counts of a two-stage trial.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, TESTS, Build, build_site
from macros.results.inference import all_outcomes, analyse

CTGOV = TESTS / "data" / "ctgov"
RECORDS = [CTGOV / "NCT02210780.json", *sorted((CTGOV / "results").glob("NCT*.json"))]
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


def words(text: str) -> str:
    return " ".join(text.split())


def article(build: Build, page: str) -> BeautifulSoup:
    found = BeautifulSoup(build.page(page), "html.parser").select_one("article")
    assert found is not None
    return found


def text_of(build: Build, page: str) -> str:
    return words(article(build, page).get_text(" "))


def label(row) -> str:
    """A table row's label: its header cell's own text, without the small print under it."""
    return words(str(row.select_one("th").contents[0]))


@pytest.fixture(scope="module", params=RECORDS, ids=lambda p: p.stem)
def record_site(request, tmp_path_factory) -> tuple[dict, Build]:
    record = request.param
    folder = tmp_path_factory.mktemp(record.stem)
    trial = folder / "trial.yaml"
    imported = subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", str(record), "-o", str(trial)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert imported.returncode == 0, imported.stderr
    build = build_site(folder / "site", trial=trial, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return json.loads(record.read_text(encoding="utf-8"))["resultsSection"], build


def test_the_results_page_builds_without_warnings_and_is_in_the_navigation(record_site) -> None:
    _, build = record_site
    assert "WARNING" not in build.stderr + build.stdout
    nav = [a.get_text(strip=True) for a in BeautifulSoup(build.page("index"), "html.parser").select(
        ".md-nav--primary .md-nav__link"
    )]
    assert "Results" in nav


def test_every_group_and_measure_title_and_serious_event_term_is_on_the_page(record_site) -> None:
    results, build = record_site
    text = text_of(build, "results")
    titles = [g["title"] for g in results["participantFlowModule"]["groups"]]
    titles += [g["title"] for g in results["baselineCharacteristicsModule"]["groups"]]
    titles += [g["title"] for g in results["adverseEventsModule"]["eventGroups"]]
    titles += [m["title"] for m in results["baselineCharacteristicsModule"]["measures"]]
    for outcome in results["outcomeMeasuresModule"]["outcomeMeasures"]:
        titles.append(outcome["title"])
        titles += [g["title"] for g in outcome["groups"]]
    titles += [e["term"] for e in results["adverseEventsModule"].get("seriousEvents", [])]
    for title in titles:
        assert words(title) in text, title


def test_every_flow_count_is_in_the_flow_table_under_its_group(record_site) -> None:
    results, build = record_site
    flow = results["participantFlowModule"]
    tables = article(build, "results").select("table.trial-results-table--flow")
    assert len(tables) == len(flow["periods"])
    titles = [g["title"] for g in flow["groups"]]
    for period, table in zip(flow["periods"], tables, strict=True):
        header = [words(th.get_text(" ")) for th in table.select("thead th")][1:]
        assert header == [words(t) for t in titles]
        rows = {
            words(tr.select_one("th").get_text(" ")): [words(td.get_text(" ")) for td in tr.select("td")]
            for tr in table.select("tbody tr")
            if tr.select("td")
        }
        labels = {"STARTED": "Started", "COMPLETED": "Completed", "NOT COMPLETED": "Not completed"}
        items = [(labels.get(m["type"], m["type"]), m["achievements"]) for m in period["milestones"]]
        items += [(d["type"], d["reasons"]) for d in period.get("dropWithdraws", [])]
        for label, stats in items:
            cells = rows[words(label)]
            for stat in stats:
                column = [g["id"] for g in flow["groups"]].index(stat["groupId"])
                assert cells[column].split()[0] == stat["numSubjects"], (label, stat)


def test_the_flow_diagram_is_an_inline_svg_with_every_started_count(record_site) -> None:
    results, build = record_site
    svg = article(build, "results").select_one("figure.trial-consort svg")
    assert svg is not None and svg.get("role") == "img" and svg.select_one("title")
    lines = [words(t.get_text()) for t in svg.select("text")]
    started = next(m for m in results["participantFlowModule"]["periods"][0]["milestones"]
                   if m["type"] == "STARTED")
    for stat in started["achievements"]:
        assert f"Started: {stat['numSubjects']}" in lines
    # Wide content scrolls inside its own box, not the page.
    assert svg.find_parent(class_="trial-scroll") is not None
    for table in article(build, "results").select("table.trial-results-table"):
        assert table.find_parent(class_="trial-scroll") is not None


def test_adverse_events_give_affected_at_risk_and_percentage(record_site) -> None:
    results, build = record_site
    events = results["adverseEventsModule"]
    page = article(build, "results")
    mortality = page.select_one("table.trial-results-table--mortality tbody tr")
    cells = [words(td.get_text(" ")) for td in mortality.select("td")]
    for group, cell in zip(events["eventGroups"], cells, strict=True):
        assert cell.startswith(f"{group['deathsNumAffected']}/{group['deathsNumAtRisk']}")
    rows = {label(tr): tr for tr in page.select("table.trial-results-table--serious-events tbody tr")}
    for event in events.get("seriousEvents", []):
        assert words(event["organSystem"]) in rows
        cells = [words(td.get_text(" ")) for td in rows[words(event["term"])].select("td")]
        for stat in event["stats"]:
            column = [g["id"] for g in events["eventGroups"]].index(stat["groupId"])
            assert cells[column].startswith(f"{stat['numAffected']}/{stat['numAtRisk']}"), event["term"]


def test_outcome_analyses_and_limitations_are_shown(record_site) -> None:
    results, build = record_site
    text = text_of(build, "results")
    for outcome in results["outcomeMeasuresModule"]["outcomeMeasures"]:
        if "timeFrame" in outcome:
            assert words(outcome["timeFrame"]) in text
        for analysis in outcome.get("analyses", []):
            if "pValue" in analysis:
                assert f"P-value {analysis['pValue']}" in text
            if "statisticalMethod" in analysis:
                assert words(analysis["statisticalMethod"]) in text
    limits = results["moreInfoModule"].get("limitationsAndCaveats", {}).get("description")
    if limits:
        assert words(limits)[:80] in text


def test_the_search_index_has_the_outcome_measures(record_site) -> None:
    results, build = record_site
    index = json.loads((build.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].startswith("results/")]
    assert docs
    everything = " ".join(d["title"] + " " + d["text"] for d in docs)
    for outcome in results["outcomeMeasuresModule"]["outcomeMeasures"][:3]:
        assert words(outcome["title"])[:40].lower() in words(everything).lower()


# --- the seed trial: no results yet ------------------------------------------------


def test_the_seed_trial_says_results_are_not_yet_posted_with_its_dates(built_site: Build) -> None:
    text = text_of(built_site, "results")
    assert "Results not yet posted." in text
    for fact in ("Overall status Completed", "Study start 2022-12-01", "Study completion 2025-01-28",
                 "Registry record last updated 2025-08-05"):
        assert fact in text
    assert "Participant flow" not in text
    assert "Pre-specified analysis" in text


def _outcome_rows(build: Build, page: str) -> list[list[str]]:
    table = article(build, page).select_one("table.trial-numbers--outcomes")
    assert table is not None
    return [[words(c.get_text(" ")) for c in tr.select("th, td")] for tr in table.select("tbody tr")]


@pytest.mark.parametrize("page", ["design", "results"])
def test_every_possible_result_of_the_seed_design_and_what_it_would_mean(built_site: Build, page) -> None:
    rows = _outcome_rows(built_site, page)
    expected = all_outcomes(8, 15, 26, 43, 0.5, alpha=0.05)
    assert len(rows) == 44 == len(expected)
    for row, result in zip(rows, expected, strict=True):
        assert row[0] == f"{result.responses} of {result.patients}"
        assert row[1] == ("Stopped after stage 1" if result.stage == 1 else "Completed stage 2")
        assert (row[2] == "Promising") == (result.responses > 26)
        assert row[3:] == [
            f"{result.umvue:.4f}", f"{result.p_value:.4f}", f"{result.ci_lower:.4f} to {result.ci_upper:.4f}"
        ]
    assert "90% interval" in text_of(built_site, page)


def test_the_design_page_has_the_section(built_site: Build) -> None:
    headings = [words(h.get_text()) for h in article(built_site, "design").select("h2")]
    assert "What each possible result would mean ¶" in headings or any(
        h.startswith("What each possible result would mean") for h in headings
    )


# --- a made-up trial: payloads and observed counts --------------------------------------


PAYLOADS = ["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "**bold**", "[x](javascript:alert(1))"]
HOSTILE = " ".join(PAYLOADS)


def _results_block(text: str) -> dict:
    return {
        "participant_flow": {
            "recruitment_details": f"Recruitment {text}",
            "groups": [{"id": "FG000", "title": f"Flow group {text}", "description": f"Flow about {text}"}],
            "periods": [{
                "title": f"Period {text}",
                "milestones": [
                    {"type": "STARTED", "achievements": [{"group_id": "FG000", "num_subjects": 7}]}
                ],
                "drop_withdraws": [{"type": f"Reason {text}",
                                    "reasons": [{"group_id": "FG000", "num_subjects": 1}]}],
            }],
        },
        "baseline_characteristics": {
            "groups": [{"id": "BG000", "title": f"Baseline group {text}"}],
            "measures": [{
                "title": f"Baseline measure {text}",
                "unit_of_measure": f"Unit {text}",
                "classes": [{"categories": [{"title": f"Category {text}", "measurements": [
                    {"group_id": "BG000", "value": "3", "comment": f"Comment {text}"}]}]}],
            }],
        },
        "outcome_measures": [{
            "type": "PRIMARY",
            "title": f"Outcome measure {text}",
            "description": f"Outcome description {text}",
            "time_frame": f"Time frame {text}",
            "groups": [{"id": "OG000", "title": f"Outcome group {text}"}],
            "classes": [
                {"categories": [{"measurements": [{"group_id": "OG000", "value": f"Value {text}"}]}]}
            ],
            "analyses": [{"group_ids": ["OG000"], "statistical_method": f"Method {text}"}],
        }],
        "adverse_events": {
            "description": f"Events described {text}",
            "event_groups": [{"id": "EG000", "title": f"Event group {text}", "serious_num_affected": 1,
                              "serious_num_at_risk": 8}],
            "serious_events": [{"term": f"Term {text}", "organ_system": f"System {text}",
                                "stats": [{"group_id": "EG000", "num_affected": 1, "num_at_risk": 8}]}],
        },
        "more_info": {"limitations_and_caveats": {"description": f"Limitations {text}"},
                      "point_of_contact": {"title": f"Contact {text}"}},
    }


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory) -> Build:
    folder = tmp_path_factory.mktemp("results-payload")
    data = yaml.safe_load((TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8"))
    data["has_results"] = True
    data["results"] = _results_block(HOSTILE)
    path = folder / "trial.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build = build_site(folder / "site", trial=path, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return build


@pytest.mark.parametrize(
    "prefix",
    ["Recruitment", "Flow group", "Reason", "Baseline group", "Baseline measure", "Category", "Comment",
     "Outcome measure", "Outcome description", "Time frame", "Outcome group", "Value", "Method",
     "Events described", "Event group", "Term", "System", "Limitations", "Contact"],
)
def test_injection_payloads_in_results_texts_come_out_literally(payload_site: Build, prefix: str) -> None:
    assert f"{prefix} {HOSTILE}" in text_of(payload_site, "results")


def test_no_payload_becomes_markup(payload_site: Build) -> None:
    html = payload_site.page("results")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" not in html
    assert 'href="javascript:' not in html
    assert " 49 " not in text_of(payload_site, "results")
    # The payload inside the SVG is text too.
    svg = article(payload_site, "results").select_one("figure.trial-consort svg")
    assert not svg.select("script")


def _observed_trial(folder: Path, observed: dict) -> Path:
    data = yaml.safe_load((TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8"))
    data["design"]["enrollment_info"] = {"count": 43, "type": "ACTUAL"}
    data["statistical_plan"] = {
        "method": "SIMON_TWO_STAGE", "n1": 15, "r1": 8, "n": 43, "r": 26,
        "hypotheses": {"p0": 0.5, "p1": 0.7, "alpha": 0.05, "beta": 0.2, "provenance": "PROTOCOL"},
        "observed": observed,
    }
    path = folder / "trial.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_observed_counts_are_analysed_on_the_results_page_with_their_source(tmp_path: Path) -> None:
    observed = {"stage1_evaluable": 16, "stage1_responses": 11, "stage2_evaluable": 26,
                "total_responses": 29, "source": "Final study report <v2>", "date": "2026-03"}
    build = build_site(tmp_path / "site", trial=_observed_trial(tmp_path, observed), **NO_PDFS)
    assert build.returncode == 0, build.stderr
    text = text_of(build, "results")
    assert "Observed counts , as the trial file records them from: Final study report <v2> (2026-03)" in text
    assert "Stage 1: 11 of 16 evaluable participants responded" in text
    assert "26 more evaluable participants; 29 of 42 responded in all" in text
    assert "did not have the planned sizes (15 and 28)" in text
    expected = analyse(8, 15, 26, 43, 0.5, 29, stage1_responses=11, n1_actual=16, n2_actual=26, alpha=0.05)
    table = article(build, "results").select_one("table.trial-numbers--observed")
    cells = {words(tr.select_one("th").get_text(" ")): [words(td.get_text(" ")) for td in tr.select("td")]
             for tr in table.select("tbody tr")}
    assert cells["Decision"] == ["Promising"]
    assert cells["Estimate of the response rate (UMVUE, unbiased)"][0] == f"{expected.umvue:.4f}"
    p_row = next(v for k, v in cells.items() if k.startswith("p-value"))
    assert p_row == [f"{expected.p_value:.4f}", f"{expected.mid_p_value:.4f}"]
    ci_row = cells["90% confidence interval"]
    assert ci_row == [f"{expected.ci_lower:.4f} to {expected.ci_upper:.4f}",
                      f"{expected.mid_ci_lower:.4f} to {expected.mid_ci_upper:.4f}"]
    # Stages of other sizes than planned make another sample space: the planned
    # design's table of every possible result does not hold this outcome.
    for page in ("results", "design"):
        assert not article(build, page).select("tr.trial-outcome-row--observed")


def test_a_trial_that_stopped_is_analysed_on_its_stage_1_alone(tmp_path: Path) -> None:
    observed = {"stage1_evaluable": 15, "stage1_responses": 5, "source": "Interim report"}
    build = build_site(tmp_path / "site", trial=_observed_trial(tmp_path, observed), **NO_PDFS)
    assert build.returncode == 0, build.stderr
    text = text_of(build, "results")
    assert "at most r 1 = 8: the trial stopped for futility" in text
    expected = analyse(8, 15, 26, 43, 0.5, 5)
    assert f"{expected.ci_lower:.4f} to {expected.ci_upper:.4f}" in text
    assert re.search(r"Decision Not promising \(stopped for futility\)", text)
    # With the planned stage size, the outcome is marked among every possible result.
    for page in ("results", "design"):
        marked = article(build, page).select("tr.trial-outcome-row--observed")
        assert [words(tr.select_one("th").get_text(" ")) for tr in marked] == ["5 of 15 observed"]
