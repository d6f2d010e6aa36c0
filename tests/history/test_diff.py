"""Differences between two versions by content: criteria, rules, sites, status, plan, outcomes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from conftest import ROOT, TESTS
from macros.design import simon
from macros.eligibility.checklist import fingerprint
from macros.history.diff import Comparison, compare
from macros.history.rule_diff import rule_changes
from macros.history.wording import Segment, duration_text, number_text, word_diff
from macros.site.loading import validate_document
from macros.trial import rules, source
from macros.trial.model import Trial

MAIN = (ROOT / "data" / "trial.yaml").read_text(encoding="utf-8")
SECOND = (TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8")


def trial(text: str) -> Trial:
    return validate_document(source.parse(text, "trial.yaml"))


def changed(text: str, change: Callable[[dict[str, Any]], None]) -> Trial:
    """The trial of ``text`` after ``change`` edits its data (dates stay strings)."""
    data = copy.deepcopy(source.parse(text, "trial.yaml").data)
    change(data)
    return trial(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def lines(comparison: Comparison, key: str) -> list[str]:
    return [c.text for s in comparison.sections if s.key == key for c in s.changes]


def criterion(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for g in ("inclusion", "exclusion") for c in data["eligibility"][g] if c["id"] == cid)


# --- words -----------------------------------------------------------------------------


def test_word_diff_marks_only_the_words_that_changed() -> None:
    assert word_diff("Ferritin > 1000 ng/ml", "Ferritin > 800 ng/ml") == (
        Segment("same", "Ferritin > "), Segment("del", "1000"), Segment("ins", "800"),
        Segment("same", " ng/ml"),
    )
    assert word_diff("age ≥ 18 years", "age > 18 years") == (
        Segment("same", "age "), Segment("del", "≥"), Segment("ins", ">"), Segment("same", " 18 years"),
    )
    # re-wrapping is not a change, as for the fingerprint
    assert word_diff("a  b\nc", "a b c") == (Segment("same", "a b c"),)
    assert word_diff("", "new words") == (Segment("ins", "new words"),)


def test_numbers_and_durations_read_as_written() -> None:
    numbers = (1000.0, 800, 1.5, 0.1, 1e-7)
    assert [number_text(x) for x in numbers] == ["1000", "800", "1.5", "0.1", "0.0000001"]
    assert duration_text({"weeks": 1}) == "1 week"
    assert duration_text({"months": 4}) == "4 months"
    assert duration_text(None) == "none"


# --- criteria and rules -------------------------------------------------------------------


def test_a_criterion_reworded_with_its_threshold() -> None:
    old = trial(MAIN)

    def edit(data: dict[str, Any]) -> None:
        e9 = criterion(data, "E9")
        e9["text"] = e9["text"].replace("1000", "800")
        e9["rule"]["condition"]["threshold"] = 800

    new = changed(MAIN, edit)
    result = compare(old, new)
    assert lines(result, "criteria") == ["E9 reworded"]
    assert lines(result, "rules") == ["E9 threshold 1000 → 800 ng/mL"]
    reworded = result.sections[0].changes[0]
    assert Segment("del", "1000") in reworded.words and Segment("ins", "800") in reworded.words
    was, now = fingerprint(old), fingerprint(new)
    assert was != now
    assert reworded.affects == (
        f"Checklist reprinted, fingerprint {was} → {now}; patients screened under the old "
        "version may need re-screening."
    )
    assert (result.fingerprint_before, result.fingerprint_after) == (was, now)
    assert [s.key for s in result.sections] == ["criteria", "rules"]


def test_a_rule_change_alone_leaves_the_checklist_as_it_was() -> None:
    old = trial(MAIN)
    new = changed(MAIN, lambda d: criterion(d, "E9")["rule"]["condition"].update(threshold=800))
    result = compare(old, new)
    assert lines(result, "criteria") == []
    (change,) = [c for s in result.sections for c in s.changes]
    assert change.text == "E9 threshold 1000 → 800 ng/mL"
    assert change.affects == (
        f"Pre-screen only; the printed checklist is unchanged (fingerprint {fingerprint(old)})."
    )


def test_a_unit_change_also_changes_the_measurement_fields_of_the_form() -> None:
    old = trial(MAIN)
    new = changed(
        MAIN, lambda d: criterion(d, "E9")["rule"]["condition"].update(unit="µg/L", threshold=1000)
    )
    (change,) = compare(old, new).sections[0].changes
    assert change.text == "E9 threshold 1000 ng/mL → 1000 µg/L"
    assert change.affects.startswith("Pre-screen, and the measurement fields of the printed checklist")


def test_rules_compared_node_by_node() -> None:
    def compare_rule(**kw: Any) -> rules.Compare:
        base = {"variable": "alt", "operator": ">", "threshold": 3, "unit": "x ULN"} | kw
        return rules.Compare(**base)

    both = rules.AnyOf(any=[compare_rule(), rules.Compare(
        variable="ast", operator=">", threshold=3, unit="x ULN")])
    moved = rules.AnyOf(any=[compare_rule(operator=">=", threshold=2.5), rules.Compare(
        variable="ast", operator=">", threshold=3, unit="x ULN")])
    assert rule_changes("E13", both, moved) == ["E13 ALT comparison > → ≥", "E13 ALT threshold 3 → 2.5 x ULN"]
    window = rules.Compare(variable="lvef", operator="<", threshold=45, unit="%",
                           within=rules.Duration(weeks=4))
    longer = window.model_copy(update={"within": rules.Duration(weeks=6)})
    assert rule_changes("E17", window, longer) == ["E17 time window 4 weeks → 6 weeks"]
    assert rule_changes("E1", None, rules.Manual(manual=True)) == ["E1 computable rule added"]
    assert rule_changes("E1", rules.Manual(manual=True), None) == ["E1 computable rule removed"]
    assert rule_changes("E9", window, both) == ["E9 computable rule rewritten"]
    event = rules.Event(event="tpo_ra_treatment", within=rules.Duration(weeks=1))
    later = rules.Event(event="tpo_ra_treatment", within=rules.Duration(weeks=2))
    assert rule_changes("E2", event, later) == ["E2 time window 1 week → 2 weeks"]


def test_criteria_added_removed_moved_and_reordered() -> None:
    old = trial(SECOND)

    def edit(data: dict[str, Any]) -> None:
        inclusion = data["eligibility"]["inclusion"]
        inclusion.reverse()  # IN-2 before IN-1
        inclusion.append({"id": "IN-3", "text": "Owns <walking> shoes & socks"})
        data["eligibility"]["exclusion"] = [{"id": "IN-1-X", "text": "Cannot walk"}]
        data["eligibility"]["minimum_age"] = "18 Years"

    result = compare(old, changed(SECOND, edit))
    assert lines(result, "criteria") == [
        "IN-3 added (inclusion)",
        "IN-1-X added (exclusion)",
        "EX-1 removed (exclusion)",
        "Inclusion criteria reordered: IN-2, IN-1 (was IN-1, IN-2)",
        "Minimum age 40 Years → 18 Years",
    ]
    added = result.sections[0].changes[0]
    assert added.words == (Segment("ins", "Owns <walking> shoes & socks"),)
    def move(data: dict[str, Any]) -> None:
        data["eligibility"]["exclusion"].append(data["eligibility"]["inclusion"].pop())

    moved = changed(SECOND, move)
    assert lines(compare(old, moved), "criteria") == ["IN-2 moved from inclusion to exclusion"]


# --- sites, status, dates ------------------------------------------------------------------


def test_sites_added_removed_and_their_status() -> None:
    old = trial(SECOND)

    def edit(data: dict[str, Any]) -> None:
        sites = data["contacts_locations"]["locations"]
        sites[1]["status"] = "COMPLETED"
        sites.pop(0)
        sites.append({"facility": "Example Clinic West", "city": "Lisbon", "country": "Portugal"})

    result = compare(old, changed(SECOND, edit))
    assert lines(result, "sites") == [
        "Site Example Clinic South, Porto, Portugal: status Recruiting → Completed",
        "Site added: Example Clinic West, Lisbon, Portugal",
        "Site removed: Example Clinic North, Bergen, Norway",
    ]
    assert {c.affects for s in result.sections for c in s.changes} == {"Sites list."}


def test_status_dates_and_enrollment() -> None:
    old = trial(SECOND)

    def edit(data: dict[str, Any]) -> None:
        data["status"]["overall_status"] = "SUSPENDED"
        data["status"]["why_stopped"] = "Funding paused"
        data["status"]["primary_completion_date"] = {"date": "2026-12", "type": "ESTIMATED"}
        data["design"]["enrollment_info"]["count"] = 150

    result = compare(old, changed(SECOND, edit))
    assert lines(result, "status") == ["Overall status Recruiting → Suspended", "Why stopped"]
    assert result.status_change.text == "Overall status Recruiting → Suspended"
    assert lines(result, "dates") == [
        "Primary completion date 2026-09 (estimated) → 2026-12 (estimated)",
        "Enrollment 120 (estimated) → 150 (estimated)",
    ]


# --- the plan --------------------------------------------------------------------------------


def test_a_plan_change_recomputes_the_operating_characteristics() -> None:
    old = trial(MAIN)

    def edit(data: dict[str, Any]) -> None:
        plan = data["statistical_plan"]
        plan.update(n1=23, r1=12, n=37, r=23, claimed_design="MINIMAX")
        data["design"]["enrollment_info"]["count"] = 47

    new = changed(MAIN, edit)
    result = compare(old, new)
    (plan,) = [s for s in result.sections if s.key == "plan"]
    rows = {row.label: (row.before, row.after) for row in plan.plan}
    assert rows["Design (r1/n1, r/n)"] == ("8/15, 26/43", "12/23, 23/37")
    # Simon (1989), Table 1, p0 = 0.5, p1 = 0.7, alpha = 0.05, beta = 0.2: the
    # optimal design 8/15, 26/43 has EN(p0) = 23.5 and PET(p0) = 0.70, the
    # minimax design 12/23, 23/37 has EN(p0) = 27.7 and PET(p0) = 0.66.
    assert float(rows["Expected size at p0"][0]) == pytest.approx(23.5, abs=0.05)
    assert float(rows["P(early stop) at p0"][0]) == pytest.approx(0.70, abs=0.005)
    assert float(rows["Expected size at p0"][1]) == pytest.approx(27.7, abs=0.05)
    assert float(rows["P(early stop) at p0"][1]) == pytest.approx(0.66, abs=0.005)
    oc = simon.operating_characteristics(12, 23, 23, 37, 0.7)
    assert rows["P(promising) at p1 (actual power)"][1] == f"{oc.reject_probability:.4f}"
    assert float(rows["P(promising) at p1 (actual power)"][1]) >= 0.8
    texts = [c.text for c in plan.changes]
    assert "Design (r1/n1, r/n) 8/15, 26/43 → 12/23, 23/37" in texts
    assert "Claimed design Optimal → Minimax" in texts
    assert not any(t.startswith(("P(", "Expected")) for t in texts)
    assert lines(result, "dates") == ["Enrollment 54 → 47"]


def test_no_plan_then_a_plan() -> None:
    old = changed(MAIN, lambda d: d.pop("statistical_plan"))
    result = compare(old, trial(MAIN))
    (plan,) = [s for s in result.sections if s.key == "plan"]
    assert plan.plan[0].before == "none" and plan.plan[0].after == "8/15, 26/43"


# --- outcomes and the rest ---------------------------------------------------------------------


def test_a_changed_primary_outcome_is_flagged_prominently() -> None:
    old = trial(SECOND)

    def edit(data: dict[str, Any]) -> None:
        data["outcomes"]["primary_outcomes"][0]["measure"] = "Change in diastolic blood pressure"
        data["outcomes"]["secondary_outcomes"].append({"measure": "Quality of life"})

    result = compare(old, changed(SECOND, edit))
    assert lines(result, "outcomes") == ["Primary outcome changed", "Secondary outcome added"]
    primary, secondary = result.sections[0].changes
    assert primary.prominent and not secondary.prominent
    assert result.prominent == [primary]
    assert Segment("del", "systolic") in primary.words and Segment("ins", "diastolic") in primary.words
    assert "outcome switching" in primary.affects


def test_a_primary_outcome_time_frame_change_is_flagged_too() -> None:
    old = trial(SECOND)
    new = changed(SECOND, lambda d: d["outcomes"]["primary_outcomes"][0].update(time_frame="24 weeks"))
    (change,) = compare(old, new).prominent
    assert change.text == "Primary outcome time frame changed: Change in systolic blood pressure"


def test_other_parts_are_named_and_identical_versions_have_no_changes() -> None:
    old = trial(SECOND)
    new = changed(SECOND, lambda d: d["description"].update(brief_summary="Another summary."))
    assert lines(compare(old, new), "other") == ["Summary and description changed"]
    assert compare(old, trial(SECOND)).sections == ()
    # the protocol block itself is not a change of content
    versioned = changed(SECOND, lambda d: d.update(protocol={"version": "9"}))
    assert compare(old, versioned).sections == ()



def test_observed_counts_are_a_result_not_a_change_of_plan() -> None:
    old = trial(MAIN)

    def edit(data: dict[str, Any]) -> None:
        data["statistical_plan"]["observed"] = {
            "stage1_evaluable": 15, "stage1_responses": 10, "stage2_evaluable": 28,
            "total_responses": 29, "source": "Final study report",
        }

    result = compare(old, changed(MAIN, edit))
    assert [s.key for s in result.sections] == ["other"]
    assert lines(result, "other") == ["Observed counts of the two-stage analysis changed"]
