"""Checks across the results and the observed counts, beyond the golden files' cases."""

from __future__ import annotations

import pytest

from conftest import TESTS
from macros.trial import results_checks, source
from macros.trial.model import Trial

# Read as the site reads it: dates stay text.
BASE = source.read(TESTS / "data" / "second_trial.yaml").data


def _trial(observed: dict | None = None, *, n: int = 43, results: dict | None = None) -> Trial:
    data = {**BASE}
    if observed is not None:
        data["statistical_plan"] = {
            "method": "SIMON_TWO_STAGE", "n1": 15, "r1": 8, "n": n, "r": 26,
            "observed": {"source": "report", **observed},
        }
    if results is not None:
        data["has_results"] = True
        data["results"] = results
    return Trial.model_validate(data)


def messages(trial: Trial) -> list[tuple[str, str]]:
    return [(".".join(map(str, path)), message) for path, message in results_checks.check(trial)]


@pytest.mark.parametrize(
    "observed",
    [
        {"stage1_evaluable": 15, "stage1_responses": 8},
        {"stage1_evaluable": 15, "stage1_responses": 9},  # stage 2 under way
        {"stage1_evaluable": 15, "stage1_responses": 9, "stage2_evaluable": 28, "total_responses": 9},
        {"stage1_evaluable": 15, "stage1_responses": 15, "stage2_evaluable": 28, "total_responses": 43},
        {"stage1_evaluable": 9, "stage1_responses": 0},
    ],
)
def test_counts_that_fit_the_design_pass(observed) -> None:
    assert messages(_trial(observed)) == []


def test_stage_1_too_small_to_apply_the_stopping_rule() -> None:
    assert messages(_trial({"stage1_evaluable": 8, "stage1_responses": 2})) == [
        ("statistical_plan.observed.stage1_evaluable",
         "8 evaluable participants cannot apply the stopping rule: the trial stops with r1 = 8 or fewer "
         "responses, so stage 1 needs at least 9 evaluable participants"),
    ]


@pytest.mark.parametrize("given", ["stage2_evaluable", "total_responses"])
def test_stage_2_counts_go_together(given) -> None:
    observed = {"stage1_evaluable": 15, "stage1_responses": 10, given: 20}
    ((path, message),) = messages(_trial(observed))
    assert path == f"statistical_plan.observed.{given}"
    assert message.startswith("goes with ") and "give both once stage 2 is complete" in message


def test_the_exact_analysis_has_a_size_limit() -> None:
    observed = {"stage1_evaluable": 4000, "stage1_responses": 100, "stage2_evaluable": 1001,
                "total_responses": 200}
    ((path, message),) = messages(_trial(observed))
    assert path == "statistical_plan.observed.stage1_evaluable"
    assert message == "the two stages hold 5001 participants, more than the 5000 the exact analysis handles"
    ((path, message),) = messages(_trial({"stage1_evaluable": 15, "stage1_responses": 3}, n=6000))
    assert path == "statistical_plan.observed"
    assert "at most 5000 participants; this plan has n = 6000" in message


def test_a_malformed_design_leaves_the_counts_unjudged() -> None:
    # n1 >= n is reported by the plan's own check; the counts are not judged against it.
    assert messages(_trial({"stage1_evaluable": 15, "stage1_responses": 3}, n=15)) == []


def test_each_outcome_measure_has_its_own_groups() -> None:
    results = {
        "outcome_measures": [
            {"title": "A", "groups": [{"id": "OG000"}], "denoms": [
                {"counts": [{"group_id": "OG000", "value": 3}]}]},
            {"title": "B", "groups": [{"id": "OG001"}], "denoms": [
                {"counts": [{"group_id": "OG000", "value": 3}]}]},
        ]
    }
    assert messages(_trial(results=results)) == [
        ("results.outcome_measures.1.denoms.0.counts.0.group_id",
         "names group 'OG000', which is not in outcome_measures[1].groups (groups: 'OG001')"),
    ]
