"""``python -m macros import-ctgov RECORD.json [-o FILE]``: a registry record -> trial YAML.

The YAML goes to FILE (replaced only once it is complete) or to standard
output. Fields the model has no place for are listed in one warning on
standard error. A file that is not a registry record gets a one-line error
and exit status 1, as does a record that does not make a valid trial.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from macros.cli.output import OutputError, check_target, write_file, write_stdout
from macros.registry.ctgov_import import NotARecord, RecordProblems, header_lines, import_record, read_record
from macros.registry.ctgov_import import to_yaml as trial_yaml
from macros.registry.json_schema import SCHEMA_FILE
from macros.site.loading import validate_document
from macros.trial.characters import visible
from macros.trial.errors import TrialDataError
from macros.trial.paths import display_name
from macros.trial.source import parse

PROJECT = Path(__file__).resolve().parents[2]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


def main(argv: list[str]) -> int:
    parser = _Parser(
        prog="python -m macros import-ctgov",
        description="Turn a ClinicalTrials.gov API v2 study record (JSON) into a trial file.",
    )
    parser.add_argument("record", help="the study record, as saved from /api/v2/studies/NCT...")
    parser.add_argument("-o", "--output", help="the trial file to write (default: standard output)")
    args = parser.parse_args(argv)

    cwd = Path.cwd()
    source = Path(args.record)
    shown = visible(display_name(source, cwd))
    target = Path(args.output) if args.output else None
    name = display_name(target, cwd) if target else "(output)"
    try:
        if target is not None:  # before any work: a wrong path is a usage error
            check_target(target, name)
        imported = import_record(read_record(source))
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    except NotARecord as exc:
        print(f"error: {shown}: {visible(str(exc))}", file=sys.stderr)
        return 1
    except RecordProblems as exc:
        count = len(exc.problems)
        print(
            f"error: {shown}: the record does not make a valid trial file "
            f"({count} problem{'s' if count != 1 else ''}):",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {visible(problem)}", file=sys.stderr)
        return 1

    trial = imported.trial
    text = trial_yaml(trial, header_lines(trial, _schema_ref(target)))
    # What is written must load exactly as the site loads it.
    try:
        same = validate_document(parse(text, name)) == trial
    except TrialDataError as exc:
        same, why = False, exc.problems[0]
    else:
        why = "a value reads back differently"
    if not same:
        print(
            f"error: {shown}: the trial file written from this record would not read back "
            f"as imported ({visible(str(why))}); nothing was written",
            file=sys.stderr,
        )
        return 1

    for message in warnings(imported):
        print(f"warning: {shown}: {visible(message)}", file=sys.stderr)
    try:
        if target is None:
            write_stdout(text)
            return 0
        write_file(target, text, name)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    eligibility = trial.eligibility
    sites = len(trial.contacts_locations.locations)
    print(
        f"Wrote {name}: {trial.identification.nct_id}, {len(eligibility.inclusion)} inclusion "
        f"and {len(eligibility.exclusion)} exclusion criteria, {sites} site"
        f"{'s' if sites != 1 else ''}. Build its site with: TRIAL_DATA={name} make site"
    )
    return 0


def _schema_ref(target: Path | None) -> str | None:
    """The JSON Schema, relative to the written file, when both are in this project."""
    if target is None:
        return None
    folder = target.resolve().parent
    try:
        folder.relative_to(PROJECT)
    except ValueError:
        return None
    return Path(os.path.relpath(PROJECT / SCHEMA_FILE, folder)).as_posix()


def warnings(imported) -> list[str]:
    """One line for each thing the import could not carry over as it was."""
    lines = []
    if imported.uncertain:
        lines.append(
            "cannot tell whether these criteria are inclusion or exclusion criteria, so they are "
            "listed where the text puts them; check each and move it if needed: "
            + "; ".join(imported.uncertain)
        )
    if imported.unmapped:
        lines.append("not imported, the trial model has no place for: " + ", ".join(imported.unmapped))
    if imported.reshaped:
        lines.append(
            "the export will write these texts differently "
            "(markdown kept as text, or the criteria laid out the usual way): "
            + ", ".join(imported.reshaped)
        )
    return lines
