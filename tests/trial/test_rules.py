"""The rule language: parsing, line-numbered errors, checks and the JSON for the page."""

from __future__ import annotations

import typing

import pytest

from conftest import ROOT, TESTS
from macros.site.loading import load_trial, validate_document
from macros.trial import rules, source
from macros.trial.errors import TrialDataError

BASE = (TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8")
ANCHOR = "      text: Able to walk 400 m without help\n"


def with_rule(rule_yaml: str) -> str:
    """The second test trial with ``rule_yaml`` (indented lines) under criterion IN-1."""
    assert BASE.count(ANCHOR) == 1
    return BASE.replace(ANCHOR, ANCHOR + rule_yaml)


def problems(text: str) -> list[str]:
    """Every problem line reported for ``text``, without the file name."""
    try:
        validate_document(source.parse(text, "t.yaml"))
    except TrialDataError as exc:
        return [str(p).removeprefix("t.yaml:") for p in exc.problems]
    return []


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def mark(text: str, needle: str, value: str) -> str:
    """``LINE:COL`` of ``value`` on the first line containing ``needle``."""
    number = line_of(text, needle)
    return f"{number}:{text.splitlines()[number - 1].index(value) + 1}"


def parse(rule_yaml: str) -> rules.RuleNode:
    trial = validate_document(source.parse(with_rule(rule_yaml), "t.yaml"))
    rule = trial.eligibility.inclusion[0].rule
    assert rule is not None
    return rule


# --- the vocabulary --------------------------------------------------------------


def test_literal_types_list_exactly_the_vocabulary() -> None:
    assert set(typing.get_args(rules.VariableName)) == set(rules.VARIABLES)
    assert set(typing.get_args(rules.EventName)) == set(rules.EVENTS)
    assert set(typing.get_args(rules.Unit)) == {u for v in rules.VARIABLES.values() for u in v.units}


def test_every_variable_has_a_label_and_units() -> None:
    for name, variable in rules.VARIABLES.items():
        assert name.islower() and variable.label and variable.units, name


# --- parsing each kind of node ---------------------------------------------------


def test_a_comparison() -> None:
    rule = parse('      rule: {variable: alt, operator: ">", threshold: 3, unit: x ULN}\n')
    assert isinstance(rule, rules.Compare)
    assert (rule.variable, rule.operator, rule.threshold, rule.unit) == ("alt", ">", 3.0, "x ULN")


def test_combinations_counts_events_exceptions_and_manual_parts() -> None:
    rule = parse(
        """      rule:
        all:
          - any:
              - {variable: alt, operator: ">", threshold: 3, unit: x ULN}
              - {variable: ast, operator: ">", threshold: 3, unit: x ULN}
          - at_least: 2
            of: {variable: platelets, operator: "<", threshold: 50, unit: 10^9/L}
            apart: {weeks: 1}
            consecutive: true
          - {event: tpo_ra_treatment, within: {weeks: 1}}
          - condition: {variable: ferritin, operator: ">", threshold: 1000, unit: ng/mL}
            unless: {manual: true, question: "Caused by infection?"}
"""
    )
    assert isinstance(rule, rules.AllOf)
    kinds = [node.kind for _, node in rules.walk(rule)]
    assert kinds == [
        "all", "any", "compare", "compare", "repeated", "compare", "event", "unless",
        "compare", "manual",
    ]
    repeated = rule.all[1]
    assert isinstance(repeated, rules.Repeated)
    assert repeated.apart is not None and repeated.apart.parts() == {"weeks": 1}


def test_a_manual_rule_at_the_top_needs_no_question() -> None:
    rule = parse("      rule: {manual: true}\n")
    assert isinstance(rule, rules.Manual) and rule.question is None


def test_to_json_tags_every_node_with_its_kind() -> None:
    rule = parse(
        """      rule:
        condition: {variable: lvef, operator: "<", threshold: 45, unit: "%", within: {weeks: 4}}
        unless: {manual: true, question: "Known to be transient?"}
"""
    )
    assert rules.to_json(rule) == {
        "kind": "unless",
        "condition": {
            "kind": "compare", "variable": "lvef", "operator": "<", "threshold": "45",
            "unit": "%", "within": {"weeks": 4},
        },
        "unless": {"kind": "manual", "question": "Known to be transient?"},
    }


# --- errors point at their line and list what is allowed ------------------------


def test_unknown_variable_operator_and_unit_each_give_their_line() -> None:
    text = with_rule(
        "      rule:\n"
        "        any:\n"
        '          - {variable: platelet, operator: "<", threshold: 50, unit: 10^9/L}\n'
        '          - {variable: alt, operator: "=>", threshold: 3, unit: x ULN}\n'
        '          - {variable: ast, operator: ">", threshold: 3, unit: xULN}\n'
    )
    found = problems(text)
    assert len(found) == 3
    platelet, operator, unit = found
    assert platelet.startswith(mark(text, "platelet,", "platelet") + ": ")
    assert "eligibility.inclusion[0].rule.any[0].variable: must be one of age_years, " in platelet
    assert "(got 'platelet')" in platelet
    assert operator.startswith(mark(text, "=>", '"=>"') + ": ")
    assert "rule.any[1].operator: must be one of <, <=, >, >=, = (got '=>')" in operator
    assert unit.startswith(mark(text, "xULN", "xULN") + ": ")
    assert "rule.any[2].unit: must be one of years, 10^9/L" in unit


def test_a_unit_the_variable_cannot_have_lists_its_own_units() -> None:
    text = with_rule('      rule: {variable: ferritin, operator: ">", threshold: 1000, unit: U/L}\n')
    assert problems(text) == [
        f"{mark(text, 'ferritin', 'U/L')}: eligibility.inclusion[0].rule.unit: "
        "must be one of ng/mL, µg/L for ferritin (got 'U/L')"
    ]


def test_misspelt_key_in_a_nested_node_suggests_that_nodes_key() -> None:
    text = with_rule(
        "      rule:\n"
        "        all:\n"
        "          - {event: radiotherapy, whithin: {years: 1}}\n"
        '          - {manual: true, question: "Walks unaided?"}\n'
    )
    assert problems(text) == [
        f"{mark(text, 'whithin', '{years')}: eligibility.inclusion[0].rule.all[0].whithin: "
        "unknown key 'whithin'; did you mean 'within'? (got a mapping)"
    ]


def test_something_that_is_no_rule_names_the_keys_a_rule_has() -> None:
    text = with_rule("      rule: {treshold: 3}\n")
    (problem,) = problems(text)
    assert problem.startswith(f"{mark(text, 'treshold', '{')}: eligibility.inclusion[0].rule: ")
    assert "is not a rule: a rule has one of the keys manual, any, all" in problem


def test_a_manual_part_inside_a_combination_needs_a_question() -> None:
    text = with_rule(
        "      rule:\n"
        "        any:\n"
        "          - {manual: true}\n"
        '          - {variable: age_years, operator: "<", threshold: 18, unit: years}\n'
    )
    (problem,) = problems(text)
    assert "rule.any[0].question: a manual part inside a combined rule needs a question" in problem


def test_time_windows_need_a_dated_variable_and_exactly_one_length() -> None:
    text = with_rule(
        '      rule: {variable: age_years, operator: ">=", threshold: 18, unit: years,'
        " within: {weeks: 1, days: 2}}\n"
    )
    found = problems(text)
    assert [p.split(": ", 2)[1:] for p in found] == [
        ["eligibility.inclusion[0].rule.within",
         "age_years has no test date, so a time window cannot apply (got a mapping)"],
        ["eligibility.inclusion[0].rule.within",
         "give exactly one of days, weeks, months or years (got a mapping)"],
    ]


def test_one_variable_in_two_units_across_criteria_is_an_error() -> None:
    text = with_rule('      rule: {variable: haemoglobin, operator: ">=", threshold: 12, unit: g/dL}\n')
    anchor = "      text: Walked > 10,000 steps a day over the last month\n"
    text = text.replace(
        anchor, anchor + '      rule: {variable: haemoglobin, operator: "<", threshold: 90, unit: g/L}\n'
    )
    assert problems(text) == [
        f"{mark(text, 'threshold: 90', 'g/L')}: eligibility.exclusion[0].rule.unit: "
        "haemoglobin is compared in g/dL in IN-1; use one unit for a variable throughout "
        "(got 'g/L')"
    ]


def test_every_problem_of_every_rule_is_reported_at_once() -> None:
    text = with_rule('      rule: {variable: plt, operator: "<", threshold: 50, unit: 10^9/L}\n')
    anchor = "      text: Walked > 10,000 steps a day over the last month\n"
    text = text.replace(anchor, anchor + "      rule: {event: surgery, within: {days: 7}}\n")
    found = problems(text)
    assert len(found) == 2
    assert "(got 'plt')" in found[0] and "(got 'surgery')" in found[1]


# --- the trial's own rules ----------------------------------------------------------

# Criteria of NCT05660785 that state a measurable condition, and the kind of rule.
MEASURABLE = {
    "I2": "compare", "I4": "repeated", "E2": "event", "E4": "compare", "E7": "compare",
    "E8": "compare", "E9": "unless", "E13": "any", "E14": "any", "E17": "all", "E18": "event",
}


def test_the_trial_has_a_rule_for_every_measurable_criterion_and_marks_the_rest_manual() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    for criterion in trial.criteria:
        assert criterion.rule is not None, f"{criterion.id} has no rule"
        expected = MEASURABLE.get(criterion.id, "manual")
        assert criterion.rule.kind == expected, criterion.id


def test_the_trial_rules_read_the_protocol_thresholds() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    by_id = {c.id: c.rule for c in trial.criteria}
    compares = {
        cid: [(n.variable, n.operator, n.threshold, n.unit)
              for _, n in rules.walk(rule) if isinstance(n, rules.Compare)]
        for cid, rule in by_id.items() if rule is not None
    }
    assert compares["I2"] == [("age_years", ">=", 18, "years")]
    assert compares["I4"] == [("platelets", "<", 50, "10^9/L")]
    assert compares["E9"] == [("ferritin", ">", 1000, "ng/mL")]
    assert compares["E13"] == [
        ("alt", ">", 3, "x ULN"), ("ast", ">", 3, "x ULN"), ("total_bilirubin", ">", 1.5, "x ULN"),
    ]
    assert compares["E14"] == [
        ("creatinine_clearance", "<", 30, "mL/min"), ("serum_creatinine", ">", 1.5, "x ULN"),
    ]
    assert compares["E17"] == [("nyha_class", ">=", 3, "class"), ("lvef", "<", 45, "%")]
    i4 = by_id["I4"]
    assert isinstance(i4, rules.Repeated) and i4.at_least == 2 and i4.consecutive
    assert i4.apart is not None and i4.apart.parts() == {"weeks": 1}


@pytest.mark.parametrize("name", ["alt", "ast", "total_bilirubin", "serum_creatinine"])
def test_liver_and_kidney_values_may_be_relative_to_the_uln(name: str) -> None:
    assert rules.ULN in rules.VARIABLES[name].units


# --- exact thresholds and plausible values ----------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(50.0, "50"), (1.5, "1.5"), (0.1, "0.1"), (2.675, "2.675"), (1e-05, "0.00001"),
     (120, "120"), (0.875, "0.875"), (-0.0, "0")],
)
def test_thresholds_are_written_as_the_decimals_of_the_yaml(number, text) -> None:
    assert rules.decimal_text(number) == text


def test_the_page_receives_thresholds_as_decimal_strings() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    e13 = rules.to_json(next(c for c in trial.criteria if c.id == "E13").rule)
    assert [item["threshold"] for item in e13["items"]] == ["3", "3", "1.5"]


@pytest.mark.parametrize(
    ("variable", "unit", "inside", "outside"),
    [
        ("age_years", "years", ["0", "18", "120"], ["-0.001", "120.001", "200", "-5"]),
        ("platelets", "10^9/L", ["0", "0.001", "5000"], ["-1", "-0.001"]),
        ("lvef", "%", ["0", "45", "100"], ["100.001", "300"]),
        ("nyha_class", "class", ["1", "2", "4"], ["0", "2.5", "5", "7"]),
        ("marrow_fibrosis_grade", "grade", ["0", "3"], ["1.5", "4", "9"]),
        ("haemoglobin", "g/dL", ["0", "25"], ["25.1"]),
        ("haemoglobin", "g/L", ["250"], ["250.5"]),
    ],
)
def test_every_variable_has_a_plausible_range(variable, unit, inside, outside) -> None:
    from decimal import Decimal

    plausible = rules.VARIABLES[variable].plausible_in(unit)
    assert [v for v in inside if not plausible.contains(Decimal(v))] == []
    assert [v for v in outside if plausible.contains(Decimal(v))] == []


def test_an_upper_limit_of_normal_must_be_above_zero() -> None:
    from decimal import Decimal

    assert not rules.ULN_PLAUSIBLE.contains(Decimal("0"))
    assert rules.ULN_PLAUSIBLE.contains(Decimal("0.001"))
    assert rules.ULN_PLAUSIBLE.describe() == "greater than 0"


def test_no_variable_takes_negative_values_and_ranges_read_as_words() -> None:
    for name, variable in rules.VARIABLES.items():
        for unit in variable.units:
            plausible = variable.plausible_in(unit)
            assert plausible.low is not None and plausible.low >= 0, (name, unit)
    assert rules.VARIABLES["age_years"].plausible_in("years").describe("years") == "0 to 120 years"
    assert rules.VARIABLES["lvef"].plausible_in("%").describe("%") == "0 to 100%"
    assert rules.VARIABLES["nyha_class"].plausible_in("class").describe("class") == (
        "a whole number from 1 to 4"
    )
    assert rules.VARIABLES["platelets"].plausible_in("10^9/L").describe("10^9/L") == "0 or more"


def test_a_threshold_no_patient_can_reach_is_an_error_with_its_line() -> None:
    text = with_rule('      rule: {variable: lvef, operator: "<", threshold: 300, unit: "%"}\n')
    assert problems(text) == [
        f"{mark(text, 'threshold: 300', '300')}: eligibility.inclusion[0].rule.threshold: "
        "must lie within the plausible values of lvef: 0 to 100% (got 300)"
    ]


def test_a_threshold_between_whole_values_is_allowed() -> None:
    rule = parse(
        '      rule: {variable: marrow_fibrosis_grade, operator: ">=", threshold: 2.5, unit: grade}\n'
    )
    assert isinstance(rule, rules.Compare) and rule.threshold == 2.5


# --- readings ---------------------------------------------------------------------------


def test_a_reading_is_text_of_one_phrase() -> None:
    text = with_rule("      reading: total walking distance, with rests\n")
    trial = validate_document(source.parse(text, "t.yaml"))
    assert trial.eligibility.inclusion[0].reading == "total walking distance, with rests"
    long = with_rule("      reading: " + "x" * 401 + "\n")
    (problem,) = problems(long)
    assert "eligibility.inclusion[0].reading: must be at most 400 characters (got 401)" in problem
    misspelt = with_rule("      readng: total walking distance\n")
    (problem,) = problems(misspelt)
    assert "did you mean 'reading'?" in problem


# Criteria of NCT05660785 whose rule is an interpretation, with the reading shown.
READINGS = {
    "E1": "a judgement for the investigator, since the text does not say what the 4 weeks are measured from",
    "E7": "total duration of previous TPO-RA treatment",
    "E8": "total duration of previous immunosuppressive therapy",
    "E17": 'every part joined by "and" must hold for the exclusion',
    "E19": "a judgement for the investigator, since the 4 months are counted back from the start of "
    "the trial, not from enrollment",
}


def test_the_trial_carries_its_interpretations_as_readings_not_comments() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    by_id = {c.id: c for c in trial.criteria}
    for cid, reading in READINGS.items():
        assert by_id[cid].reading is not None and by_id[cid].reading.startswith(reading), cid
    lines = (ROOT / "data" / "trial.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("eligibility:")
    end = next(i for i, line in enumerate(lines) if line.startswith("contacts_locations:"))
    assert [line for line in lines[start:end] if line.strip().startswith("#")] == []


def test_repeated_measurements_are_compared_in_an_absolute_unit() -> None:
    text = with_rule(
        "      rule:\n        at_least: 2\n"
        '        of: {variable: alt, operator: ">", threshold: 3, unit: x ULN}\n'
    )
    (problem,) = problems(text)
    assert problem.endswith(
        "eligibility.inclusion[0].rule.of.unit: repeated measurements are compared in an absolute "
        "unit, not as a multiple of the ULN (got 'x ULN')"
    )

