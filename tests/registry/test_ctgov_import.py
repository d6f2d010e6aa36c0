"""Import from ClinicalTrials.gov API v2 records: mapping, eligibility text, errors, YAML, sites."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TESTS, build_site
from macros.registry.ctgov_eligibility import heading_kind, join, split
from macros.registry.ctgov_import import import_record, read_record
from macros.site.loading import load_trial
from macros.trial.characters import is_hidden
from macros.trial.model import CriteriaLayout, Criterion

CTGOV = TESTS / "data" / "ctgov"
FIXTURES = sorted(CTGOV.glob("NCT*.json"))
HANDWRITTEN = TESTS / "data" / "handwritten_record.json"
# These builds test the pages of imported trials, not the checklist PDFs:
# without Chromium each build takes about a second instead of five.
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


def run_import(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "macros", "import-ctgov", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )


def plain_text(page: str) -> str:
    """The page's text: tags removed, entities decoded, whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())


def words(text: str) -> str:
    return " ".join(text.split())


# --- the two real registry records -----------------------------------------


def test_the_fixtures_are_the_shared_registry_records() -> None:
    assert [p.name for p in FIXTURES] == [
        "NCT00517179.json", "NCT00763412.json", "NCT02210780.json", "NCT03064438.json",
        "NCT03475563.json", "NCT04175379.json", "NCT04267848.json", "NCT04431453.json",
        "NCT06927986.json",
    ]
    sources = (CTGOV / "SOURCES.md").read_text(encoding="utf-8")
    for path in FIXTURES:
        assert f"| {path.name} |" in sources, path.name


@pytest.fixture
def imported_site(imported_record_site):
    """Each fixture imported with the command line, then built into its own site."""
    return imported_record_site


def test_an_imported_record_validates_and_builds(imported_site) -> None:
    record, trial_file, result, build = imported_site
    trial = load_trial(trial_file)
    assert trial.identification.nct_id == record.stem
    assert result.stdout.startswith(f"Wrote {trial_file}: {record.stem}, ")
    assert "Traceback" not in result.stderr + build.stderr
    for page in ("index", "eligibility", "sites", "sponsors", "data"):
        assert (build.site / ("index.html" if page == "index" else f"{page}/index.html")).is_file()


def test_every_criterion_site_and_identifier_appears_in_the_site(imported_site) -> None:
    _, trial_file, _, build = imported_site
    trial = load_trial(trial_file)
    eligibility = plain_text(build.page("eligibility"))
    for criterion in trial.criteria:
        assert f"{criterion.id} {words(criterion.text)}" in eligibility, criterion.id
    sites = plain_text(build.page("sites"))
    for location in trial.contacts_locations.locations:
        for part in (location.facility, location.city, location.state, location.country):
            if part:
                assert part in sites, part
    identifiers = plain_text(build.page("sponsors"))
    assert trial.identification.nct_id in identifiers
    assert trial.identification.org_study_id_info.id in identifiers
    assert trial.identification.nct_id in plain_text(build.page("index"))


def test_the_registry_counts_match_what_was_imported(imported_site) -> None:
    record, trial_file, _, _ = imported_site
    data = json.loads(record.read_text(encoding="utf-8"))["protocolSection"]
    trial = load_trial(trial_file)
    locations = data["contactsLocationsModule"]["locations"]
    assert len(trial.contacts_locations.locations) == len(locations)
    assert [loc.geo_point.lat if loc.geo_point else None for loc in trial.contacts_locations.locations] == [
        loc.get("geoPoint", {}).get("lat") for loc in locations
    ]
    assert len(trial.outcomes.secondary_outcomes) == len(
        data["outcomesModule"].get("secondaryOutcomes", [])
    )


def test_the_dupilumab_record_is_split_into_its_numbered_key_criteria() -> None:
    trial = import_record(read_record(CTGOV / "NCT02210780.json")).trial
    eligibility = trial.eligibility
    assert [c.id for c in eligibility.inclusion] == ["I1", "I2", "I3", "I4", "I5"]
    assert [c.id for c in eligibility.exclusion] == [f"E{n}" for n in range(1, 8)]
    # The registry's escapes are gone.
    assert "[Eichenfeld 2004]" in eligibility.inclusion[0].text
    assert eligibility.exclusion[1].text.startswith("Patients needing >10 mg of daily prednisone")
    assert "\\" not in " ".join(c.text for c in trial.criteria)
    layout = eligibility.criteria_layout
    assert layout.inclusion_heading == "Key Inclusion Criteria:"
    assert layout.exclusion_heading == "Key Exclusion Criteria:"
    assert layout.inclusion_list_style == layout.exclusion_list_style == "NUMBER"
    assert layout.note.startswith("The information listed above is not intended")
    # Escapes in other markdown fields are removed too; plain fields are untouched.
    outcome = trial.outcomes.primary_outcomes[0]
    assert "titers of <0.1 IU/ml" in outcome.description
    assert "(the Adacel [Tdap] Vaccine)" in outcome.measure


def test_the_observational_record_keeps_contacts_officials_and_site_status() -> None:
    trial = import_record(read_record(CTGOV / "NCT03475563.json")).trial
    contacts = trial.contacts_locations
    assert [c.name for c in contacts.central_contacts] == ["Imanol Otaegui, MD", "Imanol Otaegui"]
    assert contacts.overall_officials[0].role == "PRINCIPAL_INVESTIGATOR"
    assert {loc.status for loc in contacts.locations} == {"RECRUITING"}
    assert contacts.locations[0].contacts[0].name == "Eduard Bosch, MD"
    assert trial.status.last_known_status == "RECRUITING"
    assert trial.design.patient_registry is True
    assert trial.eligibility.sampling_method == "NON_PROBABILITY_SAMPLE"
    assert len(trial.references.references) == 3
    assert trial.eligibility.criteria_layout is None  # the usual headings and bullets


def test_what_has_no_place_in_the_model_is_listed_in_one_warning(tmp_path) -> None:
    result = run_import(str(CTGOV / "NCT02210780.json"), "-o", str(tmp_path / "t.yaml"))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    # The resultsSection is imported now; only the registry's derived data is not.
    assert warnings[0].endswith("no place for: derivedSection")


def test_an_unknown_field_inside_a_module_is_named_by_its_path(tmp_path) -> None:
    record = json.loads((CTGOV / "NCT03475563.json").read_text(encoding="utf-8"))
    record["protocolSection"]["statusModule"]["newRegistryField"] = "x"
    record["protocolSection"]["contactsLocationsModule"]["locations"][1]["floor"] = 3
    record["protocolSection"]["someFutureModule"] = {"a": 1}
    imported = import_record(record)
    assert imported.unmapped == [
        "protocolSection.statusModule.newRegistryField",
        "protocolSection.contactsLocationsModule.locations[1].floor",
        "protocolSection.someFutureModule",
        "derivedSection",
    ]


# --- the hand-written record: every eligibility layout ----------------------


@pytest.fixture(scope="module")
def handwritten():
    return import_record(read_record(HANDWRITTEN))


EXPECTED_INCLUSION = [
    ("I1", "Adults aged 18 to 75 years.", None),
    ("I2", "Measurable disease [RECIST 1.1] with at least one lesion > 10 mm.", None),
    ("I3", "Adequate organ function, defined as:", None),
    ("I3.1", "Absolute neutrophil count ≥ 1.5 x 10^9/L", None),
    ("I3.2", "Platelets ≥ 100 x 10^9/L", None),
    ("I3.3", "Creatinine clearance > 60 mL/min, or:", None),
    ("I3.3.1", "serum creatinine < 1.5 x ULN", None),
    (
        "I4",
        "Women of childbearing potential must use contraception.\n\n"
        "Acceptable methods are listed in the protocol appendix; abstinence counts & is "
        "documented.",
        None,
    ),
    ("I5", "Signed informed consent\ngiven before any study procedure.", None),
    (
        "I6",
        "Prior treatment with at least one line of therapy *including* a platinum agent.",
        "Part B only:",
    ),
]
EXPECTED_EXCLUSION = [
    ("E1", "Known hypersensitivity to the study drug or its excipients "
     "<script>alert(1)</script>.", None),
    ("E2", "Pregnancy or breast-feeding.", None),
    ("E3", "Any of the following within 6 months:", None),
    ("E3.1", "myocardial infarction", None),
    ("E3.2", "stroke", None),
    ("E4", "Prior exposure to an anti-PD-1 antibody.", "For participants in Cohort 2:"),
]


def test_handwritten_inclusion_items_one_by_one(handwritten) -> None:
    got = [(c.id, c.text, c.group) for c in handwritten.trial.eligibility.inclusion]
    assert got == EXPECTED_INCLUSION


def test_handwritten_exclusion_items_one_by_one(handwritten) -> None:
    got = [(c.id, c.text, c.group) for c in handwritten.trial.eligibility.exclusion]
    assert got == EXPECTED_EXCLUSION


def test_handwritten_layout_intro_headings_and_note(handwritten) -> None:
    layout = handwritten.trial.eligibility.criteria_layout
    assert layout.intro == "Eligibility is assessed at the screening visit."
    assert layout.inclusion_heading == "Key Inclusion Criteria:"
    assert layout.inclusion_list_style == "NUMBER"
    assert layout.exclusion_heading == "Exclusion criteria:"
    assert layout.exclusion_list_style == "BULLET"
    assert layout.note == "The criteria above are a summary; the protocol has the complete list."
    assert handwritten.unmapped == ["derivedSection"]
    assert handwritten.reshaped == []


def test_handwritten_descriptions_keep_bullets_and_lose_escapes(handwritten) -> None:
    description = handwritten.trial.description
    assert "texts with <script> in them" in description.brief_summary
    assert description.detailed_description.endswith(
        "* first point, with an escaped *star*\n* second point [see protocol]"
    )


def test_handwritten_script_texts_are_escaped_in_the_built_site(tmp_path) -> None:
    trial_file = tmp_path / "trial.yaml"
    assert run_import(str(HANDWRITTEN), "-o", str(trial_file)).returncode == 0
    build = build_site(tmp_path / "site", trial=trial_file, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    page = build.page("eligibility")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for built in sorted(build.site.rglob("*.html")):
        text = built.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text, built
        assert "</script><script>alert" not in text, built
    # The criteria ids, nested ones included, are on the page.
    for ident, _, _ in EXPECTED_INCLUSION + EXPECTED_EXCLUSION:
        assert f'id="criterion-{ident.lower().replace(".", "-")}"' in page


# --- eligibility text layouts, one at a time --------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Inclusion Criteria:", ("inclusion", False)),
        ("Key Inclusion Criteria:", ("inclusion", False)),
        ("INCLUSION CRITERIA", ("inclusion", False)),
        ("Inclusion:", ("inclusion", False)),
        ("Exclusion criteria:", ("exclusion", False)),
        ("**Exclusion Criteria:**", ("exclusion", False)),
        ("Main Exclusion Criteria", ("exclusion", False)),
        ("Inclusion Criteria for Part A:", ("inclusion", True)),
        ("Exclusion criteria (cohort 2):", ("exclusion", True)),
        ("Exclusion of patients with prior surgery", None),
        ("Inclusion and exclusion criteria:", None),
        ("Patients must meet the following:", None),
    ],
)
def test_heading_variants(line, expected) -> None:
    assert heading_kind(line) == expected


def test_a_plain_heading_with_the_usual_words_is_not_stored() -> None:
    result = split("Inclusion Criteria:\n\n* a\n\nExclusion Criteria:\n\n* b")
    assert result.layout == {}
    assert [c["text"] for c in result.inclusion] == ["a"]
    assert [c["text"] for c in result.exclusion] == ["b"]


def test_a_heading_written_as_a_list_item_still_switches_sections() -> None:
    result = split("* Inclusion Criteria:\n\n  * age over 18\n* Exclusion Criteria:\n\n  * pregnancy")
    assert [(c["id"], c["text"]) for c in result.inclusion] == [("I1", "age over 18")]
    assert [(c["id"], c["text"]) for c in result.exclusion] == [("E1", "pregnancy")]


def test_qualified_headings_become_subgroups() -> None:
    text = (
        "Inclusion Criteria for Part A:\n\n* a1\n* a2\n\n"
        "Inclusion Criteria for Part B:\n\n* b1\n\nExclusion Criteria:\n\n* x"
    )
    result = split(text)
    assert [(c["id"], c.get("group")) for c in result.inclusion] == [
        ("I1", "Inclusion Criteria for Part A:"),
        ("I2", "Inclusion Criteria for Part A:"),
        ("I3", "Inclusion Criteria for Part B:"),
    ]
    criteria = [Criterion(**c) for c in result.inclusion]
    # Written back without an extra "Inclusion Criteria:" heading.
    assert join(criteria, [Criterion(id="E1", text="x")], None) == text


def test_sections_without_markers_have_one_criterion_per_line() -> None:
    result = split(
        "Inclusion Criteria:\n\nAge 18 or older\nSigned consent\n\nExclusion Criteria:\n\nPregnancy"
    )
    assert [c["text"] for c in result.inclusion] == ["Age 18 or older", "Signed consent"]
    assert [c["text"] for c in result.exclusion] == ["Pregnancy"]
    assert result.layout == {"inclusion_list_style": "PLAIN", "exclusion_list_style": "PLAIN"}


def test_a_text_without_headings_or_markers_is_all_inclusion() -> None:
    result = split("Adults with asthma\nNon-smokers")
    assert [c["id"] for c in result.inclusion] == ["I1", "I2"]
    assert result.exclusion == []


def test_an_escaped_star_never_starts_a_list() -> None:
    result = split("Inclusion Criteria:\n\n* a\n\n\\* marks central-lab tests")
    assert [c["text"] for c in result.inclusion] == ["a"]
    assert result.layout["note"] == "* marks central-lab tests"


def test_a_paragraph_without_a_colon_between_items_continues_the_item_above() -> None:
    result = split("Exclusion Criteria:\n\n* a\n\nMore about a.\n\n* b")
    assert [(c["text"], c.get("group")) for c in result.exclusion] == [
        ("a\n\nMore about a.", None),
        ("b", None),
    ]


# Criteria texts that the writer and the reader must agree on: words from the
# characters the registry escapes and others, lines that do not look like list
# items or headings.
_word = st.text(alphabet="abcXYZ019<>[]*^&()%≥µ'\"#:;,.-/", min_size=1, max_size=8)
_line = st.tuples(
    st.sampled_from(["Age", "no", "Prior", "x", "Exclusion", "Key"]),
    st.lists(_word, max_size=6),
).map(lambda parts: " ".join([parts[0], *parts[1]])).filter(lambda line: heading_kind(line) is None)
_text = st.lists(
    st.lists(_line, min_size=1, max_size=2).map("\n".join), min_size=1, max_size=3
).map("\n\n".join)


@st.composite
def _criteria(draw, prefix: str) -> list[Criterion]:
    out: list[Criterion] = []
    groups = [None, "Part A:", "Cohort 2 only:"]
    group = None
    for number in range(1, draw(st.integers(0, 4)) + 1):
        if number == 1 or draw(st.booleans()):
            candidates = [g for g in groups if g is not None] if group else groups
            group = draw(st.sampled_from(candidates))
        out.append(Criterion(id=f"{prefix}{number}", text=draw(_text), group=group))
        for sub in range(1, draw(st.integers(0, 2)) + 1):
            out.append(Criterion(id=f"{prefix}{number}.{sub}", text=draw(_line), group=group))
    return out


@settings(max_examples=150, deadline=None)
@given(
    inclusion=_criteria("I"),
    exclusion=_criteria("E"),
    style=st.sampled_from(["BULLET", "NUMBER"]),
    note=st.none() | _line,
)
def test_writing_then_reading_criteria_gives_them_back(inclusion, exclusion, style, note) -> None:
    # A note with no criteria at all cannot be told apart from criteria: a text
    # without headings or list markers is read as one criterion per line.
    assume(inclusion or exclusion or note is None)
    layout = CriteriaLayout(inclusion_list_style=style, exclusion_list_style=style, note=note)
    text = join(inclusion, exclusion, layout)
    result = split(text)
    assert result.inclusion == [c.model_dump(exclude_none=True, exclude={"rule"}) for c in inclusion]
    assert result.exclusion == [c.model_dump(exclude_none=True, exclude={"rule"}) for c in exclusion]
    assert result.layout.get("note") == note


# Registry-like eligibility texts: an optional intro, an inclusion and an
# exclusion section (each possibly with subgroup headings), items with every
# marker and indentation, plain lines, escapes, and trailing text.
_piece = st.sampled_from(
    ["age", "No", "x \\<5", "\\[a\\]", "10\\^9/L", "b \\& c", "Part", "A:", "\\*", "≥ 2", "(e.g.)"]
)
_words = st.lists(_piece, min_size=1, max_size=5).map(" ".join)
_content = st.one_of(
    st.tuples(
        st.sampled_from(["", "  ", "   ", "     "]),
        st.sampled_from(["* ", "- ", "1. ", "2) ", "12. "]),
        _words,
    ).map("".join),
    st.tuples(st.sampled_from(["", "  ", "   "]), _words).map("".join),
    st.just(""),
)
_body = st.lists(_content, max_size=6).filter(lambda lines: any(line.strip() for line in lines))


def _section(headings: list[str], subgroups: list[str]):
    return st.tuples(
        st.sampled_from(headings), _body, st.lists(st.tuples(st.sampled_from(subgroups), _body), max_size=2)
    ).map(lambda s: [s[0], *s[1], *[line for g in s[2] for line in (g[0], *g[1])]])


_registry_text = st.tuples(
    st.lists(_content, max_size=3),
    st.just([]) | _section(
        ["Inclusion Criteria:", "Key Inclusion Criteria:", "* Inclusion Criteria:", "INCLUSION CRITERIA"],
        ["Inclusion Criteria for Part A:", "Inclusion criteria (cohort 2):", "For all participants:"],
    ),
    st.just([]) | _section(
        ["Exclusion criteria:", "EXCLUSION CRITERIA", "**Exclusion Criteria:**"],
        ["Exclusion Criteria for Part B:"],
    ),
    st.lists(_content, max_size=3),
).map(lambda parts: "\n".join([*parts[0], *parts[1], *parts[2], *parts[3]]))


def _model(result):
    inclusion = [Criterion(**c) for c in result.inclusion]
    exclusion = [Criterion(**c) for c in result.exclusion]
    return inclusion, exclusion, CriteriaLayout(**result.layout) if result.layout else None


@settings(max_examples=300, deadline=None)
@given(_registry_text)
def test_any_registry_like_text_reads_the_same_after_one_export(text) -> None:
    first = split(text)
    exported = join(*_model(first))
    again = split(exported)
    assert (again.inclusion, again.exclusion, again.layout) == (
        first.inclusion, first.exclusion, first.layout,
    )
    assert join(*_model(again)) == exported


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab *-1.):\\<>\n\t#IEe", max_size=120) | st.text(max_size=80))
def test_no_text_makes_the_reader_fail(text) -> None:
    split(text)


# --- the written YAML --------------------------------------------------------


def test_the_yaml_is_readable(tmp_path) -> None:
    target = tmp_path / "trial.yaml"
    assert run_import(str(CTGOV / "NCT02210780.json"), "-o", str(target)).returncode == 0
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == (
        "# Imported from ClinicalTrials.gov record NCT02210780 "
        "(registry record last updated 2020-05-07)"
    )
    modules = [line.split(":")[0] for line in lines if re.match(r"^[a-z_]+:", line)]
    assert modules == [
        "identification", "status", "has_results", "sponsor_collaborators", "oversight",
        "description", "conditions", "design", "arms_interventions", "outcomes",
        "eligibility", "contacts_locations", "results",
    ]
    # Long texts are block scalars; dates stay plain strings.
    assert "  brief_summary: >-\n" in text
    assert "    date: 2014-08-05\n" in text
    assert re.search(r"^  inclusion:\n    - id: I1\n      text: >-\n", text, re.M)
    assert yaml.safe_load(text)["eligibility"]["inclusion"][0]["id"] == "I1"
    # Same input, same bytes: nothing depends on the clock.
    again = tmp_path / "again.yaml"
    run_import(str(CTGOV / "NCT02210780.json"), "-o", str(again))
    assert again.read_bytes() == target.read_bytes()


def test_a_file_written_inside_the_project_points_editors_at_the_schema(tmp_path) -> None:
    folder = ROOT / "tests" / "data"
    target = folder / f".import-test-{tmp_path.name}.yaml"
    try:
        assert run_import(str(HANDWRITTEN), "-o", str(target)).returncode == 0
        first = target.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/trial.schema.json"
        assert (folder / "../../schema/trial.schema.json").resolve().is_file()
    finally:
        target.unlink(missing_ok=True)


def test_without_output_the_yaml_goes_to_standard_output() -> None:
    result = run_import(str(CTGOV / "NCT03475563.json"))
    assert result.returncode == 0
    assert result.stdout.startswith("# Imported from ClinicalTrials.gov record NCT03475563")
    assert "yaml-language-server" not in result.stdout
    assert result.stderr.count("warning:") == 1


# Every character a trial file accepts (controls and bidi overrides are refused
# by the reader and by the import alike).
_ACCEPTED = st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(lambda c: not is_hidden(c))


@given(st.text(alphabet=_ACCEPTED, max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_text_survives_the_yaml_writer(text) -> None:
    from macros.registry.ctgov_import import _Dumper

    dumped = yaml.dump({"t": text}, Dumper=_Dumper, allow_unicode=True, width=88)
    from macros.trial.source import parse

    document = parse(dumped, "t.yaml")
    assert document.problems == []
    assert document.data == {"t": text}


# --- not a registry record -------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"{not json", "not JSON (line 1, column 2"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b"[1, 2]", "the JSON is a list"),
        (b'"NCT01234567"', "the JSON is a single value"),
        (b'{"studies": [{}, {}]}', "this is a search result with 2 studies"),
        (b'{"hasResults": false}', "no 'protocolSection' object"),
        (b'{"protocolSection": {"statusModule": {}}}', "no identificationModule.nctId"),
    ],
)
def test_not_a_registry_record_is_one_line_and_exit_1(tmp_path, content, message) -> None:
    record = tmp_path / "record.json"
    record.write_bytes(content)
    target = tmp_path / "out.yaml"
    result = run_import(str(record), "-o", str(target))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {record}: ")
    assert message in result.stderr
    assert not target.exists()


def test_a_missing_file_is_one_line_and_exit_1(tmp_path) -> None:
    result = run_import(str(tmp_path / "nope.json"))
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'nope.json'}: file not found\n"


def test_a_record_that_does_not_make_a_valid_trial_names_the_fields(tmp_path) -> None:
    record = json.loads((CTGOV / "NCT03475563.json").read_text(encoding="utf-8"))
    record["protocolSection"]["eligibilityModule"]["sex"] = "BOTH"
    record["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2018-13-40"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = run_import(str(path))
    assert result.returncode == 1
    assert "does not make a valid trial file (2 problems)" in result.stderr
    assert "protocolSection.eligibilityModule.sex: " in result.stderr
    assert "protocolSection.statusModule.startDateStruct.date: " in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    result = run_import()
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
