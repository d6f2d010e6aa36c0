"""The typed trial model: ClinicalTrials.gov API v2 names in snake_case.

Every model forbids unknown keys and is strict about types, so ``"54"`` is not
a count and ``yes`` in quotes is not a boolean. Registry enumerations are
``Literal`` types so that a bad choice lists the allowed values. Checks that
span several fields live in :mod:`macros.consistency`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True
    )


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_date(value: str) -> str:
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError("must be a date written YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError("is not a real calendar date") from None
    return value


def date_key(value: str) -> tuple[int, int, int]:
    """Sort key of a partial date: ``2025-01`` sorts as the first of January."""
    parts = [int(p) for p in value.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


PartialDate = Annotated[str, AfterValidator(_check_date)]
Text = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=40)]

OverallStatus = Literal[
    "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
    "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
]
Phase = Literal["NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]
StudyType = Literal["EXPANDED_ACCESS", "INTERVENTIONAL", "OBSERVATIONAL"]
Allocation = Literal["RANDOMIZED", "NON_RANDOMIZED", "NA"]
InterventionModel = Literal["SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"]
PrimaryPurpose = Literal[
    "TREATMENT", "PREVENTION", "DIAGNOSTIC", "ECT", "SUPPORTIVE_CARE", "SCREENING",
    "HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "OTHER",
]
Masking = Literal["NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"]
WhoMasked = Literal["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]
ArmGroupType = Literal[
    "EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR",
    "NO_INTERVENTION", "OTHER",
]
InterventionType = Literal[
    "BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST",
    "DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER",
]
Sex = Literal["FEMALE", "MALE", "ALL"]
AgencyClass = Literal[
    "NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"
]
ResponsiblePartyType = Literal["SPONSOR", "PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR"]
DateType = Literal["ACTUAL", "ESTIMATED"]
StandardAge = Literal["CHILD", "ADULT", "OLDER_ADULT"]
Age = Annotated[
    str,
    Field(pattern=r"^\d+ (Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$"),
]


# --- identification -------------------------------------------------------


class OrgStudyIdInfo(Strict):
    id: Text
    type: Text | None = None
    link: Text | None = None


class SecondaryIdInfo(Strict):
    id: Text
    type: Text | None = None
    domain: Text | None = None
    link: Text | None = None


class Organization(Strict):
    full_name: Text
    class_: AgencyClass | None = Field(default=None, alias="class")


class Identification(Strict):
    nct_id: Annotated[str, Field(pattern=r"^NCT\d{8}$")]
    org_study_id_info: OrgStudyIdInfo | None = None
    secondary_id_infos: list[SecondaryIdInfo] = []
    organization: Organization | None = None
    brief_title: Text
    official_title: Text | None = None
    acronym: Text | None = None


# --- status ---------------------------------------------------------------


class DateStruct(Strict):
    date: PartialDate
    type: DateType | None = None


class Status(Strict):
    status_verified_date: PartialDate | None = None
    overall_status: OverallStatus
    why_stopped: Text | None = None
    start_date: DateStruct | None = None
    primary_completion_date: DateStruct | None = None
    completion_date: DateStruct | None = None
    study_first_submit_date: PartialDate | None = None
    study_first_post_date: DateStruct | None = None
    last_update_submit_date: PartialDate | None = None
    last_update_post_date: DateStruct


# --- sponsors -------------------------------------------------------------


class ResponsibleParty(Strict):
    type: ResponsiblePartyType | None = None
    investigator_full_name: Text | None = None
    investigator_title: Text | None = None
    investigator_affiliation: Text | None = None


class Sponsor(Strict):
    name: Text
    class_: AgencyClass | None = Field(default=None, alias="class")


class SponsorCollaborators(Strict):
    responsible_party: ResponsibleParty | None = None
    lead_sponsor: Sponsor
    collaborators: list[Sponsor] = []


# --- description, conditions, design --------------------------------------


class Description(Strict):
    brief_summary: Text
    detailed_description: Text | None = None


class Conditions(Strict):
    conditions: Annotated[list[Text], Field(min_length=1)]
    keywords: list[Text] = []


class MaskingInfo(Strict):
    masking: Masking | None = None
    masking_description: Text | None = None
    who_masked: list[WhoMasked] = []


class DesignInfo(Strict):
    allocation: Allocation | None = None
    intervention_model: InterventionModel | None = None
    intervention_model_description: Text | None = None
    primary_purpose: PrimaryPurpose | None = None
    observational_model: Text | None = None
    time_perspective: Text | None = None
    masking_info: MaskingInfo | None = None


class EnrollmentInfo(Strict):
    count: Annotated[int, Field(ge=0)]
    type: DateType | None = None


class Design(Strict):
    study_type: StudyType
    phases: list[Phase] = []
    design_info: DesignInfo | None = None
    enrollment_info: EnrollmentInfo | None = None


# --- arms and interventions ----------------------------------------------


class ArmGroup(Strict):
    label: Text
    type: ArmGroupType | None = None
    description: Text | None = None
    intervention_names: list[Text] = []


class Intervention(Strict):
    type: InterventionType
    name: Text
    description: Text | None = None
    arm_group_labels: list[Text] = []
    other_names: list[Text] = []


class ArmsInterventions(Strict):
    arm_groups: list[ArmGroup] = []
    interventions: list[Intervention] = []


# --- outcomes -------------------------------------------------------------


class Outcome(Strict):
    measure: Text
    description: Text | None = None
    time_frame: Text | None = None


class Outcomes(Strict):
    primary_outcomes: list[Outcome] = []
    secondary_outcomes: list[Outcome] = []
    other_outcomes: list[Outcome] = []


# --- eligibility ----------------------------------------------------------


class Criterion(Strict):
    """One eligibility criterion: a stable id and the protocol's own words."""

    id: Identifier
    text: Text


class Eligibility(Strict):
    sex: Sex
    gender_based: bool | None = None
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    std_ages: list[StandardAge] = []
    healthy_volunteers: bool
    inclusion: list[Criterion] = []
    exclusion: list[Criterion] = []


# --- locations ------------------------------------------------------------


class Location(Strict):
    facility: Text | None = None
    status: Text | None = None
    city: Text | None = None
    state: Text | None = None
    zip: Text | None = None
    country: Text


class ContactsLocations(Strict):
    locations: list[Location] = []


# --- extensions the registry lacks ---------------------------------------


class StatisticalPlan(Strict):
    """A Simon two-stage plan as the protocol states it.

    Stage 1 enrols ``n1``; the trial stops for futility when ``r1`` or fewer
    respond. Otherwise it enrols to ``n`` and the treatment is called
    promising when more than ``r`` of ``n`` respond.
    """

    method: Literal["SIMON_TWO_STAGE"]
    endpoint: Text | None = None
    n1: Annotated[int, Field(ge=1)]
    r1: Annotated[int, Field(ge=0)]
    n: Annotated[int, Field(ge=2)]
    r: Annotated[int, Field(ge=0)]
    dropout_rate: Annotated[float, Field(ge=0, lt=1)] = 0.0


class Protocol(Strict):
    """The protocol document's own version, when it has one."""

    version: Text
    date: PartialDate | None = None


class Trial(Strict):
    """One trial: the protocolSection modules plus the site's extensions."""

    identification: Identification
    status: Status
    has_results: bool = False
    sponsor_collaborators: SponsorCollaborators
    description: Description
    conditions: Conditions
    design: Design
    arms_interventions: ArmsInterventions = ArmsInterventions()
    outcomes: Outcomes = Outcomes()
    eligibility: Eligibility
    contacts_locations: ContactsLocations = ContactsLocations()
    statistical_plan: StatisticalPlan | None = None
    protocol: Protocol | None = None

    @property
    def criteria(self) -> list[Criterion]:
        return [*self.eligibility.inclusion, *self.eligibility.exclusion]

    @property
    def record_version(self) -> str:
        """The registry record's version: its last update date."""
        return self.status.last_update_post_date.date
