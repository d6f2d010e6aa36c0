"""The typed trial model: ClinicalTrials.gov API v2 names in snake_case.

Every model forbids unknown keys and is strict about types, so ``"54"`` is not
a count and ``yes`` in quotes is not a boolean. Registry enumerations are
``Literal`` types so that a bad choice lists the allowed values. Checks that
span several fields live in :mod:`macros.consistency`.

What the registry itself may leave out is optional here too: old and withdrawn
records lack modules and fields (``healthyVolunteers``, ``descriptionModule``)
that newer ones always have. The registry's data dictionary marks no field as
required; only the record's identity, title, status and last update are.
"""

# Annotations are evaluated as the classes are defined (no ``from __future__
# import annotations``): pydantic would otherwise compile each one from its
# text on import, a cost every command pays.
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# date_key is also imported from here by older code.
from macros.trial.dates import PartialDate, date_key  # noqa: F401
from macros.trial.limits import MAX_DESIGN_N
from macros.trial.results_model import ObservedOutcome, Results
from macros.trial.rules import Rule


class Strict(BaseModel):
    # No NaN or infinity: they decide nothing and are not JSON (the pre-screen
    # embeds the rules as JSON). Validators are built when first used, not on
    # import, so that ``python -m macros validate`` builds the trial's in one
    # go rather than one for every model on the way.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, allow_inf_nan=False,
        defer_build=True,
    )


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
    Field(pattern=r"^[0-9]{1,6} (Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$"),
]
ExpandedAccessStatus = Literal[
    "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING"
]
BioSpecRetention = Literal["NONE_RETAINED", "SAMPLES_WITH_DNA", "SAMPLES_WITHOUT_DNA"]
SamplingMethod = Literal["PROBABILITY_SAMPLE", "NON_PROBABILITY_SAMPLE"]
OfficialRole = Literal["STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR"]
ContactRole = Literal[
    "STUDY_CHAIR", "STUDY_DIRECTOR", "PRINCIPAL_INVESTIGATOR", "SUB_INVESTIGATOR", "CONTACT"
]
ReferenceType = Literal["BACKGROUND", "RESULT", "DERIVED"]
IpdSharing = Literal["YES", "NO", "UNDECIDED"]
IpdSharingInfoType = Literal["STUDY_PROTOCOL", "SAP", "ICF", "CSR", "ANALYTIC_CODE"]


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
    nct_id: Annotated[str, Field(pattern=r"^NCT[0-9]{8}$")]
    org_study_id_info: OrgStudyIdInfo | None = None
    secondary_id_infos: list[SecondaryIdInfo] = []
    organization: Organization | None = None
    brief_title: Text
    official_title: Text | None = None
    acronym: Text | None = None
    nct_id_aliases: list[Text] = []


# --- status ---------------------------------------------------------------


class DateStruct(Strict):
    date: PartialDate
    type: DateType | None = None


class ExpandedAccessInfo(Strict):
    has_expanded_access: bool | None = None
    nct_id: Annotated[str, Field(pattern=r"^NCT[0-9]{8}$")] | None = None
    status_for_nct_id: ExpandedAccessStatus | None = None


class Status(Strict):
    status_verified_date: PartialDate | None = None
    overall_status: OverallStatus
    last_known_status: OverallStatus | None = None
    delayed_posting: bool | None = None
    why_stopped: Text | None = None
    expanded_access_info: ExpandedAccessInfo | None = None
    start_date: DateStruct | None = None
    primary_completion_date: DateStruct | None = None
    completion_date: DateStruct | None = None
    study_first_submit_date: PartialDate | None = None
    study_first_submit_qc_date: PartialDate | None = None
    study_first_post_date: DateStruct | None = None
    results_waived: bool | None = None
    results_first_submit_date: PartialDate | None = None
    results_first_submit_qc_date: PartialDate | None = None
    results_first_post_date: DateStruct | None = None
    disp_first_submit_date: PartialDate | None = None
    disp_first_submit_qc_date: PartialDate | None = None
    disp_first_post_date: DateStruct | None = None
    last_update_submit_date: PartialDate | None = None
    last_update_post_date: DateStruct


# --- sponsors -------------------------------------------------------------


class ResponsibleParty(Strict):
    type: ResponsiblePartyType | None = None
    investigator_full_name: Text | None = None
    investigator_title: Text | None = None
    investigator_affiliation: Text | None = None
    old_name_title: Text | None = None
    old_organization: Text | None = None


class Sponsor(Strict):
    name: Text
    class_: AgencyClass | None = Field(default=None, alias="class")


class SponsorCollaborators(Strict):
    responsible_party: ResponsibleParty | None = None
    lead_sponsor: Sponsor
    collaborators: list[Sponsor] = []


class Oversight(Strict):
    oversight_has_dmc: bool | None = None
    is_fda_regulated_drug: bool | None = None
    is_fda_regulated_device: bool | None = None
    is_unapproved_device: bool | None = None
    is_ppsd: bool | None = None
    is_us_export: bool | None = None
    fdaaa801_violation: bool | None = None


# --- description, conditions, design --------------------------------------


class Description(Strict):
    brief_summary: Text | None = None
    detailed_description: Text | None = None


class Conditions(Strict):
    conditions: list[Text] = []
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
    count: Annotated[int, Field(ge=0)] | None = None
    type: DateType | None = None


class ExpandedAccessTypes(Strict):
    individual: bool | None = None
    intermediate: bool | None = None
    treatment: bool | None = None


class BioSpec(Strict):
    retention: BioSpecRetention | None = None
    description: Text | None = None


class Design(Strict):
    study_type: StudyType | None = None
    n_ptrs_to_this_exp_acc_nct_id: Annotated[int, Field(ge=0)] | None = None
    expanded_access_types: ExpandedAccessTypes | None = None
    patient_registry: bool | None = None
    target_duration: Age | None = None
    phases: list[Phase] = []
    design_info: DesignInfo | None = None
    bio_spec: BioSpec | None = None
    enrollment_info: EnrollmentInfo | None = None


# --- arms and interventions ----------------------------------------------


class ArmGroup(Strict):
    label: Text
    type: ArmGroupType | None = None
    description: Text | None = None
    intervention_names: list[Text] = []


class Intervention(Strict):
    type: InterventionType | None = None
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
    """One eligibility criterion: a stable id and the protocol's own words.

    ``rule`` is an optional computable reading of the text for the pre-screen
    (see :mod:`macros.rules`); the text stays the authority. ``reading`` says,
    in a phrase, how an ambiguous text is read ("the total duration of previous
    TPO-RA treatment"); the pages show it beside the text as "Read as: ...".
    """

    id: Identifier
    text: Text
    rule: Rule | None = None
    reading: Annotated[str, Field(min_length=1, max_length=400)] | None = None
    # The subgroup heading the registry text lists it under ("Part A:"), if any.
    group: Text | None = None


ListStyle = Literal["BULLET", "NUMBER", "PLAIN"]


class CriteriaLayout(Strict):
    """How the registry's eligibility text lays the criteria out.

    Kept so that the export writes the text back as the registry had it:
    ``intro`` precedes the first heading, ``note`` follows the last criterion,
    the headings are the registry's own words, and the list styles say how
    top-level criteria are marked (``* ``, ``1. ``, or one line each).
    """

    intro: Text | None = None
    inclusion_heading: Text | None = None
    inclusion_list_style: ListStyle = "BULLET"
    exclusion_heading: Text | None = None
    exclusion_list_style: ListStyle = "BULLET"
    note: Text | None = None


class Eligibility(Strict):
    sex: Sex | None = None
    gender_based: bool | None = None
    gender_description: Text | None = None
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    std_ages: list[StandardAge] = []
    healthy_volunteers: bool | None = None
    study_population: Text | None = None
    sampling_method: SamplingMethod | None = None
    criteria_layout: CriteriaLayout | None = None
    inclusion: list[Criterion] = []
    exclusion: list[Criterion] = []


# --- locations ------------------------------------------------------------


class Contact(Strict):
    name: Text | None = None
    role: ContactRole | None = None
    phone: Text | None = None
    phone_ext: Text | None = None
    email: Text | None = None


class Official(Strict):
    name: Text | None = None
    affiliation: Text | None = None
    role: OfficialRole | None = None


class GeoPoint(Strict):
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class Location(Strict):
    facility: Text | None = None
    status: Text | None = None
    city: Text | None = None
    state: Text | None = None
    zip: Text | None = None
    country: Text | None = None
    contacts: list[Contact] = []
    geo_point: GeoPoint | None = None


class ContactsLocations(Strict):
    central_contacts: list[Contact] = []
    overall_officials: list[Official] = []
    locations: list[Location] = []


# --- references and data sharing -------------------------------------------


class Retraction(Strict):
    pmid: Text | None = None
    source: Text | None = None


class Reference(Strict):
    pmid: Text | None = None
    type: ReferenceType | None = None
    citation: Text | None = None
    retractions: list[Retraction] = []


class SeeAlsoLink(Strict):
    label: Text | None = None
    url: Text | None = None


class AvailIpd(Strict):
    id: Text | None = None
    type: Text | None = None
    url: Text | None = None
    comment: Text | None = None


class References(Strict):
    references: list[Reference] = []
    see_also_links: list[SeeAlsoLink] = []
    avail_ipds: list[AvailIpd] = []


class IpdSharingStatement(Strict):
    ipd_sharing: IpdSharing | None = None
    description: Text | None = None
    info_types: list[IpdSharingInfoType] = []
    time_frame: Text | None = None
    access_criteria: Text | None = None
    url: Text | None = None


# --- extensions the registry lacks ---------------------------------------


Probability = Annotated[float, Field(gt=0, lt=1)]

# Where the hypotheses come from. DERIVED values are stated nowhere: they were
# reconstructed (for example because they reproduce the stated design), and the
# site must never present them as registered.
HypothesesProvenance = Literal["REGISTERED", "PROTOCOL", "PUBLICATION", "DERIVED"]

# Which of Simon's designs the stated one is declared to be; the build checks it.
ClaimedDesign = Literal["OPTIMAL", "MINIMAX", "ADMISSIBLE", "NONE"]


class Hypotheses(Strict):
    """The response rates and error rates a two-stage design is built for.

    ``p0`` is the response rate of a treatment not worth pursuing, ``p1`` that
    of a promising one; the design should declare the treatment promising with
    probability at most ``alpha`` at ``p0`` and at least ``1 - beta`` at ``p1``.
    ``provenance`` says where the values come from, ``note`` how.
    """

    p0: Probability
    p1: Probability
    alpha: Probability
    beta: Probability
    provenance: HypothesesProvenance
    note: Text | None = None


class StatisticalPlan(Strict):
    """A Simon two-stage plan as the protocol states it.

    Stage 1 enrols ``n1``; the trial stops for futility when ``r1`` or fewer
    respond. Otherwise it enrols to ``n`` and the treatment is called
    promising when more than ``r`` of ``n`` respond.

    ``hypotheses`` are optional: without them the error rates cannot be
    checked. ``claimed_design`` other than ``NONE`` needs them. ``observed``
    holds the counts the trial observed, once known, for the exact analysis.
    """

    method: Literal["SIMON_TWO_STAGE"]
    endpoint: Text | None = None
    n1: Annotated[int, Field(ge=1)]
    r1: Annotated[int, Field(ge=0)]
    n: Annotated[int, Field(ge=2, le=MAX_DESIGN_N)]
    r: Annotated[int, Field(ge=0)]
    dropout_rate: Annotated[float, Field(ge=0, lt=1)] = 0.0
    hypotheses: Hypotheses | None = None
    claimed_design: ClaimedDesign = "NONE"
    # What the trial observed, once known (see ObservedOutcome).
    observed: ObservedOutcome | None = None


class Protocol(Strict):
    """The protocol document's own version, when it has one.

    ``date`` is the version's date; ``amendment`` the amendment's own id (such
    as ``A2``), ``approval_date`` the date an ethics committee approved it and
    ``summary`` what the amendment changed, in the protocol's words. Earlier
    versions are read from the trial file's git history (:mod:`macros.history`).
    """

    version: Text
    date: PartialDate | None = None
    amendment: Text | None = None
    approval_date: PartialDate | None = None
    summary: Text | None = None

    @property
    def title(self) -> str:
        """``Protocol version 2.0 of 2023-06-01``, or without the date when none is given."""
        dated = f" of {self.date}" if self.date else ""
        return f"Protocol version {self.version}{dated}"


class Trial(Strict):
    """One trial: the protocolSection modules, the posted results and the site's extensions."""

    identification: Identification
    status: Status
    has_results: bool = False
    sponsor_collaborators: SponsorCollaborators
    oversight: Oversight | None = None
    # The empty modules, made without validation (they hold only their own
    # defaults), so that importing this module builds no validator.
    description: Description = Description.model_construct()
    conditions: Conditions = Conditions.model_construct()
    design: Design = Design.model_construct()
    arms_interventions: ArmsInterventions = ArmsInterventions.model_construct()
    outcomes: Outcomes = Outcomes.model_construct()
    eligibility: Eligibility = Eligibility.model_construct()
    contacts_locations: ContactsLocations = ContactsLocations.model_construct()
    references: References | None = None
    ipd_sharing_statement: IpdSharingStatement | None = None
    statistical_plan: StatisticalPlan | None = None
    protocol: Protocol | None = None
    # The registry's resultsSection (macros.trial.results_model).
    results: Results | None = None

    @property
    def criteria(self) -> list[Criterion]:
        return [*self.eligibility.inclusion, *self.eligibility.exclusion]

    @property
    def record_version(self) -> str:
        """The registry record's version: its last update date."""
        return self.status.last_update_post_date.date


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X | None``, ``list[X]`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    for arg in typing.get_args(annotation):
        found = inner_model(arg)
        if found is not None:
            return found
    return None
