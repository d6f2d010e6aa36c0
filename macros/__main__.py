"""Command line: ``python -m macros validate|simon|build ...``.

Bad data or bad arguments print a clear message and exit non-zero; only an
internal bug shows a traceback.
"""

from __future__ import annotations

import os
import sys

USAGE = """usage: python -m macros COMMAND [ARGS]

commands:
  validate [FILE]     check a trial file (default: $TRIAL_DATA or data/trial.yaml)
  simon ...           Simon two-stage designs (python -m macros simon --help)
  build [--site-dir DIR]
                      validate, then build the site into DIR (default: site/)
                      and replace it only if the build succeeds
  import-ctgov RECORD.json [-o FILE]
                      turn a ClinicalTrials.gov API v2 study record into a
                      trial file (default: print it)
  export --format ctgov|fhir|jsonld|schema [-o FILE] [TRIAL]
                      the trial as a registry record, a FHIR R5 Bundle,
                      schema.org JSON-LD, or the trial file's JSON Schema
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "validate":
        from macros.cli.validate import main as run
    elif command == "simon":
        from macros.cli.simon import main as run
    elif command == "build":
        from macros.cli.build import main as run
    elif command == "import-ctgov":
        from macros.cli.import_ctgov import main as run
    elif command == "export":
        from macros.cli.export import main as run
    else:
        print(f"error: unknown command '{command}'; see python -m macros --help", file=sys.stderr)
        return 2
    try:
        status = run(rest)
        sys.stdout.flush()
    except OSError as exc:
        # Writing the output failed (``> /dev/full``, a closed pipe): one line,
        # not a traceback, and stdout pointed at the null device so that the
        # interpreter's own flush at exit cannot fail again.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        if isinstance(exc, BrokenPipeError):
            return 1  # the reader went away (``| head``)
        where = f" {exc.filename}" if exc.filename else " to standard output"
        print(f"error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
