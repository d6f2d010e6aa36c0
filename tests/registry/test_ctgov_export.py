"""Export to a ClinicalTrials.gov record: round trips, no loss, the command line, the Data page.

"No loss" (``assert_no_loss``) means, for a real registry record imported and
exported again, within the protocolSection modules the model supports (all
thirteen of the API's modules) and ``hasResults``:

1. the same fields: the set of paths to every value (list positions included)
   is equal, so no field, list item or module is missing or added;
2. the same values: every number, boolean, date and enumeration is equal, and
   every text is equal once runs of whitespace are made one space. That
   normalisation is for the eligibility text, whose criteria are joined back
   with the layout :mod:`macros.ctgov_eligibility` describes: blank lines
   between nested items may differ, nothing else.

The resultsSection comes back exactly (see tests/registry/test_ctgov_results.py).
The other parts of a record (derivedSection, ...) are not imported; the
importer names them in its warning (see test_ctgov_import).
For the two records in tests/data/ctgov the export is even byte-identical in
these modules, which is checked too.
"""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys

import pytest

from conftest import ROOT, TESTS, build_site
from macros.registry.ctgov_export import not_exported, to_record
from macros.registry.ctgov_import import import_record, read_record
from macros.registry.ctgov_mapping import MODULES, escape, unescape
from macros.site.downloads import FORMATS, file_size
from macros.site.loading import load_trial

CTGOV = TESTS / "data" / "ctgov"
FIXTURES = sorted(CTGOV.glob("NCT*.json"))
HANDWRITTEN = TESTS / "data" / "handwritten_record.json"
RECORDS = [*FIXTURES, HANDWRITTEN]
TRIAL_FILES = [ROOT / "data" / "trial.yaml", TESTS / "data" / "second_trial.yaml"]
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent/chromium", "CI": ""}


def run_export(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    environment = dict(os.environ)
    environment.pop("TRIAL_DATA", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "macros", "export", *args],
        cwd=ROOT, capture_output=True, text=True, check=False, env=environment,
    )


def supported(record: dict) -> dict:
    section = {k: v for k, v in record["protocolSection"].items() if k in MODULES}
    out = {"protocolSection": section}
    if "resultsSection" in record:
        out["resultsSection"] = record["resultsSection"]
    return {**out, "hasResults": record["hasResults"]}


def leaves(value, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out.update(leaves(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(leaves(item, f"{path}[{i}]"))
        return out
    return {path: value}


def assert_no_loss(original: dict, exported: dict, reshaped: list[str] = ()) -> None:
    """Every field comes back, with the same words; ``reshaped`` texts (which the
    importer warned about) may be laid out differently."""
    before, after = leaves(supported(original)), leaves(exported)
    assert sorted(before) == sorted(after), (
        f"missing: {sorted(before.keys() - after.keys())}; "
        f"added: {sorted(after.keys() - before.keys())}"
    )
    for path, value in before.items():
        if path in reshaped:
            continue
        if isinstance(value, str):
            assert " ".join(after[path].split()) == " ".join(value.split()), path
        else:
            assert after[path] == value and type(after[path]) is type(value), path


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.stem)
def test_import_then_export_loses_nothing(record) -> None:
    original = read_record(record)
    imported = import_record(original)
    assert_no_loss(original, to_record(imported.trial), imported.reshaped)


# Records whose eligibility text has numbered sub-lists, which the export
# writes as bullets (the importer warns that it reshapes them).
RESHAPED = {"NCT00517179", "NCT06927986"}


@pytest.mark.parametrize("record", FIXTURES, ids=lambda p: p.stem)
def test_for_the_real_records_the_export_is_identical(record) -> None:
    original = read_record(record)
    imported = import_record(original)
    exported = to_record(imported.trial)
    if record.stem in RESHAPED:
        assert imported.reshaped == ["protocolSection.eligibilityModule.eligibilityCriteria"]
        exported["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] = original[
            "protocolSection"
        ]["eligibilityModule"]["eligibilityCriteria"]
    else:
        assert imported.reshaped == []
    assert exported == supported(original)


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.stem)
def test_importing_an_export_and_exporting_again_gives_the_same_json(record) -> None:
    first = to_record(import_record(read_record(record)).trial)
    second = to_record(import_record(json.loads(json.dumps(first))).trial)
    assert json.dumps(second, indent=2) == json.dumps(first, indent=2)


@pytest.mark.parametrize("path", TRIAL_FILES, ids=lambda p: p.stem)
def test_a_hand_made_trial_file_round_trips_through_the_registry_format(path) -> None:
    trial = load_trial(path)
    first = to_record(trial)
    again = import_record(json.loads(json.dumps(first)))
    assert again.unmapped == [] and again.reshaped == []
    assert to_record(again.trial) == first
    # The criteria come back in order, in the same words. The registry has no
    # ids, so an imported file numbers them I1, I2 ... whatever the file had.
    assert [c.text for c in again.trial.criteria] == [c.text for c in trial.criteria]


def test_the_registry_escapes_are_restored_in_markdown_fields_only() -> None:
    record = to_record(import_record(read_record(HANDWRITTEN)).trial)["protocolSection"]
    criteria = record["eligibilityModule"]["eligibilityCriteria"]
    assert "excipients \\<script\\>alert(1)\\</script\\>." in criteria
    assert "10\\^9/L" in criteria and "\\[RECIST 1.1\\]" in criteria and "counts \\& is" in criteria
    assert "\\*including\\*" in criteria
    # A title is plain text in the registry: no escapes.
    assert record["identificationModule"]["officialTitle"].endswith("</script><script>alert(1)</script>")
    # Markdown list markers in a description stay markers.
    assert record["descriptionModule"]["detailedDescription"].endswith(
        "* first point, with an escaped \\*star\\*\n* second point \\[see protocol\\]"
    )


@pytest.mark.parametrize(
    "text",
    ["a < b", "[x] * y ^ 2 & z", "**bold** stays", "no specials", "x\\<y"],
)
def test_escape_and_unescape_are_inverse(text) -> None:
    assert unescape(escape(text)) == text


def test_the_site_additions_are_named_as_not_exported() -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    names = not_exported(trial)
    if trial.statistical_plan is not None:
        assert "statistical_plan" in names
    assert "statisticalPlan" not in json.dumps(to_record(trial))


# --- the command line --------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_writes_the_same_bytes_to_a_file_and_to_standard_output(fmt, tmp_path) -> None:
    printed = run_export("--format", fmt)
    assert printed.returncode == 0, printed.stderr
    target = tmp_path / "out" / "export.json"
    written = run_export("--format", fmt, "-o", str(target))
    assert written.returncode == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    json.loads(printed.stdout)
    assert run_export("--format", fmt).stdout == printed.stdout  # deterministic


def test_export_of_another_trial_file_and_of_trial_data() -> None:
    by_argument = run_export("--format", "ctgov", str(TESTS / "data" / "second_trial.yaml"))
    by_variable = run_export("--format", "ctgov", TRIAL_DATA="tests/data/second_trial.yaml")
    assert by_argument.returncode == by_variable.returncode == 0
    assert by_argument.stdout == by_variable.stdout
    assert by_argument.stdout != run_export("--format", "ctgov").stdout


def test_export_of_a_bad_trial_file_lists_its_problems_and_exits_1() -> None:
    bad = "tests/invalid/05-missing-required.yaml"
    result = run_export("--format", "fhir", bad)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{bad}: ")
    # The schema needs no trial at all.
    assert run_export("--format", "schema", TRIAL_DATA=bad).returncode == 0


def test_export_usage_errors_exit_2() -> None:
    assert run_export("--format", "xml").returncode == 2
    assert run_export().returncode == 2


def test_the_main_usage_lists_the_new_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "macros", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert "import-ctgov RECORD.json [-o FILE]" in result.stdout
    assert "export --format ctgov|fhir|jsonld|schema [-o FILE]" in result.stdout


# --- the Data page -----------------------------------------------------------

DOWNLOADS = ["trial.yaml", "trial.ctgov.json", "trial.fhir.json", "trial.jsonld", "trial.schema.json"]
PDFS = ["checklist-a4.pdf", "checklist-letter.pdf"]


def download_rows(page: str) -> dict[str, tuple[str | None, str]]:
    """name -> (href or None, size cell) for each row of the downloads table."""
    table = page.split('class="trial-table trial-table--downloads"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>\s*(.*?)</tr>", table, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        if not cells:
            continue
        link = re.search(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', cells[0])
        name = link.group(2) if link else cells[0]
        rows[name] = (link.group(1) if link else None, cells[2].replace("\u00a0", " "))
    return rows


def test_the_data_page_lists_every_download_with_its_real_size(built_site) -> None:
    page = built_site.page("data")
    rows = download_rows(page)
    assert list(rows) == DOWNLOADS + PDFS
    folder = built_site.site / "data"
    for name in DOWNLOADS:
        href, size = rows[name]
        target = (folder / href).resolve()
        assert target == (built_site.site / "downloads" / name).resolve()
        assert size == file_size(target.stat().st_size), name
    for name in PDFS:
        href, size = rows[name]
        built = built_site.site / "checklist" / name
        if built.is_file():
            assert (folder / href).resolve() == built.resolve()
            assert size == file_size(built.stat().st_size)
        else:
            assert href is None and size.startswith("Not in this build")


def test_the_downloads_are_what_the_command_line_prints(built_site) -> None:
    folder = built_site.site / "downloads"
    assert (folder / "trial.yaml").read_bytes() == (ROOT / "data" / "trial.yaml").read_bytes()
    for fmt in FORMATS.values():
        printed = run_export("--format", fmt.name).stdout
        assert (folder / fmt.filename).read_text(encoding="utf-8") == printed, fmt.name
    assert (folder / "trial.schema.json").read_bytes() == (ROOT / "schema" / "trial.schema.json").read_bytes()


def test_without_chromium_the_data_page_says_the_pdfs_were_not_built(tmp_path) -> None:
    build = build_site(tmp_path / "site", **NO_PDFS)
    assert build.returncode == 0, build.stderr
    rows = download_rows(build.page("data"))
    for name in PDFS:
        assert rows[name] == (None, "Not in this build: printing it needs Chromium")
    assert not (build.site / "checklist" / "checklist-a4.pdf").exists()
    # The links of the other downloads are relative and resolve.
    for name in DOWNLOADS:
        href = rows[name][0]
        assert not href.startswith("/")
        assert posixpath.normpath(posixpath.join("data", href)) == f"downloads/{name}"


def test_the_downloads_writer_runs_after_the_pdf_writer() -> None:
    from macros.site import downloads as exports
    from macros.site import glue as site

    assert site.ARTIFACT_WRITERS[-1] is exports.write_downloads
    names = [writer.__name__ for writer in site.ARTIFACT_WRITERS]
    if "write_checklist_pdfs" in names:
        assert names.index("write_checklist_pdfs") < names.index("write_downloads")


def test_data_is_the_last_page_of_the_navigation() -> None:
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert config["nav"][-1] == {"Data": "data.md"}


def test_the_data_page_states_no_trial_specific_facts() -> None:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert not re.search(r"NCT\d{8}", text)
    assert "{{ downloads() }}" in text


def test_file_sizes_read_as_people_write_them() -> None:
    assert [file_size(n) for n in (0, 1, 999, 1000, 12_345, 1_234_567)] == [
        "0 bytes", "1 byte", "999 bytes", "1.0 kB", "12.3 kB", "1.2 MB",
    ]
