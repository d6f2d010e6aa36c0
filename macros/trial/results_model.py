"""The results a registry posts, and the counts a two-stage trial observed.

:class:`Results` follows the resultsSection of a ClinicalTrials.gov API v2
record in snake_case, module by module (the registry's data dictionary,
``/api/v2/studies/metadata``, lists every field):

* ``participant_flow``: groups, periods, their milestones (``STARTED``,
  ``COMPLETED``, ``NOT COMPLETED`` or the trial's own) and the reasons for
  dropping out;
* ``baseline_characteristics``: groups, denominators and measures;
* ``outcome_measures``: one entry per measure with its groups, values and
  statistical analyses (the registry's ``outcomeMeasuresModule`` holds only
  this list, so the file holds the list itself);
* ``adverse_events``: event groups with deaths and the numbers affected, and
  serious and other events by term and organ system;
* ``more_info``: limitations and caveats, agreements, point of contact.

Counts of participants are whole numbers here, even where the registry writes
them as text (``numSubjects: "54"``); values, spreads and limits stay text,
as posted (``"15.5"``, ``".33"``, ``"NA"``). Checks across fields (group ids
that exist, no more affected than at risk) are in
:mod:`macros.trial.results_checks`.

:class:`ObservedOutcome` is the site's own: the responses a Simon two-stage
trial observed, kept under the statistical plan so that the site can show the
analysis the design calls for.
"""

# Annotations are evaluated as the classes are defined (no ``from __future__
# import annotations``): pydantic would otherwise compile each one from its
# text on import, a cost every command pays.
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from macros.trial.dates import PartialDate
from macros.trial.limits import MAX_ANALYSIS_N


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True
    )


Text = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0)]
# A group's id within its module (FG000, BG000, OG000, EG000 in the registry).
GroupId = Annotated[str, Field(min_length=1, max_length=40)]

MeasureParam = Literal[
    "GEOMETRIC_MEAN", "GEOMETRIC_LEAST_SQUARES_MEAN", "LEAST_SQUARES_MEAN", "LOG_MEAN", "MEAN",
    "MEDIAN", "NUMBER", "COUNT_OF_PARTICIPANTS", "COUNT_OF_UNITS",
]
MeasureDispersionType = Literal[
    "NA", "STANDARD_DEVIATION", "STANDARD_ERROR", "INTER_QUARTILE_RANGE", "FULL_RANGE",
    "CONFIDENCE_80", "CONFIDENCE_90", "CONFIDENCE_95", "CONFIDENCE_975", "CONFIDENCE_99",
    "CONFIDENCE_OTHER", "GEOMETRIC_COEFFICIENT",
]
OutcomeMeasureType = Literal["PRIMARY", "SECONDARY", "OTHER_PRE_SPECIFIED", "POST_HOC"]
ReportingStatus = Literal["NOT_POSTED", "POSTED"]
AnalysisDispersionType = Literal["STANDARD_DEVIATION", "STANDARD_ERROR_OF_MEAN"]
ConfidenceIntervalNumSides = Literal["ONE_SIDED", "TWO_SIDED"]
NonInferiorityType = Literal[
    "SUPERIORITY", "NON_INFERIORITY", "EQUIVALENCE", "OTHER", "NON_INFERIORITY_OR_EQUIVALENCE",
    "SUPERIORITY_OR_OTHER", "NON_INFERIORITY_OR_EQUIVALENCE_LEGACY", "SUPERIORITY_OR_OTHER_LEGACY",
]
EventAssessment = Literal["NON_SYSTEMATIC_ASSESSMENT", "SYSTEMATIC_ASSESSMENT"]
AgreementRestrictionType = Literal["LTE60", "GT60", "OTHER"]


# --- participant flow -------------------------------------------------------


class FlowGroup(_Strict):
    id: GroupId
    title: Text | None = None
    description: Text | None = None


class FlowStats(_Strict):
    """One group's count at a milestone, or for a reason for dropping out."""

    group_id: GroupId
    comment: Text | None = None
    num_subjects: Count | None = None
    num_units: Count | None = None


class FlowMilestone(_Strict):
    type: Text
    comment: Text | None = None
    achievements: list[FlowStats] = []


class DropWithdraw(_Strict):
    type: Text
    comment: Text | None = None
    reasons: list[FlowStats] = []


class FlowPeriod(_Strict):
    title: Text | None = None
    milestones: list[FlowMilestone] = []
    drop_withdraws: list[DropWithdraw] = []


class ParticipantFlow(_Strict):
    pre_assignment_details: Text | None = None
    recruitment_details: Text | None = None
    type_units_analyzed: Text | None = None
    groups: list[FlowGroup] = []
    periods: list[FlowPeriod] = []


# --- measures (baseline and outcomes) -----------------------------------------


class MeasureGroup(_Strict):
    id: GroupId
    title: Text | None = None
    description: Text | None = None


class DenomCount(_Strict):
    group_id: GroupId
    value: Count


class Denom(_Strict):
    units: Text | None = None
    counts: list[DenomCount] = []


class Measurement(_Strict):
    group_id: GroupId
    value: Text | None = None
    spread: Text | None = None
    lower_limit: Text | None = None
    upper_limit: Text | None = None
    comment: Text | None = None


class MeasureCategory(_Strict):
    title: Text | None = None
    measurements: list[Measurement] = []


class MeasureClass(_Strict):
    title: Text | None = None
    denoms: list[Denom] = []
    categories: list[MeasureCategory] = []


class BaselineMeasure(_Strict):
    title: Text
    description: Text | None = None
    population_description: Text | None = None
    param_type: MeasureParam | None = None
    dispersion_type: MeasureDispersionType | None = None
    unit_of_measure: Text | None = None
    calculate_pct: bool | None = None
    denom_units_selected: Text | None = None
    denoms: list[Denom] = []
    classes: list[MeasureClass] = []


class BaselineCharacteristics(_Strict):
    population_description: Text | None = None
    type_units_analyzed: Text | None = None
    groups: list[MeasureGroup] = []
    denoms: list[Denom] = []
    measures: list[BaselineMeasure] = []


class MeasureAnalysis(_Strict):
    """A statistical analysis of an outcome measure, as the registry posts it.

    The fields come in the order of the registry's records (and its data
    entry form): the groups compared, the hypothesis test, then the estimate
    with its confidence interval and dispersion.
    """

    group_ids: list[GroupId] = []
    group_description: Text | None = None
    tested_non_inferiority: bool | None = None
    non_inferiority_type: NonInferiorityType | None = None
    non_inferiority_comment: Text | None = None
    p_value: Text | None = None
    p_value_comment: Text | None = None
    statistical_method: Text | None = None
    statistical_comment: Text | None = None
    param_type: Text | None = None
    param_value: Text | None = None
    ci_pct_value: Text | None = None
    ci_num_sides: ConfidenceIntervalNumSides | None = None
    ci_lower_limit: Text | None = None
    ci_upper_limit: Text | None = None
    ci_lower_limit_comment: Text | None = None
    ci_upper_limit_comment: Text | None = None
    dispersion_type: AnalysisDispersionType | None = None
    dispersion_value: Text | None = None
    estimate_comment: Text | None = None
    other_analysis_description: Text | None = None


class OutcomeMeasure(_Strict):
    type: OutcomeMeasureType | None = None
    title: Text
    description: Text | None = None
    population_description: Text | None = None
    reporting_status: ReportingStatus | None = None
    anticipated_posting_date: PartialDate | None = None
    param_type: MeasureParam | None = None
    # The registry's data dictionary makes this one free text ("Standard Deviation").
    dispersion_type: Text | None = None
    unit_of_measure: Text | None = None
    calculate_pct: bool | None = None
    time_frame: Text | None = None
    type_units_analyzed: Text | None = None
    denom_units_selected: Text | None = None
    groups: list[MeasureGroup] = []
    denoms: list[Denom] = []
    classes: list[MeasureClass] = []
    analyses: list[MeasureAnalysis] = []


# --- adverse events -----------------------------------------------------------


class EventGroup(_Strict):
    id: GroupId
    title: Text | None = None
    description: Text | None = None
    deaths_num_affected: Count | None = None
    deaths_num_at_risk: Count | None = None
    serious_num_affected: Count | None = None
    serious_num_at_risk: Count | None = None
    other_num_affected: Count | None = None
    other_num_at_risk: Count | None = None


class EventStats(_Strict):
    group_id: GroupId
    num_events: Count | None = None
    num_affected: Count | None = None
    num_at_risk: Count | None = None


class AdverseEvent(_Strict):
    term: Text
    organ_system: Text | None = None
    source_vocabulary: Text | None = None
    assessment_type: EventAssessment | None = None
    notes: Text | None = None
    stats: list[EventStats] = []


class AdverseEvents(_Strict):
    frequency_threshold: Text | None = None
    time_frame: Text | None = None
    description: Text | None = None
    all_cause_mortality_comment: Text | None = None
    event_groups: list[EventGroup] = []
    serious_events: list[AdverseEvent] = []
    other_events: list[AdverseEvent] = []


# --- more information -----------------------------------------------------------


class LimitationsAndCaveats(_Strict):
    description: Text | None = None


class CertainAgreement(_Strict):
    pi_sponsor_employee: bool | None = None
    restriction_type: AgreementRestrictionType | None = None
    restrictive_agreement: bool | None = None
    other_details: Text | None = None


class PointOfContact(_Strict):
    title: Text | None = None
    organization: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    phone_ext: Text | None = None


class MoreInfo(_Strict):
    limitations_and_caveats: LimitationsAndCaveats | None = None
    certain_agreement: CertainAgreement | None = None
    point_of_contact: PointOfContact | None = None


class Results(_Strict):
    """The registry's posted results, module by module, in the registry's order."""

    participant_flow: ParticipantFlow | None = None
    baseline_characteristics: BaselineCharacteristics | None = None
    outcome_measures: list[OutcomeMeasure] = []
    adverse_events: AdverseEvents | None = None
    more_info: MoreInfo | None = None


# --- what a two-stage trial observed (the site's own) ---------------------------


Patients = Annotated[int, Field(ge=1, le=MAX_ANALYSIS_N)]
Responses = Annotated[int, Field(ge=0, le=MAX_ANALYSIS_N)]


class ObservedOutcome(_Strict):
    """The responses a Simon two-stage trial observed, and where the counts come from.

    ``stage1_evaluable`` participants were assessed in stage 1, of whom
    ``stage1_responses`` responded. If that is at most ``r1`` the trial
    stopped and there is no stage 2; otherwise ``stage2_evaluable`` more were
    assessed and ``total_responses`` responded in both stages together. Leave
    both stage-2 counts out while stage 2 is under way.
    """

    stage1_evaluable: Patients
    stage1_responses: Responses
    stage2_evaluable: Patients | None = None
    total_responses: Responses | None = None
    # Where the counts come from: a publication, the registry's results, a report.
    source: Text
    # When the counts were taken or published.
    date: PartialDate | None = None
