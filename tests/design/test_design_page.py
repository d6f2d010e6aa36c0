"""The design page: the plan's numbers, checked against simon.py, and the checks behind them.

Whole-site tests read the built page (the ``built_site`` fixture); the
expected numbers are computed with :mod:`macros.simon` and also written out,
to the precision the page shows, from the values the issue states for the
trial's design (alpha 0.049933, power 0.804434, PET 0.696381, EN 23.501343).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, TESTS, Build, build_site
from macros.design import simon
from macros.design.page import (
    TABLE_EVERY,
    Frame,
    alternatives,
    characteristics,
    curve,
    probability_text,
    rate_text,
    size_text,
)
from macros.design.plan_checks import (
    decimal_text,
    design_text,
    distinct_text,
    percent_text,
    power_target_text,
    role_text,
    roles,
)
from macros.site.loading import load_trial, validate_document
from macros.site.render import render
from macros.trial.errors import TrialDataError
from macros.trial.model import StatisticalPlan
from macros.trial.source import parse

TRIAL = load_trial(ROOT / "data" / "trial.yaml")
PLAN = TRIAL.statistical_plan
SECOND = (TESTS / "data" / "second_trial.yaml").read_text(encoding="utf-8")
COORDINATE = re.compile(r"^\d+\.\d\d,\d+\.\d\d$")


def page(build: Build) -> BeautifulSoup:
    return BeautifulSoup(build.page("design"), "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def plan(**changes) -> StatisticalPlan:
    data = PLAN.model_dump()
    data.update(changes)
    return StatisticalPlan.model_validate(data)


# --------------------------------------------------------------------------
# The built page


def test_the_trial_records_derived_hypotheses_and_the_optimal_claim() -> None:
    h = PLAN.hypotheses
    assert (h.p0, h.p1, h.alpha, h.beta) == (0.50, 0.70, 0.05, 0.20)
    assert h.provenance == "DERIVED" and "reproduce the stated design" in h.note
    assert PLAN.claimed_design == "OPTIMAL"


def test_characteristics_under_p0_and_p1_match_simon(built_site: Build) -> None:
    table = page(built_site).select_one(".trial-numbers--characteristics")
    shown = {span["data-quantity"]: span.get_text() for span in table.select("[data-quantity]")}
    at_p0 = simon.operating_characteristics(8, 15, 26, 43, 0.50)
    at_p1 = simon.operating_characteristics(8, 15, 26, 43, 0.70)
    assert shown == {
        "alpha": f"{at_p0.reject_probability:.4f}",
        "power": f"{at_p1.reject_probability:.4f}",
        "pet0": f"{at_p0.early_termination_probability:.4f}",
        "pet1": f"{at_p1.early_termination_probability:.4f}",
        "en0": f"{at_p0.expected_sample_size:.2f}",
        "en1": f"{at_p1.expected_sample_size:.2f}",
    }
    assert shown == {
        "alpha": "0.0499", "power": "0.8044", "pet0": "0.6964",
        "pet1": "0.1311", "en0": "23.50", "en1": "39.33",
    }
    words = text(table)
    assert "At p 0 = 0.50" in words and "At p 1 = 0.70" in words
    assert "target at most 0.05: met" in words and "target at least 0.80: met" in words


def test_hypotheses_are_shown_as_derived_never_as_registered(built_site: Build) -> None:
    soup = page(built_site)
    box = soup.select_one(".trial-provenance")
    assert "trial-provenance--derived" in box["class"]
    words = text(box)
    assert words.startswith("Derived, not registered. These values are not stated in the registry record.")
    assert " ".join(PLAN.hypotheses.note.split()) in words
    values = [text(dt) for dt in soup.select(".trial-hypotheses__item dt")]
    assert values == ["p 0 = 0.50", "p 1 = 0.70", "α = 0.05", "β = 0.20"]
    # "registered" appears only negated
    article = text(soup.select_one("article"))
    assert re.findall(r"\w+ registered", article) == ["not registered"]
    role = text(soup.select_one(".trial-role"))
    assert "the stated design 8/15, 26/43 is Simon's optimal design" in role
    assert "The plan declares the optimal design, and the build checks that claim." in role


def test_alternatives_side_by_side_with_the_stated_design_marked(built_site: Build) -> None:
    table = page(built_site).select_one(".trial-numbers--alternatives")
    rows = [[text(cell) for cell in tr.select("th, td")] for tr in table.select("tbody tr")]
    result = simon.search(0.50, 0.70, 0.05, 0.20)
    ranges = simon.admissible_weight_ranges(result.admissible)
    expected = [
        [
            f"{d.r1}/{d.n1}", f"{d.r}/{d.n}", f"{d.en0:.2f}", f"{d.pet0:.4f}",
            f"{d.alpha:.4f}", f"{d.power:.4f}", f"{low:.2f} to {high:.2f}",
        ]
        for d, (low, high) in zip(result.admissible, ranges, strict=True)
    ]
    assert [row[1:] for row in rows] == expected
    assert rows == [
        ["Minimax", "12/23", "23/37", "27.74", "0.6612", "0.0482", "0.8011", "0.56 to 1.00"],
        ["Admissible", "8/16", "24/39", "25.24", "0.5982", "0.0496", "0.8092", "0.30 to 0.56"],
        ["Optimal stated design", "8/15", "26/43", "23.50", "0.6964", "0.0499", "0.8044", "0.00 to 0.30"],
    ]
    stated = table.select(".trial-alternative--stated")
    assert len(stated) == 1 and stated[0].select_one(".trial-tag--stated")


def test_the_figure_is_an_accessible_inline_svg_with_p0_and_p1_marked(built_site: Build) -> None:
    soup = page(built_site)
    figure = soup.select_one("figure.trial-curve")
    svg = figure.select_one("svg.trial-curve__svg")
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
    assert title.get_text() == (
        "Chance of each decision by true response rate, for the stated design 8/15, 26/43"
    )
    assert "At p0 = 0.50 they are 0.0499 and 0.6964." in desc.get_text()
    assert "At p1 = 0.70 they are 0.8044 and 0.1311." in desc.get_text()
    for key, rate in (("p0", "0.50"), ("p1", "0.70")):
        marker = svg.select_one(f".trial-curve__marker--{key}")
        assert " ".join(marker.get_text().split()) == f"{key} = {rate}"
        assert len(svg.select(f"circle.trial-curve__point--{key}")) == 2
    for line in svg.select("polyline.trial-curve__line"):
        points = line["points"].split()
        assert len(points) == 101 and all(COORDINATE.match(p) for p in points)
    ticks = [t.get_text() for t in svg.select(".trial-curve__labels text")]
    assert ticks[:11] == [f"0.{i}" for i in range(10)] + ["1.0"]
    assert "True response rate" in ticks and "Probability" in ticks
    legend = text(figure.select_one(".trial-curve__legend"))
    assert "Probability of declaring the treatment promising" in legend
    assert "Probability of stopping after stage 1 (PET)" in legend
    assert not figure.find("script") and not soup.select("article script")


def test_the_figure_values_are_also_a_table_of_21_rows(built_site: Build) -> None:
    details = page(built_site).select_one("details.trial-curve__data")
    rows = details.select("tbody tr")
    assert len(rows) == 21
    grid = [i / 20 for i in range(21)]
    for tr, oc in zip(rows, simon.rejection_curve(8, 15, 26, 43, grid), strict=True):
        cells = [text(td) for td in tr.select("td")]
        assert text(tr.th).split()[0] == f"{oc.p:.2f}"
        assert cells == [
            f"{oc.reject_probability:.4f}",
            f"{oc.early_termination_probability:.4f}",
            f"{oc.expected_sample_size:.2f}",
        ]
    marked = {text(tr.th) for tr in details.select(".trial-curve__row--p0, .trial-curve__row--p1")}
    assert marked == {"0.50 p 0", "0.70 p 1"}


def test_the_two_stages_diagram_states_the_rules(built_site: Build) -> None:
    flow = text(page(built_site).select_one(".trial-flow"))
    for words in (
        "Stage 1 15 participants",
        "8 or fewer of 15 respond Stop early for futility: not promising",
        "9 or more of 15 respond Go on to stage 2",
        "Stage 2 28 more, 43 in total",
        "26 or fewer of 43 respond Not promising",
        "27 or more of 43 respond Promising: worth further study",
        "With a 20% dropout allowance, 54 are enrolled so that 43 are evaluable.",
    ):
        assert words in flow


def test_a_trial_without_a_plan_builds_and_says_so(tmp_path: Path) -> None:
    build = build_site(tmp_path / "site", trial=TESTS / "data" / "second_trial.yaml")
    assert build.returncode == 0, build.stderr
    soup = page(build)
    article = text(soup.select_one("article"))
    assert "This trial's file states no statistical plan." in article
    assert "states no statistical plan, so there are no stages to show" in article
    assert "states no statistical plan, so there are no operating characteristics to show" in article
    assert "states no statistical plan, so there are no designs to compare" in article
    assert "states no statistical plan, so there is no figure to show" in article
    assert not soup.select("svg.trial-curve__svg, .trial-numbers")


def test_a_plan_without_hypotheses_builds_and_says_its_error_rates_cannot_be_checked(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load((ROOT / "data" / "trial.yaml").read_text(encoding="utf-8"))
    del data["statistical_plan"]["hypotheses"]
    del data["statistical_plan"]["claimed_design"]
    trial = tmp_path / "trial.yaml"
    trial.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build = build_site(tmp_path / "site", trial=trial)
    assert build.returncode == 0, build.stderr
    soup = page(build)
    article = text(soup.select_one("article"))
    assert (
        "The plan states no hypotheses (p 0 , p 1 , α and β), so its error rates cannot be checked."
        in article
    )
    assert "so there are no alternative designs to compare it with" in article
    svg = soup.select_one("svg.trial-curve__svg")
    assert svg and not svg.select(".trial-curve__marker")
    assert len(soup.select("details.trial-curve__data tbody tr")) == 21


# --------------------------------------------------------------------------
# Formatting: fixed decimals, no float noise


def test_numbers_are_formatted_to_fixed_decimals() -> None:
    assert probability_text(0.049932930718000534) == "0.0499"
    assert probability_text(1.0) == "1.0000"
    assert size_text(23.5013427734375) == "23.50"
    assert rate_text(0.5) == "0.50" and rate_text(0.05) == "0.05" and rate_text(0.025) == "0.025"


def test_decimal_text_shows_the_yaml_value_without_binary_noise() -> None:
    assert decimal_text(0.1 + 0.2) == "0.30000000000000004"  # the float itself, honestly
    assert decimal_text(0.3) == "0.3" and decimal_text(0.3, places=2) == "0.30"
    assert decimal_text(1.0) == "1" and decimal_text(1e-05) == "0.00001"
    assert power_target_text(0.2) == "0.80" and power_target_text(0.1) == "0.90"
    assert power_target_text(0.15) == "0.85"  # 1 - 0.15 is 0.85 exactly, not 0.8500000000000001
    assert percent_text(0.2) == "20" and percent_text(0.15) == "15" and percent_text(0.125) == "12.5"


def test_distinct_text_adds_decimals_until_the_value_differs_from_its_target() -> None:
    assert distinct_text(0.0819, 0.05) == "0.0819"
    assert distinct_text(0.05000012, 0.05) == "0.0500001"
    assert distinct_text(0.79996, 0.8) == "0.79996"


def test_design_text_is_simons_notation() -> None:
    assert design_text(PLAN) == "8/15, 26/43"


def test_frame_maps_rates_and_probabilities_to_the_plot_corners() -> None:
    frame = Frame()
    assert frame.x(0.0) == f"{frame.left:.2f}"
    assert frame.x(1.0) == f"{frame.width - frame.right:.2f}"
    assert frame.y(1.0) == f"{frame.top:.2f}"
    assert frame.y(0.0) == f"{frame.height - frame.bottom:.2f}"


def test_curve_geometry_is_deterministic_and_marks_p0_and_p1() -> None:
    first, second = curve(PLAN), curve(PLAN)
    assert first == second
    assert len(first.rows) == 21 and TABLE_EVERY == 5
    assert [row.rate for row in first.rows] == [f"{i / 20:.2f}" for i in range(21)]
    assert {row.rate: row.marks for row in first.rows if row.marks} == {"0.50": ("p0",), "0.70": ("p1",)}
    assert [(m.key, m.rate, m.promising, m.anchor) for m in first.markers] == [
        ("p0", "0.50", "0.0499", "end"),
        ("p1", "0.70", "0.8044", "start"),
    ]
    assert len(first.x_ticks) == 11 and len(first.y_ticks) == 6
    assert curve(plan(hypotheses=None, claimed_design="NONE")).markers == ()


def test_views_need_hypotheses() -> None:
    bare = plan(hypotheses=None, claimed_design="NONE")
    assert characteristics(bare) is None and alternatives(bare) is None
    view = characteristics(PLAN)
    assert view.roles == ("OPTIMAL", "ADMISSIBLE")
    assert view.meets_alpha and view.meets_power and view.power_target == "0.80"


def test_a_stated_design_outside_the_admissible_set_gets_its_own_row() -> None:
    view = alternatives(plan(r1=11, n1=20, r=25, n=41, claimed_design="NONE"))
    assert [row.kind for row in view.rows] == ["Minimax", "Admissible", "Optimal", "Other"]
    last = view.rows[-1]
    assert last.stated and last.weights is None and (last.r1, last.n1, last.r, last.n) == (11, 20, 25, 41)
    assert not view.stated_is_listed


def test_roles_of_the_designs_for_the_trials_hypotheses() -> None:
    h = PLAN.hypotheses
    result = simon.search(h.p0, h.p1, h.alpha, h.beta)
    assert roles(result.minimax, h, result) == ["MINIMAX", "ADMISSIBLE"]
    assert roles(result.admissible[1], h, result) == ["ADMISSIBLE"]
    infeasible = simon.evaluate(8, 15, 25, 43, h.p0, h.p1)  # r one lower: alpha too high
    assert roles(infeasible, h, result) == []
    assert role_text(["OPTIMAL", "MINIMAX", "ADMISSIBLE"]) == "the optimal and minimax design"
    assert role_text([]) == "neither optimal, minimax nor admissible"


def test_templates_escape_the_yaml_note() -> None:
    h = PLAN.hypotheses.model_copy(update={"note": "<script>alert(1)</script> & {{ 7*7 }}"})
    html = render("design_characteristics", plan=PLAN, view=characteristics(plan(hypotheses=h)))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in html


# --------------------------------------------------------------------------
# The build-time checks, through the validator


def problems_for(statistical_plan: str, enrollment: int = 54) -> list[str]:
    body = SECOND.replace("    count: 120\n", f"    count: {enrollment}\n")
    with pytest.raises(TrialDataError) as caught:
        validate_document(parse(body + "\nstatistical_plan:\n" + statistical_plan, "t.yaml"))
    return [str(p) for p in caught.value.problems]


def valid(statistical_plan: str, enrollment: int = 54) -> None:
    body = SECOND.replace("    count: 120\n", f"    count: {enrollment}\n")
    validate_document(parse(body + "\nstatistical_plan:\n" + statistical_plan, "t.yaml"))


DESIGN = "  method: SIMON_TWO_STAGE\n  n1: 15\n  r1: 8\n  n: 43\n  r: 26\n  dropout_rate: 0.2\n"


def hypotheses(p0="0.5", p1="0.7", alpha="0.05", beta="0.2", provenance="DERIVED") -> str:
    return (
        f"  hypotheses:\n    p0: {p0}\n    p1: {p1}\n    alpha: {alpha}\n    beta: {beta}\n"
        f"    provenance: {provenance}\n"
    )


def test_a_sound_plan_passes_with_or_without_hypotheses() -> None:
    valid(DESIGN)
    valid(DESIGN + hypotheses() + "  claimed_design: OPTIMAL\n")
    valid(DESIGN + hypotheses() + "  claimed_design: ADMISSIBLE\n")
    # p1 written as 0.55 + 0.15 comes out of floating point as 0.7000000000000001
    valid(DESIGN + hypotheses(p1=repr(0.55 + 0.15)) + "  claimed_design: OPTIMAL\n")


def test_alpha_and_power_that_are_not_met_give_the_actual_values() -> None:
    [line] = problems_for(DESIGN + hypotheses(p0="0.52", p1="0.72"))
    assert line.endswith(
        "statistical_plan.hypotheses.alpha: the stated design 8/15, 26/43 has type I error 0.0819 "
        "at p0 = 0.52, more than alpha = 0.05"
    )
    [line] = problems_for(DESIGN + hypotheses(p1="0.68"))
    assert line.endswith(
        "statistical_plan.hypotheses.beta: the stated design 8/15, 26/43 has power 0.7292 "
        "at p1 = 0.68, less than 1 - beta = 0.80"
    )


def test_a_false_claim_names_the_design_that_is() -> None:
    [line] = problems_for(DESIGN + hypotheses() + "  claimed_design: MINIMAX\n")
    assert "statistical_plan.claimed_design: declares the minimax design, but for" in line
    assert "the minimax design is 12/23, 23/37 (n = 37, EN(p0) = 27.74)" in line
    assert line.endswith("the stated design 8/15, 26/43 (n = 43, EN(p0) = 23.50) is the optimal design")
    minimax = DESIGN.replace("n1: 15", "n1: 23").replace("r1: 8", "r1: 12")
    minimax = minimax.replace("n: 43", "n: 37").replace("r: 26", "r: 23")
    [line] = problems_for(minimax + hypotheses() + "  claimed_design: OPTIMAL\n", enrollment=47)
    assert "the optimal design is 8/15, 26/43 (n = 43, EN(p0) = 23.50)" in line
    assert line.endswith("is the minimax design")


def test_a_claim_on_an_infeasible_design_says_so() -> None:
    lines = problems_for(DESIGN + hypotheses(p1="0.68") + "  claimed_design: OPTIMAL\n")
    assert len(lines) == 2
    assert lines[1].endswith(
        "the stated design 8/15, 26/43 (n = 43, EN(p0) = 23.50) does not meet alpha and power"
    )


def test_enrollment_must_be_the_inflated_n_unless_it_is_actual() -> None:
    [line] = problems_for(DESIGN, enrollment=50)
    assert line.endswith(
        "design.enrollment_info.count: 50 does not match the statistical plan: 43 evaluable "
        "participants with a 20% dropout allowance need ceil(43 / (1 - 0.2)) = 54 enrolled"
    )
    no_dropout = DESIGN.replace("  dropout_rate: 0.2\n", "")
    [line] = problems_for(no_dropout, enrollment=54)
    assert line.endswith("43 evaluable participants with no dropout allowance need 43 enrolled")
    valid(no_dropout, enrollment=43)
    # What happened may differ from the plan: an ACTUAL enrollment is not checked.
    planned = "    count: 120\n    type: ESTIMATED\n"
    assert planned in SECOND
    body = SECOND.replace(planned, "    count: 120\n    type: ACTUAL\n")
    validate_document(parse(body + "\nstatistical_plan:\n" + DESIGN, "t.yaml"))


def test_hypotheses_out_of_range_are_line_numbered_errors_not_tracebacks() -> None:
    lines = problems_for(DESIGN + hypotheses(p0="0.7", p1="0.5"))
    assert len(lines) == 1
    assert "statistical_plan.hypotheses.p1: p1 (0.50) must be greater than p0 (0.70)" in lines[0]
    lines = problems_for(DESIGN + hypotheses(p0="0", p1="1", alpha="1.5", beta="-0.1", provenance="GUESS"))
    assert [line.split(": ", 2)[1] for line in lines] == [
        "statistical_plan.hypotheses.p0",
        "statistical_plan.hypotheses.p1",
        "statistical_plan.hypotheses.alpha",
        "statistical_plan.hypotheses.beta",
        "statistical_plan.hypotheses.provenance",
    ]
    assert all(re.match(r"t\.yaml:\d+:\d+: ", line) for line in lines)
    [line] = problems_for(DESIGN + hypotheses(p0="half"))
    assert line.endswith("statistical_plan.hypotheses.p0: must be a number (got 'half')")


def test_a_claim_needs_hypotheses() -> None:
    [line] = problems_for(DESIGN + "  claimed_design: OPTIMAL\n")
    assert (
        "statistical_plan.claimed_design: declares the optimal design, but the plan states no hypotheses"
        in line
    )


def test_a_malformed_design_reports_only_its_shape() -> None:
    bad = DESIGN.replace("r: 26", "r: 50")
    [line] = problems_for(bad + hypotheses() + "  claimed_design: OPTIMAL\n", enrollment=7)
    assert line.endswith("statistical_plan.r: r (50) must be at least r1 (8) and smaller than n (43)")
    [line] = problems_for(DESIGN.replace("n: 43", "n: 100001"), enrollment=125002)
    assert line.endswith("statistical_plan.n: must be at most 100000 (got 100001)")
