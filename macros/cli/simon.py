"""``python -m macros simon``: Simon two-stage designs from the command line.

Three forms::

    simon P0 P1 ALPHA BETA [--nmax N] [--json]
    simon --design R1 N1 R N --p0 P0 --p1 P1 [--json]
    simon --analyse R1 N1 R N --p0 P0 --responses S [--stage1-responses X1]
          [--n1-actual A] [--n2-actual B] [--alpha A] [--json]

The first searches for the optimal, minimax and admissible designs, the
second reports the operating characteristics of a given design, the third
analyses the outcome of a finished trial exactly
(:mod:`macros.results.inference`): ``S <= R1`` means the trial stopped after
stage 1 with ``S`` responses. Bad arguments print one line, ``error: ...``,
on stderr and exit with status 2.

A search that runs for more than :data:`PROGRESS_AFTER` seconds reports how
far it has come on stderr: one line updated in place on a terminal, an
occasional plain line otherwise. Standard output is the same either way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from macros.design import simon
from macros.results import inference

PROG = "python -m macros simon"

USAGE = (
    f"{PROG} P0 P1 ALPHA BETA [--nmax N] [--json]\n"
    f"       {PROG} --design R1 N1 R N --p0 P0 --p1 P1 [--json]\n"
    f"       {PROG} --analyse R1 N1 R N --p0 P0 --responses S [--stage1-responses X1]\n"
    f"             [--n1-actual A] [--n2-actual B] [--alpha A] [--json]"
)

# Options that belong to --analyse only, by their attribute name.
_ANALYSE_ONLY = {
    "responses": "--responses",
    "stage1_responses": "--stage1-responses",
    "n1_actual": "--n1-actual",
    "n2_actual": "--n2-actual",
    "alpha": "--alpha",
}

# The JSON of --analyse: these keys, in this order.
ANALYSIS_KEYS = (
    "stage", "decision", "umvue", "mle", "p_value", "ci_lower", "ci_upper",
    "mid_p_value", "mid_ci_lower", "mid_ci_upper",
)


#: Seconds a search runs before its progress is shown; quicker ones print nothing extra.
PROGRESS_AFTER = 1.0
#: Least seconds between two progress updates on a terminal (in place) ...
PROGRESS_EVERY_TTY = 0.2
#: ... and between two progress lines when stderr is a file or a pipe.
PROGRESS_EVERY_LINE = 2.0
# The clock progress is timed with; seconds, only differences count.
_clock = time.monotonic


def _columns(stream: TextIO) -> int:
    """Width of the terminal ``stream`` writes to (80 if it cannot be told)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Progress:
    """The ``progress`` hook of :func:`simon.search`: shows a long search on ``stream``.

    Nothing is written until ``after`` seconds have passed. Then, on a
    terminal, one line is rewritten in place (after a carriage return) at
    most every ``PROGRESS_EVERY_TTY`` seconds; elsewhere a plain line is
    written at most every ``PROGRESS_EVERY_LINE`` seconds. :meth:`finish`
    ends the output with a newline. The thresholds default to the module's
    settings at the time of the call and ``clock`` to ``_clock``, so tests
    can set them and need not wait.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        after: float | None = None,
        every: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.stream = stream
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.after = PROGRESS_AFTER if after is None else after
        if every is None:
            every = PROGRESS_EVERY_TTY if self.tty else PROGRESS_EVERY_LINE
        self.every = every
        self.clock = _clock if clock is None else clock
        self.started = self.clock()
        self.shown_at: float | None = None
        self.first_n: int | None = None
        self.last: simon.SearchProgress | None = None
        self.width = 0  # of the line now on the terminal

    def __call__(self, state: simon.SearchProgress) -> None:
        if state.stage == "search" and self.first_n is None:
            self.first_n = state.done
        self.last = state
        now = self.clock()
        if now - self.started < self.after:
            return
        if self.shown_at is not None and now - self.shown_at < self.every:
            return
        self.shown_at = now
        self._write(f"search: {self._describe(state)}")

    @staticmethod
    def _describe(state: simon.SearchProgress) -> str:
        if state.stage == "tables":
            return f"binomial tables {state.done} of {state.total}"
        text = f"n {state.done} of up to {state.total}, "
        if state.best is None or state.best_en0 is None:
            return text + "no feasible design yet"
        r1, n1, r, n = state.best
        return text + f"best so far {r1}/{n1}, {r}/{n} (EN(p0) {state.best_en0:.1f})"

    def _write(self, text: str) -> None:
        if self.tty:
            # A line wider than the terminal would wrap, and the carriage
            # return would then rewrite only its last part.
            text = text[: _columns(self.stream) - 1]
            # Pad over what is left of a longer previous line.
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, *, done: bool) -> None:
        """End the progress output, if any was shown, with a last line and a newline."""
        if self.shown_at is None:
            return
        if done:
            seconds = self.clock() - self.started
            scanned = "" if self.first_n is None or self.last is None else (
                f", n {self.first_n} to {self.last.done} searched"
            )
            self._write(f"search: done in {seconds:.1f} s{scanned}")
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class _UsageError(Exception):
    """A bad command line; its text is the one-line message to show."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage block and exits; one line is enough here.
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        usage=USAGE,
        description=(
            "Exact Simon (1989) two-stage designs for a single-arm phase II trial: "
            "the optimal, minimax and admissible (Jung et al. 2004) designs, or the "
            "operating characteristics of a given design, or the exact analysis of a "
            "finished trial (Jung and Kim 2004; Koyama and Chen 2008; Porcher and Desseaux 2012). "
            "A search that takes more than a second shows its progress on stderr."
        ),
    )
    parser.add_argument(
        "values",
        nargs="*",
        metavar="P0 P1 ALPHA BETA",
        help="response rates p0 < p1, type I error alpha and type II error beta",
    )
    parser.add_argument("--nmax", metavar="N", help="largest total sample size to search")
    parser.add_argument(
        "--design",
        nargs=4,
        metavar=("R1", "N1", "R", "N"),
        help="evaluate this design instead of searching",
    )
    parser.add_argument(
        "--analyse",
        nargs=4,
        metavar=("R1", "N1", "R", "N"),
        help="analyse the outcome of a finished trial with this design",
    )
    parser.add_argument("--p0", metavar="P0", help="response rate under the null (--design, --analyse)")
    parser.add_argument("--p1", metavar="P1", help="response rate under the alternative (with --design)")
    parser.add_argument(
        "--responses",
        metavar="S",
        help="total responses (with --analyse); S <= R1 means the trial stopped after stage 1",
    )
    parser.add_argument(
        "--stage1-responses", metavar="X1", help="responses in stage 1, to check S against (with --analyse)"
    )
    parser.add_argument("--n1-actual", metavar="A", help="patients actually in stage 1 (with --analyse)")
    parser.add_argument("--n2-actual", metavar="B", help="patients actually in stage 2 (with --analyse)")
    parser.add_argument(
        "--alpha",
        metavar="A",
        help="one-sided level of each confidence limit, interval 1 - 2A (with --analyse; default 0.05)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _number(name: str, text: str) -> int | float:
    """The number written in ``text``; range checks are left to :mod:`simon`."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise _UsageError(f"{name} ({text!r}) is not a number") from None


def _fmt(value: float) -> str:
    return f"{value:.4f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        # The first column is a label: left-aligned; numbers align right.
        parts = [cells[0].ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def _design_row(label: str, design: simon.Design) -> list[str]:
    return [
        label,
        f"{design.r1}/{design.n1}",
        f"{design.r}/{design.n}",
        _fmt(design.en0),
        _fmt(design.pet0),
        _fmt(design.alpha),
        _fmt(design.power),
    ]


def _print_json(payload: object) -> None:
    import json  # only this output needs it; keeps the cold start lean

    print(json.dumps(payload, indent=2))


def _refuse_analyse_options(args: argparse.Namespace, mode: str) -> None:
    for name, option in _ANALYSE_ONLY.items():
        if getattr(args, name) is not None:
            raise _UsageError(f"{option} goes with --analyse, not with {mode}")


def _run_search(args: argparse.Namespace) -> int:
    _refuse_analyse_options(args, "a search (give ALPHA as the third value)")
    if args.p0 is not None or args.p1 is not None:
        raise _UsageError("--p0 and --p1 go with --design; give P0 P1 ALPHA BETA as plain values")
    if len(args.values) != 4:
        raise _UsageError(
            f"expected 4 values P0 P1 ALPHA BETA, got {len(args.values)} (see --help)"
        )
    p0, p1, alpha, beta = (
        _number(name, text) for name, text in zip(("p0", "p1", "alpha", "beta"), args.values, strict=True)
    )
    nmax = None if args.nmax is None else _number("nmax", args.nmax)
    progress = _Progress(sys.stderr)
    done = False
    try:
        result = simon.search(p0, p1, alpha, beta, nmax=nmax, progress=progress)
        done = True
    finally:
        progress.finish(done=done)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        _print_json(
            {
                "optimal": result.optimal.as_dict(),
                "minimax": result.minimax.as_dict(),
                "admissible": [design.as_dict() for design in result.admissible],
            }
        )
        return 0
    rows = [_design_row("optimal", result.optimal), _design_row("minimax", result.minimax)]
    rows += [_design_row("admissible", design) for design in result.admissible]
    header = ["design", "r1/n1", "r/n", "EN(p0)", "PET(p0)", "alpha", "power"]
    print(
        f"Simon two-stage designs: p0 = {p0:g}, p1 = {p1:g}, alpha = {alpha:g}, "
        f"beta = {beta:g} (n <= {result.nmax})"
    )
    print()
    print(_table(header, rows))
    return 0


def _run_design(args: argparse.Namespace) -> int:
    _refuse_analyse_options(args, "--design")
    if args.values:
        raise _UsageError(
            f"unexpected values with --design: {' '.join(args.values)}; use --p0 and --p1"
        )
    if args.nmax is not None:
        raise _UsageError("--nmax applies to a search, not to --design")
    if args.p0 is None or args.p1 is None:
        raise _UsageError("--design needs both --p0 and --p1")
    r1, n1, r, n = (
        _number(name, text) for name, text in zip(("r1", "n1", "r", "n"), args.design, strict=True)
    )
    p0 = _number("p0", args.p0)
    p1 = _number("p1", args.p1)
    design = simon.evaluate(r1, n1, r, n, p0, p1)
    at_p1 = simon.operating_characteristics(design.r1, design.n1, design.r, design.n, p1)
    if args.json:
        _print_json(
            {
                "r1": design.r1,
                "n1": design.n1,
                "r": design.r,
                "n": design.n,
                "p0": float(p0),
                "p1": float(p1),
                "alpha": design.alpha,
                "power": design.power,
                "pet0": design.pet0,
                "pet1": at_p1.early_termination_probability,
                "en0": design.en0,
                "en1": at_p1.expected_sample_size,
            }
        )
        return 0
    print(
        f"Design r1/n1 = {design.r1}/{design.n1}, r/n = {design.r}/{design.n}: "
        f"alpha = {_fmt(design.alpha)} (type I error at p0), power = {_fmt(design.power)} (at p1)"
    )
    print()
    header = ["", f"p0 = {p0:g}", f"p1 = {p1:g}"]
    rows = [
        ["P(declare promising)", _fmt(design.alpha), _fmt(design.power)],
        ["PET", _fmt(design.pet0), _fmt(at_p1.early_termination_probability)],
        ["EN", _fmt(design.en0), _fmt(at_p1.expected_sample_size)],
    ]
    print(_table(header, rows))
    return 0


def _optional(name: str, text: str | None) -> int | float | None:
    return None if text is None else _number(name, text)


def _run_analyse(args: argparse.Namespace) -> int:
    if args.design is not None:
        raise _UsageError("give either --design or --analyse, not both")
    if args.values:
        raise _UsageError(f"unexpected values with --analyse: {' '.join(args.values)}")
    if args.nmax is not None:
        raise _UsageError("--nmax applies to a search, not to --analyse")
    if args.p1 is not None:
        raise _UsageError("--p1 goes with --design; --analyse needs only --p0")
    if args.p0 is None:
        raise _UsageError("--analyse needs --p0, the response rate under the null")
    if args.responses is None:
        raise _UsageError("--analyse needs --responses, the total number of responses")
    r1, n1, r, n = (
        _number(name, text) for name, text in zip(("r1", "n1", "r", "n"), args.analyse, strict=True)
    )
    alpha = _optional("alpha", args.alpha)
    result = inference.analyse(
        r1, n1, r, n, _number("p0", args.p0), _number("responses", args.responses),
        stage1_responses=_optional("stage1_responses", args.stage1_responses),
        n1_actual=_optional("n1_actual", args.n1_actual),
        n2_actual=_optional("n2_actual", args.n2_actual),
        alpha=0.05 if alpha is None else alpha,
    )
    if args.json:
        _print_json({key: getattr(result, key) for key in ANALYSIS_KEYS})
        return 0
    level = f"{result.confidence_level * 100:g}%"
    print(
        f"Two-stage design r1/n1 = {r1}/{n1}, r/n = {r}/{n}; H0: p <= {result.p0:g}; "
        f"stage sizes used: {result.n1} and {result.n2}"
    )
    print(f"Outcome: {result.decision_text}")
    print(f"Decision: {result.decision}")
    print()
    header = ["", "exact", "mid-p"]
    rows = [
        ["p-value (stage-wise ordering)", _fmt(result.p_value), _fmt(result.mid_p_value)],
        [f"{level} confidence interval", _interval(result.ci_lower, result.ci_upper),
         _interval(result.mid_ci_lower, result.mid_ci_upper)],
        ["UMVUE (unbiased estimate)", _fmt(result.umvue), ""],
        [f"MLE {result.responses}/{result.patients} (biased)", _fmt(result.mle), ""],
    ]
    print(_table(header, rows))
    return 0


def _interval(lower: float, upper: float) -> str:
    return f"{_fmt(lower)} to {_fmt(upper)}"


def main(argv: list[str]) -> int:
    """Run ``simon`` with the arguments that follow the word ``simon``; return the exit status."""
    try:
        args = _parser().parse_intermixed_args(argv)
        if args.analyse is not None:
            return _run_analyse(args)
        if args.design is not None:
            return _run_design(args)
        return _run_search(args)
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except (_UsageError, ValueError) as error:
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C during a long search
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
