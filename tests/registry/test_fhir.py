"""The FHIR R5 Bundle, validated with the fhir.resources package (R5 is its default)."""

from __future__ import annotations

import json

import fhir.resources
import pytest
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from pydantic import ValidationError

from conftest import ROOT, TESTS
from macros.registry.ctgov_import import import_record, read_record
from macros.registry.fhir import bundle, bundle_text
from macros.site.loading import load_trial

SOURCES = [
    ROOT / "data" / "trial.yaml",
    TESTS / "data" / "second_trial.yaml",
    TESTS / "data" / "ctgov" / "NCT02210780.json",
    TESTS / "data" / "ctgov" / "NCT03475563.json",
    TESTS / "data" / "handwritten_record.json",
]


def load(path):
    if path.suffix == ".json":
        return import_record(read_record(path)).trial
    return load_trial(path)


@pytest.fixture(params=SOURCES, ids=lambda p: p.stem)
def case(request):
    trial = load(request.param)
    return trial, bundle(trial)


def resources(data: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def test_the_package_validates_r5() -> None:
    assert fhir.resources.__fhir_version__.startswith("5.")


def test_the_bundle_and_every_resource_validate(case) -> None:
    _, data = case
    Bundle.model_validate(data)
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    # The validation is strict: an unknown key or a missing required one fails.
    study = dict(resources(data, "ResearchStudy")[0], phaze="phase-2")
    with pytest.raises(ValidationError):
        get_fhir_model_class("ResearchStudy").model_validate(study)


def test_one_study_one_group_and_an_entry_per_sponsor_and_site(case) -> None:
    trial, data = case
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert data["type"] == "collection"
    assert kinds[0] == "ResearchStudy"
    assert kinds.count("ResearchStudy") == kinds.count("Group") == 1
    sponsors = trial.sponsor_collaborators
    assert [o["name"] for o in resources(data, "Organization")] == [
        sponsors.lead_sponsor.name, *(c.name for c in sponsors.collaborators)
    ]
    assert len(resources(data, "Location")) == len(trial.contacts_locations.locations)


def test_every_reference_resolves_inside_the_bundle(case) -> None:
    _, data = case
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(u.startswith("urn:uuid:") for u in urls)
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    references = []

    def walk(value):
        if isinstance(value, dict):
            if "reference" in value:
                references.append(value["reference"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    assert references and set(references) <= set(urls)


def test_the_study_carries_the_registry_identity_and_status(case) -> None:
    trial, data = case
    study = resources(data, "ResearchStudy")[0]
    group_url = next(e["fullUrl"] for e in data["entry"] if e["resource"]["resourceType"] == "Group")
    assert study["identifier"][0] == {
        "use": "official", "system": "https://clinicaltrials.gov",
        "value": trial.identification.nct_id,
    }
    assert study["title"] == trial.identification.brief_title
    assert study["recruitment"]["eligibility"] == {"reference": group_url}
    assert [c["text"] for c in study["condition"]] == trial.conditions.conditions
    roles = [p["role"]["coding"][0]["code"] for p in study["associatedParty"]]
    assert roles[0] == "lead-sponsor" and set(roles[1:]) <= {"collaborator"}
    arms = trial.arms_interventions.arm_groups
    assert [g["name"] for g in study.get("comparisonGroup", [])] == [a.label for a in arms]


def test_the_group_holds_every_criterion_with_exclusions_marked(case) -> None:
    trial, data = case
    group = resources(data, "Group")[0]
    assert group["membership"] == "definitional" and group["type"] == "person"
    by_id = {c["id"]: c for c in group["characteristic"] if "id" in c}
    eligibility = trial.eligibility
    assert list(by_id) == [c.id for c in (*eligibility.inclusion, *eligibility.exclusion)]
    for criterion in eligibility.inclusion:
        assert by_id[criterion.id]["code"]["text"] == criterion.text
        assert by_id[criterion.id]["exclude"] is False
    for criterion in eligibility.exclusion:
        assert by_id[criterion.id]["code"]["text"] == criterion.text
        assert by_id[criterion.id]["exclude"] is True
        assert by_id[criterion.id]["valueBoolean"] is True


def test_the_phase_purpose_and_progress_codes() -> None:
    data = bundle(load(TESTS / "data" / "handwritten_record.json"))
    study = resources(data, "ResearchStudy")[0]
    assert study["phase"]["coding"][0] == {
        "system": "http://hl7.org/fhir/research-study-phase", "code": "phase-1-phase-2",
    }
    assert study["primaryPurposeType"]["coding"][0]["code"] == "treatment"
    assert study["progressStatus"][0]["state"]["coding"][0] == {
        "system": "http://hl7.org/fhir/research-study-status", "code": "recruiting",
    }
    assert study["recruitment"]["targetNumber"] == 120
    assert study["period"] == {"start": "2024-01-15", "end": "2027"}
    age = resources(data, "Group")[0]["characteristic"][0]
    assert age["valueRange"] == {
        "low": {"value": 18, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"},
        "high": {"value": 75, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"},
    }
    lyon = resources(data, "Location")[1]
    assert lyon["address"] == {"city": "Lyon", "postalCode": "69003", "country": "France"}
    assert lyon["position"] == {"latitude": 45.74846, "longitude": 4.84671}


def test_the_same_trial_gives_the_same_bytes() -> None:
    trial = load(ROOT / "data" / "trial.yaml")
    assert bundle_text(trial) == bundle_text(load(ROOT / "data" / "trial.yaml"))
    assert json.loads(bundle_text(trial)) == bundle(trial)
