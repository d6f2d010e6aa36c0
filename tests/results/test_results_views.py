"""The Results page's data: percentages, measurement texts, the flow diagram, the planned analysis."""

from __future__ import annotations

import pytest

from conftest import TESTS
from macros.registry.ctgov_import import import_record, read_record
from macros.results import inference, planned
from macros.results.flow import BOX_WIDTH, flow_diagram, flow_tables
from macros.results.posted import (
    adverse_events_view,
    baseline_table,
    measurement_text,
    outcome_views,
    percent_text,
)
from macros.trial import limits
from macros.trial.model import Hypotheses, StatisticalPlan
from macros.trial.results_model import Measurement, ObservedOutcome, ParticipantFlow

RECORD = TESTS / "data" / "ctgov" / "results" / "NCT04431453.json"


@pytest.fixture(scope="module")
def results():
    return import_record(read_record(RECORD)).trial.results


@pytest.mark.parametrize(
    ("affected", "at_risk", "text"),
    [
        (1, 97, "1.03%"),
        (0, 97, "0.00%"),
        (97, 97, "100.00%"),
        (1, 8, "12.50%"),
        (1, 3, "33.33%"),
        (2, 3, "66.67%"),
        # 0.125% exactly: half up, not to even and not float noise
        (1, 800, "0.13%"),
        (3, 800, "0.38%"),
        (1, 1600, "0.06%"),
        (0, 0, None),
    ],
)
def test_percentages_are_exact_and_round_half_up(affected, at_risk, text) -> None:
    assert percent_text(affected, at_risk) == text


def test_measurement_texts_keep_the_registrys_numbers() -> None:
    m = Measurement(group_id="BG000", value="15.5", lower_limit="12", upper_limit=".33")
    assert measurement_text(m).text == "15.5 (12 to .33)"
    assert measurement_text(Measurement(group_id="X", value="3.1", spread="0.4")).text == "3.1 (0.4)"
    assert measurement_text(Measurement(group_id="X", upper_limit="4")).text == "NA (NA to 4)"
    assert measurement_text(Measurement(group_id="X", value="1", comment="NA: none")).note == "NA: none"
    assert measurement_text(None).text == ""


def test_the_baseline_table_has_a_column_per_group_and_a_row_per_category(results) -> None:
    table = baseline_table(results.baseline_characteristics)
    assert [c.id for c in table.columns] == [g.id for g in results.baseline_characteristics.groups]
    assert table.rows[0].label == "Overall number of baseline participants (participants)"
    headings = [r.label for r in table.rows if r.kind == "heading"]
    assert headings[: len(results.baseline_characteristics.measures)] == [
        m.title for m in results.baseline_characteristics.measures
    ][: len(headings)]
    for row in table.rows:
        assert row.kind == "heading" or len(row.cells) == len(table.columns)


def test_outcome_views_name_the_groups_their_analyses_compare() -> None:
    trial = import_record(read_record(TESTS / "data" / "ctgov" / "NCT02210780.json")).trial
    views = outcome_views(trial.results)
    assert len(views) == len(trial.results.outcome_measures)
    assert len({v.anchor for v in views}) == len(views)
    with_analyses = [v for v in views if v.analyses]
    assert with_analyses[0].analyses[0].groups == "Placebo qw vs Dupilumab 300 mg qw"
    facts = {f.label: f.value for f in with_analyses[0].analyses[0].facts}
    assert facts["P-value"] == "<0.0001"


def test_adverse_events_by_organ_system_in_order_of_first_appearance(results) -> None:
    view = adverse_events_view(results.adverse_events)
    headings = [r.label for r in view.serious.rows if r.kind == "heading"]
    systems = list(dict.fromkeys(e.organ_system for e in results.adverse_events.serious_events))
    assert headings == systems
    terms = [r.label for r in view.serious.rows if r.kind == "sub"]
    assert sorted(terms) == sorted(e.term for e in results.adverse_events.serious_events)
    assert view.mortality is not None and view.mortality.label == "All-cause mortality"
    # a group with no one at risk gets no percentage
    assert any(cell.text == "0/0" for cell in view.mortality.cells)


def test_the_flow_diagram_is_deterministic_and_its_boxes_line_up(results) -> None:
    flow = results.participant_flow
    first, second = flow_diagram(flow), flow_diagram(flow)
    assert first == second
    groups = len(flow.groups)
    assert len(first.boxes) == groups * (1 + len(flow.periods))
    assert len(first.arrows) == groups * len(flow.periods)
    period_boxes = [b for b in first.boxes if b.kind == "period"]
    assert len({b.y for b in period_boxes}) == len(flow.periods)  # one row per period
    assert len({b.height for b in period_boxes}) == 1  # boxes of a row are as tall as the tallest
    assert first.width == 2 * 8 + groups * BOX_WIDTH + (groups - 1) * 26
    for box in first.boxes:
        bottom = int(box.y) + int(box.height)
        assert all(int(box.y) < int(line.y) < bottom for line in box.lines)
        assert all(len(line.text) <= 27 for line in box.lines)


def test_a_flow_without_groups_has_no_diagram() -> None:
    assert flow_diagram(ParticipantFlow()) is None
    assert flow_tables(ParticipantFlow()) == ()


def test_flow_tables_give_every_milestone_and_reason(results) -> None:
    flow = results.participant_flow
    (period,) = flow_tables(flow)
    labels = [r.label for r in period.table.rows]
    assert labels[:3] == ["Started", "Completed", "Not completed"]
    assert labels[3] == "Reasons for not completing"
    assert labels[4:] == [d.type for d in flow.periods[0].drop_withdraws]


# --- the planned analysis -----------------------------------------------------------


def _plan(**observed) -> StatisticalPlan:
    hypotheses = Hypotheses(p0=0.5, p1=0.7, alpha=0.05, beta=0.2, provenance="PROTOCOL")
    seen = ObservedOutcome(source="report", **observed) if observed else None
    return StatisticalPlan(
        method="SIMON_TWO_STAGE", n1=15, r1=8, n=43, r=26, hypotheses=hypotheses, observed=seen
    )


def test_every_outcome_is_the_inference_of_each_total() -> None:
    view = planned.every_outcome(_plan())
    expected = inference.all_outcomes(8, 15, 26, 43, 0.5, alpha=0.05)
    assert view.level == "90%" and view.design == "8/15, 26/43"
    assert [r.responses for r in view.rows] == list(range(44))
    for row, result in zip(view.rows, expected, strict=True):
        assert row.p_value == f"{result.p_value:.4f}"
        assert row.ci_lower == f"{result.ci_lower:.4f}" and row.ci_upper == f"{result.ci_upper:.4f}"
        assert row.reject == (result.responses > 26)
    assert [r.stage for r in view.rows] == [1] * 9 + [2] * 35


def test_a_design_too_large_to_list_says_so() -> None:
    big = StatisticalPlan(
        method="SIMON_TWO_STAGE", n1=100, r1=30, n=planned.MAX_TABLE_N + 1, r=80,
        hypotheses=Hypotheses(p0=0.3, p1=0.45, alpha=0.05, beta=0.2, provenance="PROTOCOL"),
    )
    view = planned.every_outcome(big)
    assert view.rows == () and "too many to list" in view.problem


def test_without_hypotheses_there_is_no_p0_to_test_against() -> None:
    plan = StatisticalPlan(method="SIMON_TWO_STAGE", n1=15, r1=8, n=43, r=26)
    assert planned.every_outcome(plan) is None


def test_observed_outcomes_stopped_went_on_and_under_way() -> None:
    stopped = planned.observed_analysis(_plan(stage1_evaluable=15, stage1_responses=4))
    assert stopped.stopped and stopped.row.responses == 4 and stopped.row.stage == 1
    assert planned.observed_total(_plan(stage1_evaluable=15, stage1_responses=4)) == 4
    went_on = planned.observed_analysis(
        _plan(stage1_evaluable=15, stage1_responses=10, stage2_evaluable=28, total_responses=30)
    )
    assert went_on.row.decision == "Promising" and went_on.planned_sizes
    pending = _plan(stage1_evaluable=15, stage1_responses=10)
    assert planned.observed_analysis(pending).pending and planned.observed_analysis(pending).row is None
    assert planned.observed_total(pending) is None
    other_sizes = _plan(stage1_evaluable=16, stage1_responses=10, stage2_evaluable=27, total_responses=30)
    assert planned.observed_total(other_sizes) is None
    assert not planned.observed_analysis(other_sizes).planned_sizes


def test_the_models_analysis_limit_is_the_engines() -> None:
    assert limits.MAX_ANALYSIS_N == inference.MAX_N
