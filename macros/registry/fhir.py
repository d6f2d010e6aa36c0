"""A trial as a FHIR R5 Bundle, for FHIR-based trial matching and registries.

The Bundle (type ``collection``) holds:

* a **ResearchStudy**: identifiers, titles, phase, primary purpose, design,
  conditions, keywords, summary, period, progress status, arms
  (``comparisonGroup``), outcomes, the sponsors as ``associatedParty`` and the
  sites;
* a **Group** with the eligibility: sex and age as coded characteristics, then
  one characteristic per criterion, whose element id is the criterion's id,
  whose ``code.text`` is its words, and which is ``exclude: true`` for an
  exclusion criterion (a person who meets it is not in the group);
* an **Organization** per sponsor and collaborator, and a **Location** per site.

Every ``fullUrl`` is a ``urn:uuid`` derived from the NCT id and the entry's
role (UUID version 5), so the same trial gives the same bytes. Codes are from
FHIR R5's own code systems; design labels without an R5 code are text.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from macros.registry.jsonld import REGISTRY_STUDY_URL
from macros.trial.labels import label
from macros.trial.model import Trial

REGISTRY_SYSTEM = "https://clinicaltrials.gov"
_PHASE = {
    "NA": "n-a",
    "EARLY_PHASE1": "early-phase-1",
    "PHASE1": "phase-1",
    "PHASE2": "phase-2",
    "PHASE3": "phase-3",
    "PHASE4": "phase-4",
}
_COMBINED_PHASE = {("PHASE1", "PHASE2"): "phase-1-phase-2", ("PHASE2", "PHASE3"): "phase-2-phase-3"}
_PURPOSE = {
    "TREATMENT": "treatment",
    "PREVENTION": "prevention",
    "DIAGNOSTIC": "diagnostic",
    "SUPPORTIVE_CARE": "supportive-care",
    "SCREENING": "screening",
    "HEALTH_SERVICES_RESEARCH": "health-services-research",
    "BASIC_SCIENCE": "basic-science",
    "DEVICE_FEASIBILITY": "device-feasibility",
}
_PROGRESS = {
    "ACTIVE_NOT_RECRUITING": "active-but-not-recruiting",
    "COMPLETED": "completed",
    "ENROLLING_BY_INVITATION": "enrolling-by-invitation",
    "NOT_YET_RECRUITING": "not-yet-recruiting",
    "RECRUITING": "recruiting",
    "SUSPENDED": "temporarily-closed-to-accrual",
    "TERMINATED": "terminated",
    "WITHDRAWN": "withdrawn",
}
_SEX = {"FEMALE": "female", "MALE": "male"}
_AGE_UNITS = {
    "Year": "a", "Month": "mo", "Week": "wk", "Day": "d", "Hour": "h", "Minute": "min",
}
_OUTCOME_TYPES = (
    ("primary_outcomes", "primary"),
    ("secondary_outcomes", "secondary"),
    ("other_outcomes", "exploratory"),
)


def bundle(trial: Trial) -> dict[str, Any]:
    nct_id = trial.identification.nct_id
    entries: list[dict[str, Any]] = []

    def add(role: str, resource: dict[str, Any]) -> str:
        ident = _uuid(nct_id, role)
        kind = resource.pop("resourceType")
        entries.append(
            {"fullUrl": f"urn:uuid:{ident}", "resource": {"resourceType": kind, "id": ident, **resource}}
        )
        return f"urn:uuid:{ident}"

    sponsors = trial.sponsor_collaborators
    parties = []
    for index, sponsor in enumerate([sponsors.lead_sponsor, *sponsors.collaborators]):
        org: dict[str, Any] = {"resourceType": "Organization", "name": sponsor.name}
        if sponsor.class_:
            org["type"] = [{"text": label(sponsor.class_)}]
        role = "lead-sponsor" if index == 0 else "collaborator"
        parties.append((role, sponsor.name, add(f"organization-{index + 1}", org)))
    sites = [
        add(f"location-{index + 1}", _location(site))
        for index, site in enumerate(trial.contacts_locations.locations)
    ]
    group = add("eligibility", _group(trial))
    add("study", _research_study(trial, parties, sites, group))
    entries.insert(0, entries.pop())  # the study first, then what it refers to
    return {
        "resourceType": "Bundle",
        "id": _uuid(nct_id, "bundle"),
        "type": "collection",
        "entry": entries,
    }


def _uuid(nct_id: str, role: str) -> str:
    """A UUID (version 5) from the registry's address of the study and the entry's role."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{REGISTRY_STUDY_URL.format(nct_id=nct_id)}#{role}"))


def bundle_text(trial: Trial) -> str:
    return json.dumps(bundle(trial), indent=2, ensure_ascii=False) + "\n"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": f"http://hl7.org/fhir/{system}", "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _research_study(trial: Trial, parties: list, sites: list[str], group: str) -> dict[str, Any]:
    ident = trial.identification
    status = trial.status
    design = trial.design
    study: dict[str, Any] = {
        "resourceType": "ResearchStudy",
        "identifier": [
            {"use": "official", "system": REGISTRY_SYSTEM, "value": ident.nct_id},
        ],
        "title": ident.brief_title,
        "status": "active",
    }
    if ident.org_study_id_info:
        entry: dict[str, Any] = {"use": "secondary", "value": ident.org_study_id_info.id}
        if ident.organization:
            entry["assigner"] = {"display": ident.organization.full_name}
        study["identifier"].append(entry)
    for secondary in ident.secondary_id_infos:
        study["identifier"].append({"use": "secondary", "value": secondary.id})
    labels = [("Official title", ident.official_title), ("Acronym", ident.acronym)]
    if any(value for _, value in labels):
        study["label"] = [{"type": {"text": kind}, "value": value} for kind, value in labels if value]
    phase = _phase(design.phases)
    if phase:
        study["phase"] = phase
    info = design.design_info
    if info and info.primary_purpose:
        code = _PURPOSE.get(info.primary_purpose)
        study["primaryPurposeType"] = (
            _coding("research-study-prim-purp-type", code)
            if code
            else {"text": label(info.primary_purpose)}
        )
    designs = [label(design.study_type)] if design.study_type else []
    if info:
        designs += [
            label(value)
            for value in (
                info.allocation if info.allocation != "NA" else None,
                info.intervention_model,
                info.observational_model,
                info.time_perspective,
            )
            if value
        ]
        if info.masking_info and info.masking_info.masking:
            designs.append(f"Masking: {label(info.masking_info.masking)}")
    if designs:
        study["studyDesign"] = [{"text": text} for text in designs]
    if trial.conditions.conditions:
        study["condition"] = [{"text": name} for name in trial.conditions.conditions]
    if trial.conditions.keywords:
        study["keyword"] = [{"text": word} for word in trial.conditions.keywords]
    countries = sorted({site.country for site in trial.contacts_locations.locations if site.country})
    if countries:
        study["region"] = [{"text": country} for country in countries]
    if trial.description.brief_summary:
        study["descriptionSummary"] = trial.description.brief_summary
    if trial.description.detailed_description:
        study["description"] = trial.description.detailed_description
    period = {}
    if status.start_date:
        period["start"] = status.start_date.date
    end = status.completion_date or status.primary_completion_date
    if end:
        period["end"] = end.date
    if period:
        study["period"] = period
    progress = _PROGRESS.get(status.overall_status)
    study["progressStatus"] = [
        {
            "state": _coding("research-study-status", progress)
            if progress
            else {"text": label(status.overall_status)},
            "actual": True,
        }
    ]
    if status.why_stopped:
        study["whyStopped"] = {"text": status.why_stopped}
    study["associatedParty"] = [
        {
            "name": name,
            "role": _coding("research-study-party-role", role),
            "party": {"reference": url, "display": name},
        }
        for role, name, url in parties
    ]
    recruitment: dict[str, Any] = {"eligibility": {"reference": group}}
    enrollment = design.enrollment_info
    if enrollment and enrollment.count is not None:
        key = "actualNumber" if enrollment.type == "ACTUAL" else "targetNumber"
        recruitment[key] = enrollment.count
    study["recruitment"] = recruitment
    arms = trial.arms_interventions.arm_groups
    if arms:
        study["comparisonGroup"] = [_arm(arm) for arm in arms]
    outcomes = [
        _outcome(outcome, kind)
        for name, kind in _OUTCOME_TYPES
        for outcome in getattr(trial.outcomes, name)
    ]
    if outcomes:
        study["outcomeMeasure"] = outcomes
    if sites:
        study["site"] = [{"reference": url} for url in sites]
    return study


def _phase(phases: list[str]) -> dict[str, Any] | None:
    if not phases:
        return None
    key = tuple(sorted(phases))
    code = _COMBINED_PHASE.get(key) if len(key) == 2 else _PHASE.get(key[0])
    if code is None:
        return {"text": " / ".join(label(p) for p in phases)}
    return _coding("research-study-phase", code)


def _arm(arm: Any) -> dict[str, Any]:
    group: dict[str, Any] = {"name": arm.label}
    if arm.type:
        group["type"] = {"text": label(arm.type)}
    if arm.description:
        group["description"] = arm.description
    return group


def _outcome(outcome: Any, kind: str) -> dict[str, Any]:
    measure: dict[str, Any] = {
        "name": outcome.measure,
        "type": [_coding("research-study-objective-type", kind)],
    }
    parts = [outcome.description, f"Time frame: {outcome.time_frame}" if outcome.time_frame else None]
    text = "\n\n".join(part for part in parts if part)
    if text:
        measure["description"] = text
    return measure


def _group(trial: Trial) -> dict[str, Any]:
    e = trial.eligibility
    characteristics: list[dict[str, Any]] = []
    if e.sex in _SEX:
        characteristics.append(
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "46098-0", "display": "Sex"}]},
                "valueCodeableConcept": _coding("administrative-gender", _SEX[e.sex]),
                "exclude": False,
            }
        )
    if e.minimum_age or e.maximum_age:
        age_range: dict[str, Any] = {}
        if e.minimum_age:
            age_range["low"] = _age(e.minimum_age)
        if e.maximum_age:
            age_range["high"] = _age(e.maximum_age)
        characteristics.append(
            {
                "code": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "424144002",
                            "display": "Current chronological age",
                        }
                    ]
                },
                "valueRange": age_range,
                "exclude": False,
            }
        )
    for kind, criteria in (("inclusion", e.inclusion), ("exclusion", e.exclusion)):
        for criterion in criteria:
            characteristics.append(
                {
                    "id": re.sub(r"[^A-Za-z0-9.-]", "-", criterion.id),
                    "code": {"text": criterion.text},
                    "valueBoolean": True,
                    "exclude": kind == "exclusion",
                }
            )
    return {
        "resourceType": "Group",
        "type": "person",
        "membership": "definitional",
        "name": f"Eligible participants of {trial.identification.nct_id}",
        "description": (
            "A person is eligible who meets every characteristic with exclude false and "
            "none with exclude true."
        ),
        "characteristic": characteristics,
    }


def _age(age: str) -> dict[str, Any]:
    number, unit = age.split(" ")
    return {
        "value": int(number),
        "unit": unit.lower(),
        "system": "http://unitsofmeasure.org",
        "code": _AGE_UNITS[unit.rstrip("s")],
    }


def _location(site: Any) -> dict[str, Any]:
    location: dict[str, Any] = {
        "resourceType": "Location",
        "name": site.facility
        or ", ".join(p for p in (site.city, site.state, site.country) if p)
        or "Site not named",
    }
    address = {"city": site.city, "state": site.state, "postalCode": site.zip, "country": site.country}
    if any(address.values()):
        location["address"] = {key: value for key, value in address.items() if value}
    if site.geo_point:
        location["position"] = {"latitude": site.geo_point.lat, "longitude": site.geo_point.lon}
    return location
