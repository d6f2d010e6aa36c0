"""A trial as schema.org JSON-LD, for search engines and other machine readers.

An interventional study is a ``MedicalTrial``; schema.org has its own types
for the others (``MedicalObservationalStudy``, and ``MedicalStudy`` for
expanded access). schema.org retired ``MedicalTrial.phase``, so the phase is
stated in ``disambiguatingDescription``, beside the enumerated ``trialDesign``.
Sites are ``studyLocation`` (an ``AdministrativeArea``: the city, with the
facility as a place in it).

The same object is embedded in the head of every page
(``templates/jsonld.html.jinja``) and published as ``trial.jsonld``.
"""

from __future__ import annotations

import json
from typing import Any

from macros.trial.labels import label
from macros.trial.model import Trial

SCHEMA = "https://schema.org/"
REGISTRY_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"

_STATUS = {
    "ACTIVE_NOT_RECRUITING": "ActiveNotRecruiting",
    "COMPLETED": "Completed",
    "ENROLLING_BY_INVITATION": "EnrollingByInvitation",
    "NOT_YET_RECRUITING": "NotYetRecruiting",
    "RECRUITING": "Recruiting",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "WITHDRAWN": "Withdrawn",
}
_MASKING = {
    "NONE": "OpenTrial",
    "SINGLE": "SingleBlindedTrial",
    "DOUBLE": "DoubleBlindedTrial",
    # schema.org stops at triple; a quadruple-masked trial is also triple-masked.
    "TRIPLE": "TripleBlindedTrial",
    "QUADRUPLE": "TripleBlindedTrial",
}
_OBSERVATIONAL = {"COHORT": "CohortStudy", "CROSS_SECTIONAL": "CrossSectional"}
_SUBJECT = {
    "DRUG": "Drug",
    "BIOLOGICAL": "Drug",
    "DIETARY_SUPPLEMENT": "DietarySupplement",
    "DEVICE": "MedicalDevice",
    "PROCEDURE": "MedicalProcedure",
    "RADIATION": "RadiationTherapy",
    "BEHAVIORAL": "MedicalTherapy",
    "DIAGNOSTIC_TEST": "MedicalTest",
}
_STUDY_TYPE = {
    "INTERVENTIONAL": "MedicalTrial",
    "OBSERVATIONAL": "MedicalObservationalStudy",
    "EXPANDED_ACCESS": "MedicalStudy",
}


def medical_study(trial: Trial) -> dict[str, Any]:
    ident = trial.identification
    design = trial.design
    registry_url = REGISTRY_STUDY_URL.format(nct_id=ident.nct_id)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _STUDY_TYPE.get(design.study_type or "", "MedicalStudy"),
        "@id": registry_url,
        "sameAs": registry_url,
        "name": ident.brief_title,
        "identifier": _identifiers(trial),
        "disambiguatingDescription": _summary_line(trial),
        "status": _status(trial.status.overall_status),
        "healthCondition": [
            {"@type": "MedicalCondition", "name": name} for name in trial.conditions.conditions
        ],
        "sponsor": [
            {"@type": "Organization", "name": sponsor.name}
            for sponsor in [
                trial.sponsor_collaborators.lead_sponsor,
                *trial.sponsor_collaborators.collaborators,
            ]
        ],
        "population": _population(trial),
    }
    if trial.description.brief_summary:
        data["description"] = trial.description.brief_summary
    alternate = [name for name in (ident.official_title, ident.acronym) if name]
    if alternate:
        data["alternateName"] = alternate
    if design.study_type == "INTERVENTIONAL":
        data["trialDesign"] = [SCHEMA + name for name in _trial_design(trial)]
    elif design.study_type == "OBSERVATIONAL":
        data["studyDesign"] = [SCHEMA + name for name in _observational_design(trial)]
    subjects = [_subject(i) for i in trial.arms_interventions.interventions]
    if subjects:
        data["studySubject"] = subjects
    outcomes = [o.measure for o in trial.outcomes.primary_outcomes]
    if outcomes:
        data["outcome"] = outcomes
    locations = [_location(site) for site in trial.contacts_locations.locations]
    if locations:
        data["studyLocation"] = locations
    return data


def jsonld_text(trial: Trial) -> str:
    """The download: the same object, indented, keys sorted."""
    return json.dumps(medical_study(trial), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _identifiers(trial: Trial) -> list[dict[str, Any]]:
    ident = trial.identification
    out = [{"@type": "PropertyValue", "propertyID": "NCT", "value": ident.nct_id}]
    if ident.org_study_id_info:
        # The organization's own study id; the organization is usually the lead sponsor.
        org = (
            ident.organization.full_name
            if ident.organization
            else trial.sponsor_collaborators.lead_sponsor.name
        )
        out.append(
            {"@type": "PropertyValue", "propertyID": org, "value": ident.org_study_id_info.id}
        )
    for secondary in ident.secondary_id_infos:
        out.append(
            {
                "@type": "PropertyValue",
                "propertyID": secondary.domain or label(secondary.type) or "Secondary ID",
                "value": secondary.id,
            }
        )
    return out


def _status(status: str) -> str:
    if status in _STATUS:
        return SCHEMA + _STATUS[status]
    return label(status)


def _summary_line(trial: Trial) -> str:
    design = trial.design
    phases = " / ".join(label(p) for p in design.phases if p != "NA")
    kind = f"{label(design.study_type).lower()} study" if design.study_type else "study"
    return f"{phases} {kind}" if phases else kind.capitalize()


def _trial_design(trial: Trial) -> list[str]:
    info = trial.design.design_info
    out = []
    if info and info.allocation == "RANDOMIZED":
        out.append("RandomizedTrial")
    if info and info.masking_info and info.masking_info.masking in _MASKING:
        out.append(_MASKING[info.masking_info.masking])
    if any(a.type == "PLACEBO_COMPARATOR" for a in trial.arms_interventions.arm_groups):
        out.append("PlaceboControlledTrial")
    sites = trial.contacts_locations.locations
    if len(sites) == 1:
        out.append("SingleCenterTrial")
    elif len(sites) > 1:
        out.append("MultiCenterTrial")
    if len({site.country for site in sites if site.country}) > 1:
        out.append("InternationalTrial")
    return out


def _observational_design(trial: Trial) -> list[str]:
    info = trial.design.design_info
    out = []
    for value in (info.observational_model, info.time_perspective) if info else ():
        if value in _OBSERVATIONAL:
            out.append(_OBSERVATIONAL[value])
    if trial.design.patient_registry:
        out.append("Registry")
    return out or ["Observational"]


def _population(trial: Trial) -> str:
    e = trial.eligibility
    sexes = {"ALL": "All sexes", "FEMALE": "Female", "MALE": "Male"}.get(e.sex or "", "Sex not stated")
    if e.minimum_age and e.maximum_age:
        ages = f"aged {e.minimum_age} to {e.maximum_age}"
    elif e.minimum_age:
        ages = f"aged {e.minimum_age} or older"
    elif e.maximum_age:
        ages = f"aged up to {e.maximum_age}"
    else:
        ages = "of any age"
    volunteers = {
        True: "healthy volunteers accepted",
        False: "no healthy volunteers",
        None: "healthy volunteers not stated",
    }[e.healthy_volunteers]
    return f"{sexes}, {ages}; {volunteers}."


def _subject(intervention: Any) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "@type": _SUBJECT.get(intervention.type, "MedicalEntity"),
        "name": intervention.name,
    }
    if intervention.other_names:
        subject["alternateName"] = list(intervention.other_names)
    if intervention.description:
        subject["description"] = intervention.description
    return subject


def _location(site: Any) -> dict[str, Any]:
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if site.country:
        address["addressCountry"] = site.country
    if site.city:
        address["addressLocality"] = site.city
    if site.state:
        address["addressRegion"] = site.state
    if site.zip:
        address["postalCode"] = site.zip
    area: dict[str, Any] = {
        "@type": "AdministrativeArea",
        "name": ", ".join(part for part in (site.city, site.state, site.country) if part),
        "address": address,
    }
    if site.facility:
        area["containsPlace"] = {"@type": "Place", "name": site.facility}
    if site.geo_point:
        area["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": site.geo_point.lat,
            "longitude": site.geo_point.lon,
        }
    return area
