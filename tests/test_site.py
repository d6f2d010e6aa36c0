"""Whole-site tests: build with mkdocs --strict in a subprocess, read the HTML.

Values are read from the YAML with the project's own loader, then looked for
on the page where a reader would expect them, as text (after HTML parsing) and
as correctly escaped markup.
"""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, TESTS, Build, build_site
from macros.site.loading import load_trial

TRIAL = load_trial(ROOT / "data" / "trial.yaml")
PAGES = ["index", "design", "arms", "outcomes", "eligibility", "sites", "sponsors"]


def soup(build: Build, page: str) -> BeautifulSoup:
    return BeautifulSoup(build.page(page), "html.parser")


def text_of(build: Build, page: str) -> str:
    """The visible text of a page's article, whitespace folded."""
    article = soup(build, page).select_one("article")
    assert article is not None
    return " ".join(article.get_text(" ").split())


def test_strict_build_has_no_warnings(built_site: Build) -> None:
    assert "WARNING" not in built_site.stderr + built_site.stdout


def test_every_criterion_is_on_the_eligibility_page_verbatim(built_site: Build) -> None:
    page = soup(built_site, "eligibility")
    for group in ("inclusion", "exclusion"):
        expected = [(c.id, c.text) for c in getattr(TRIAL.eligibility, group)]
        items = page.select(f".trial-criteria--{group} .trial-criterion")
        found = [
            (li.select_one(".trial-criterion__id").get_text(),
             li.select_one(".trial-criterion__text").get_text())
            for li in items
        ]
        assert found == expected
    assert len(page.select(".trial-criterion")) == 25


def test_criteria_with_markup_characters_are_escaped_not_interpreted(built_site: Build) -> None:
    html = built_site.page("eligibility")
    assert "Platelet counts &lt; 50 x 10^9/L at least 2 times consecutively" in html
    assert "Ferritin &gt; 1000 ng/ml" in html
    text = text_of(built_site, "eligibility")
    assert "Platelet counts < 50 x 10^9/L" in text
    assert "ALT or AST > 3 ULN, or TBil > 1.5 ULN after treatment." in text


def test_eligibility_facts(built_site: Build) -> None:
    text = text_of(built_site, "eligibility")
    assert "Minimum age 18 Years" in text
    assert "Sex All" in text
    assert "Healthy volunteers Not accepted" in text
    assert "4 inclusion criteria, 21 exclusion criteria" in text


def test_overview_panel(built_site: Build) -> None:
    text = text_of(built_site, "index")
    ident = TRIAL.identification
    for value in (
        ident.brief_title, ident.nct_id, "Completed", "Phase 2", "Interventional",
        "54 participants", "2022-12-01", "2025-01-28", "2025-08-05",
        "Institute of Hematology & Blood Diseases Hospital, China",
        "Non Severe Aplastic Anemia Untreated", "Not yet posted",
        TRIAL.description.brief_summary,
    ):
        assert value in text, value
    link = soup(built_site, "index").select_one(".trial-glance a[href]")
    assert link["href"] == "https://clinicaltrials.gov/study/NCT05660785"
    assert "Institute of Hematology &amp; Blood Diseases Hospital" in built_site.page("index")


def test_design_page_states_design_info_and_plan(built_site: Build) -> None:
    text = text_of(built_site, "design")
    for value in ("Not applicable", "Single group", "Treatment", "None (open label)"):
        assert value in text
    assert "Stage 1 enrols 15 participants" in text
    assert "If 8 or fewer respond, the trial stops for futility" in text
    assert "28 more are enrolled, 43 in total" in text
    assert "more than 26 of 43 respond" in text
    assert "allowing for 20% dropout" in text
    assert "43 evaluable participants require enrolling 54" in text
    assert "the registry states an enrollment of 54" in text


def test_arms_and_interventions(built_site: Build) -> None:
    text = text_of(built_site, "arms")
    arm = TRIAL.arms_interventions.arm_groups[0]
    intervention = TRIAL.arms_interventions.interventions[0]
    assert arm.label in text and arm.description in text and "Experimental" in text
    assert intervention.name in text and "Cyclosporine A" in text
    for para in intervention.description.split("\n\n"):
        assert " ".join(para.split()) in text


def test_outcomes_page_says_clearly_that_none_are_registered(built_site: Build) -> None:
    text = text_of(built_site, "outcomes")
    assert "None registered. The registry record lists no primary outcome measures." in text
    assert "None registered. The registry record lists no secondary outcome measures." in text


def test_sites_table_count_and_countries(built_site: Build) -> None:
    page = soup(built_site, "sites")
    rows = page.select(".trial-table--sites tbody tr")
    expected = [
        [loc.facility, loc.city, loc.state, loc.country]
        for loc in TRIAL.contacts_locations.locations
    ]
    found = [[td.get_text() for td in row.select("td")][1:5] for row in rows]
    assert found == expected
    assert "4 sites in 1 country: China." in text_of(built_site, "sites")
    assert "Tai’an" in text_of(built_site, "sites")


def test_sponsors_and_identifiers(built_site: Build) -> None:
    text = text_of(built_site, "sponsors")
    assert "Institute of Hematology & Blood Diseases Hospital, China Lead sponsor Other" in text
    assert "Jiangsu Hengrui Pharmaceutical Co., Ltd. Collaborator Industry" in text
    assert "Responsible party: Sponsor." in text
    assert "NCT05660785" in text and "IIT2022049" in text


def test_every_page_carries_the_trial_identity_and_record_version(built_site: Build) -> None:
    for name in PAGES:
        identity = soup(built_site, name).select_one(".trial-identity")
        assert identity is not None, name
        words = " ".join(identity.get_text(" ").split())
        assert "NCT05660785" in words and "Registry record of 2025-08-05" in words, name
        assert identity.select_one(".trial-badge--completed") is not None
        footer = soup(built_site, name).select_one("footer .trial-footer")
        assert footer is not None, name
        assert " ".join(footer.get_text().split()) == (
            "NCT05660785 · Herombopag Added to Cyclosporine in Non Severe Aplastic Anemia"
            " · Registry record of 2025-08-05"
        )
        assert "NCT05660785" in soup(built_site, name).title.get_text()


def test_search_index_finds_criteria_on_the_eligibility_page(built_site: Build) -> None:
    index = json.loads((built_site.site / "search" / "search_index.json").read_text())
    hits = [doc["location"] for doc in index["docs"] if "ferritin" in doc["text"].lower()]
    assert "eligibility/#exclusion-criteria" in hits
    for criterion in TRIAL.criteria:
        word = max(re.findall(r"[A-Za-z]{4,}", criterion.text), key=len)
        assert any(
            word.lower() in doc["text"].lower() and doc["location"].startswith("eligibility/")
            for doc in index["docs"]
        ), (criterion.id, word)


def test_no_page_requests_anything_from_another_host(built_site: Build) -> None:
    for html_file in built_site.site.rglob("*.html"):
        page = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in page.find_all(tag):
                url = element.get(attr) or ""
                if tag == "link" and "stylesheet" not in element.get("rel", []) and \
                        "preconnect" not in element.get("rel", []):
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{html_file}: {tag} {url}"
        assert "fonts.googleapis" not in str(page)


PAYLOADS = [
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}",
    "**bold**",
    "[x](javascript:alert(1))",
]


FREE_TEXT_STATUS = "Status {{ ''.__class__ }} not_a_code"
FREE_TEXT_TYPE = "Type __init__ of_the_org"


def _payload_trial(tmp_path: Path) -> Path:
    data = yaml.safe_load((TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8"))
    joined = " ".join(PAYLOADS)
    data["identification"]["brief_title"] = f"Title {joined}"
    data["description"]["brief_summary"] = f"Summary {joined}"
    data["eligibility"]["inclusion"][0]["text"] = f"Criterion {joined}"
    data["contacts_locations"]["locations"][0]["facility"] = f"Site {joined}"
    data["sponsor_collaborators"]["lead_sponsor"]["name"] = f"Sponsor {joined}"
    data["arms_interventions"]["interventions"][0]["description"] = f"Intervention {joined}"
    data["outcomes"]["primary_outcomes"][0]["measure"] = f"Outcome {joined}"
    # Free text in fields that usually hold a registry code (shown through the label filter).
    data["contacts_locations"]["locations"][0]["status"] = FREE_TEXT_STATUS
    data["identification"]["org_study_id_info"]["type"] = FREE_TEXT_TYPE
    path = tmp_path / "payload_trial.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp("payload")
    build = build_site(tmp / "site", trial=_payload_trial(tmp))
    assert build.returncode == 0, build.stderr
    return build


@pytest.mark.parametrize(
    ("page", "prefix"),
    [
        ("index", "Title"), ("index", "Summary"), ("eligibility", "Criterion"),
        ("sites", "Site"), ("sponsors", "Sponsor"), ("arms", "Intervention"),
        ("outcomes", "Outcome"),
    ],
)
def test_injection_payloads_come_out_literally(payload_site: Build, page: str, prefix: str) -> None:
    expected = f"{prefix} " + " ".join(PAYLOADS)
    assert expected in text_of(payload_site, page)
    html = payload_site.page(page)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" not in html
    assert 'href="javascript:' not in html
    assert ">49<" not in html and " 49 " not in text_of(payload_site, page)


def test_free_text_in_coded_fields_is_shown_exactly_as_written(payload_site: Build) -> None:
    assert FREE_TEXT_STATUS in text_of(payload_site, "sites")
    assert f"({FREE_TEXT_TYPE})" in text_of(payload_site, "sponsors")
    # Registry codes in the same fields still read as words.
    assert "Recruiting" in text_of(payload_site, "sites")


def test_the_second_trial_builds_a_complete_site_from_the_same_docs(tmp_path: Path) -> None:
    build = build_site(tmp_path / "site", trial=TESTS / "data" / "second_trial.yaml")
    assert build.returncode == 0, build.stderr
    assert "quokka" in text_of(build, "index")
    assert "Recruiting" in text_of(build, "index")
    outcomes = text_of(build, "outcomes")
    assert "Change in systolic blood pressure" in outcomes and "None registered" not in outcomes
    assert "2 sites in 2 countries: Norway, Portugal." in text_of(build, "sites")
    assert "Resting systolic blood pressure ≥ 130 mmHg & < 160 mmHg" in text_of(build, "eligibility")
    assert "This trial's file states no statistical plan." in text_of(build, "design")
    assert "NCT05660785" not in build.page("index")


def test_two_builds_of_the_same_commit_are_byte_identical(built_site: Build, tmp_path: Path) -> None:
    again = build_site(tmp_path / "site")
    assert again.returncode == 0, again.stderr
    first = sorted(p.relative_to(built_site.site) for p in built_site.site.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again.site) for p in again.site.rglob("*") if p.is_file())
    assert first == second
    _, mismatch, errors = filecmp.cmpfiles(built_site.site, again.site, first, shallow=False)
    assert mismatch == [] and errors == []


def test_failed_build_keeps_the_last_good_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / ".trial-site").write_text("built\n")  # made by an earlier build
    (site / "index.html").write_text("last good site")
    result = subprocess.run(
        [sys.executable, "-m", "macros", "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True,
        env={**_env(), "TRIAL_DATA": "tests/invalid/19-many-problems.yaml"},
    )
    assert result.returncode == 1
    assert "Build stopped: the site was not changed." in result.stderr
    assert "Traceback" not in result.stderr
    assert (site / "index.html").read_text() == "last good site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_successful_build_replaces_the_site_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / ".trial-site").write_text("built\n")  # made by an earlier build
    (site / "stale.html").write_text("old")
    result = subprocess.run(
        [sys.executable, "-m", "macros", "build", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env=_env(),
    )
    assert result.returncode == 0, result.stderr
    assert not (site / "stale.html").exists()
    assert "NCT05660785" in (site / "eligibility" / "index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("TRIAL_DATA", None)
    return env


def test_imported_layouts_show_subgroups_sub_items_and_notes(tmp_path: Path) -> None:
    trial = tmp_path / "imported.yaml"
    imported = subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", "tests/data/handwritten_record.json",
         "-o", str(trial)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert imported.returncode == 0, imported.stderr
    build = build_site(tmp_path / "site", trial=trial, TRIAL_CHROMIUM="/nonexistent", CI="")
    assert build.returncode == 0, build.stderr
    page = soup(build, "eligibility")
    groups = [p.get_text() for p in page.select(".trial-criteria__group")]
    assert groups == ["Part B only:", "For participants in Cohort 2:"]
    nested = [
        li.select_one(".trial-criterion__id").get_text() for li in page.select(".trial-criterion--nested")
    ]
    assert nested == ["I3.1", "I3.2", "I3.3", "I3.3.1", "E3.1", "E3.2"]
    text = text_of(build, "eligibility")
    assert text.index("Eligibility is assessed at the screening visit.") < text.index("I1 Adults")
    assert text.endswith("The criteria above are a summary; the protocol has the complete list.")
    assert "excipients <script>alert(1)</script>." in text
