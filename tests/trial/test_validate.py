"""Validation messages: plain words, nearest key, allowed values, cross-field checks."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT, TESTS
from macros.design.enrollment import inflated_enrollment
from macros.site.loading import load_trial, validate_document
from macros.trial.errors import TrialDataError
from macros.trial.source import parse

SECOND = (TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8")


def problems_for(text: str) -> list[str]:
    with pytest.raises(TrialDataError) as caught:
        validate_document(parse(text, "t.yaml"))
    return [str(p) for p in caught.value.problems]


def test_the_trial_file_is_valid_and_complete() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    assert trial.identification.nct_id == "NCT05660785"
    assert trial.identification.org_study_id_info.id == "IIT2022049"
    assert trial.status.overall_status == "COMPLETED"
    assert trial.design.phases == ["PHASE2"] and trial.design.study_type == "INTERVENTIONAL"
    assert trial.design.enrollment_info.count == 54
    assert (trial.status.start_date.date, trial.status.completion_date.date) == ("2022-12-01", "2025-01-28")
    assert trial.record_version == "2025-08-05" and trial.has_results is False
    assert [c.id for c in trial.eligibility.inclusion] == ["I1", "I2", "I3", "I4"]
    assert [c.id for c in trial.eligibility.exclusion] == [f"E{i}" for i in range(1, 22)]
    assert trial.eligibility.minimum_age == "18 Years" and trial.eligibility.sex == "ALL"
    assert trial.eligibility.healthy_volunteers is False
    plan = trial.statistical_plan
    assert (plan.n1, plan.r1, plan.n, plan.r, plan.dropout_rate) == (15, 8, 43, 26, 0.20)
    assert len(trial.contacts_locations.locations) == 4
    # the registry's markdown escapes are gone
    for criterion in trial.criteria:
        assert "\\" not in criterion.text


def test_criterion_texts_match_the_registry_record_verbatim() -> None:
    seed = ROOT.parent / "shared" / "seeds" / "NCT05660785.txt"
    if not seed.is_file():
        pytest.skip("the registry record is not beside this clone")
    record = seed.read_text(encoding="utf-8")
    bullets = [
        re.sub(r"\\(.)", r"\1", line[2:].strip())
        for line in record.splitlines()
        if line.startswith("* ")
    ]
    trial = load_trial(ROOT / "data" / "trial.yaml")
    assert [c.text for c in trial.criteria] == bullets


def test_unknown_key_suggests_the_nearest_and_hides_the_matching_missing_error() -> None:
    [line] = problems_for(SECOND.replace("  acronym: WALK-EX", "  acronim: WALK-EX"))
    assert line.endswith("identification.acronim: unknown key 'acronim'; did you mean 'acronym'?")


def test_unknown_key_without_a_near_match_lists_the_allowed_keys() -> None:
    [line] = problems_for(SECOND.replace("  acronym: WALK-EX", "  zzzzzz: 1"))
    assert "unknown key 'zzzzzz'; allowed keys here: nct_id, org_study_id_info," in line


def test_bad_choice_lists_allowed_values() -> None:
    [line] = problems_for(SECOND.replace("  sex: ALL", "  sex: BOTH"))
    assert line.endswith("eligibility.sex: must be one of FEMALE, MALE, ALL (got 'BOTH')")


def test_all_problems_are_reported_at_once_sorted_by_line() -> None:
    text = SECOND.replace("  sex: ALL", "  sex: BOTH").replace("count: 120", "count: many")
    text = text.replace("  overall_status: RECRUITING", "  overall_status: 3")
    lines = problems_for(text)
    assert len(lines) == 3
    numbers = [int(line.split(":")[1]) for line in lines]
    assert numbers == sorted(numbers)


def test_cross_field_checks_point_at_the_field() -> None:
    data = yaml.safe_load(SECOND)
    data["eligibility"]["exclusion"].append({"id": "IN-1", "text": "again"})
    [line] = problems_for(yaml.safe_dump(data, sort_keys=False))
    assert "eligibility.exclusion[1].id: criterion id 'IN-1' is already used" in line


@pytest.mark.parametrize(
    ("evaluable", "dropout", "expected"),
    [(43, 0.20, 54), (40, 0.20, 50), (10, 0.0, 10), (45, 0.10, 50), (1, 0.5, 2)],
)
def test_inflated_enrollment_is_exact(evaluable: int, dropout: float, expected: int) -> None:
    assert inflated_enrollment(evaluable, dropout) == expected
