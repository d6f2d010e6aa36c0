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

from macros.registry.ctgov_import import NotARecord, RecordProblems, header_lines, import_record, read_record
from macros.registry.ctgov_import import to_yaml as trial_yaml
from macros.registry.json_schema import SCHEMA_FILE
from macros.site.loading import validate_document
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
    shown = display_name(source, cwd)
    try:
        imported = import_record(read_record(source))
    except NotARecord as exc:
        print(f"error: {shown}: {exc}", file=sys.stderr)
        return 1
    except RecordProblems as exc:
        count = len(exc.problems)
        print(
            f"error: {shown}: the record does not make a valid trial file "
            f"({count} problem{'s' if count != 1 else ''}):",
            file=sys.stderr,
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1

    trial = imported.trial
    target = Path(args.output) if args.output else None
    text = trial_yaml(trial, header_lines(trial, _schema_ref(target)))
    # What is written must load exactly as the site loads it.
    name = display_name(target, cwd) if target else "(output)"
    if validate_document(parse(text, name)) != trial:
        raise AssertionError("the written YAML does not read back as the imported trial")

    if imported.unmapped:
        print(
            f"warning: {shown}: not imported, the trial model has no place for: "
            + ", ".join(imported.unmapped),
            file=sys.stderr,
        )
    if imported.reshaped:
        print(
            f"warning: {shown}: the export will write these texts differently "
            "(markdown kept as text, or the criteria laid out the usual way): "
            + ", ".join(imported.reshaped),
            file=sys.stderr,
        )
    if target is None:
        sys.stdout.write(text)
        return 0
    _write(target, text)
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


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
