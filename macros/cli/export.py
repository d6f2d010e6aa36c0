"""``python -m macros export --format FORMAT [-o FILE] [TRIAL]``: the trial in a standard format.

FORMAT is ``ctgov`` (a ClinicalTrials.gov API v2 record's protocolSection),
``fhir`` (a FHIR R5 Bundle), ``jsonld`` (schema.org JSON-LD) or ``schema``
(the JSON Schema of the trial file, which needs no trial). The trial is TRIAL,
else ``$TRIAL_DATA``, else ``data/trial.yaml``; the output goes to FILE or to
standard output, byte for byte what the site publishes under ``downloads/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from macros.cli.output import OutputError, check_target, write_file, write_stdout
from macros.registry.json_schema import schema_text
from macros.site.downloads import FORMATS
from macros.trial.errors import TrialDataError
from macros.trial.paths import display_name, trial_path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"error: {message}\n")


def main(argv: list[str]) -> int:
    parser = _Parser(prog="python -m macros export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="output format")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    parser.add_argument("trial", nargs="?", help="trial file (default: $TRIAL_DATA or data/trial.yaml)")
    args = parser.parse_args(argv)

    cwd = Path.cwd()
    target = Path(args.output) if args.output else None
    try:
        if target is not None:  # before any work: a wrong path is a usage error
            check_target(target, args.output)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    if args.format == "schema":
        text = schema_text()
    else:
        from macros.registry.ctgov_export import not_exported
        from macros.site.loading import load_trial

        path = Path(args.trial) if args.trial else trial_path(cwd)
        try:
            trial = load_trial(path, display_name(path, cwd))
        except TrialDataError as exc:
            print(exc, file=sys.stderr)
            return 1
        text = FORMATS[args.format].text(trial)
        left_out = not_exported(trial) if args.format == "ctgov" else []
        if left_out:
            print(
                "note: a registry record has no place for these, so they are not in the export: "
                + ", ".join(left_out),
                file=sys.stderr,
            )
    try:
        if target is not None:
            write_file(target, text, display_name(target, cwd))
        else:
            write_stdout(text)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    return 0
