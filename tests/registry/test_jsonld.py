"""schema.org JSON-LD: its content, and its place in the head of every page."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, TESTS, build_site
from macros.registry.ctgov_import import import_record, read_record
from macros.registry.jsonld import jsonld_text, medical_study
from macros.site.loading import load_trial

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}
HOSTILE = "</script><script>alert('x')</script><!-- & \u2028 \"quoted\""


def embedded(page: str) -> list[str]:
    head = page.split("</head>", 1)[0]
    assert len(SCRIPT.findall(page)) == len(SCRIPT.findall(head)), "JSON-LD outside the head"
    return SCRIPT.findall(head)


def test_every_page_has_the_trial_in_its_head(built_site) -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    expected = medical_study(trial)
    pages = sorted(built_site.site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        scripts = embedded(page.read_text(encoding="utf-8"))
        assert len(scripts) == 1, page
        assert json.loads(scripts[0]) == expected, page
    download = built_site.site / "downloads" / "trial.jsonld"
    assert json.loads(download.read_text(encoding="utf-8")) == expected


def test_the_medical_trial_has_what_search_engines_read() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    data = medical_study(trial)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalTrial"
    assert data["name"] == trial.identification.brief_title
    assert {"@type": "PropertyValue", "propertyID": "NCT", "value": "NCT05660785"} in data[
        "identifier"
    ]
    assert data["status"] == "https://schema.org/Completed"
    assert data["disambiguatingDescription"] == "Phase 2 interventional study"
    assert data["trialDesign"] == ["https://schema.org/OpenTrial", "https://schema.org/MultiCenterTrial"]
    assert [c["name"] for c in data["healthCondition"]] == trial.conditions.conditions
    assert data["sponsor"][0]["name"] == trial.sponsor_collaborators.lead_sponsor.name
    locations = trial.contacts_locations.locations
    assert [s["containsPlace"]["name"] for s in data["studyLocation"]] == [
        site.facility for site in locations
    ]
    assert all(s["@type"] == "AdministrativeArea" for s in data["studyLocation"])


def test_the_randomized_placebo_controlled_international_design() -> None:
    trial = import_record(read_record(TESTS / "data" / "handwritten_record.json")).trial
    data = medical_study(trial)
    assert data["trialDesign"] == [
        "https://schema.org/RandomizedTrial",
        "https://schema.org/DoubleBlindedTrial",
        "https://schema.org/PlaceboControlledTrial",
        "https://schema.org/MultiCenterTrial",
        "https://schema.org/InternationalTrial",
    ]
    assert data["disambiguatingDescription"] == "Phase 1 / Phase 2 interventional study"
    assert data["status"] == "https://schema.org/Recruiting"
    assert data["studyLocation"][0]["geo"] == {
        "@type": "GeoCoordinates", "latitude": 39.80172, "longitude": -89.64371,
    }


def test_an_observational_study_uses_schema_orgs_observational_type() -> None:
    trial = import_record(read_record(TESTS / "data" / "ctgov" / "NCT03475563.json")).trial
    data = medical_study(trial)
    assert data["@type"] == "MedicalObservationalStudy"
    assert "trialDesign" not in data
    assert data["studyDesign"] == ["https://schema.org/Registry"]
    assert data["status"] == "Unknown"  # not a schema.org status: the registry's word


def test_the_download_is_sorted_and_deterministic() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    text = jsonld_text(trial)
    assert text == jsonld_text(load_trial(ROOT / "data" / "trial.yaml"))
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """data/trial.yaml with a brief title that tries to close the script element."""
    folder = tmp_path_factory.mktemp("hostile")
    text = (ROOT / "data" / "trial.yaml").read_text(encoding="utf-8")
    text, count = re.subn(
        r"^  brief_title: .*$", lambda _: f"  brief_title: {json.dumps(HOSTILE)}", text,
        count=1, flags=re.M,
    )
    assert count == 1
    trial_file = folder / "trial.yaml"
    trial_file.write_text(text, encoding="utf-8")
    build = build_site(folder / "site", trial=trial_file, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    return build


def test_no_trial_text_can_close_the_script_element(hostile_site) -> None:
    for page in sorted(hostile_site.site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        scripts = embedded(html)
        assert len(scripts) == 1, page
        content = scripts[0]
        assert "<" not in content and ">" not in content and "&" not in content
        assert "\\u003c/script\\u003e" in content
        assert json.loads(content)["name"] == HOSTILE
        assert "<script>alert(" not in html, page
