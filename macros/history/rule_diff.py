"""Differences between two computable rules of one criterion, one line each.

Rules of the same shape are compared node by node, so that a changed
threshold reads ``E9 threshold 1000 → 800 ng/mL``; a rule whose shape
changed is reported as rewritten.
"""

from __future__ import annotations

from macros.history.wording import OPERATORS, arrow, duration_text, number_text
from macros.trial import rules


def rule_changes(cid: str, old: rules.RuleNode | None, new: rules.RuleNode | None) -> list[str]:
    """Each difference between two rules of criterion ``cid``, as a line of text.

    Rules of the same shape are compared node by node (``E9 threshold 1000 →
    800 ng/mL``); a rule whose shape changed is reported as rewritten.
    """
    if old is None or new is None:
        return [f"{cid} computable rule {'added' if old is None else 'removed'}"]
    a, b = list(rules.walk(old)), list(rules.walk(new))
    if [(loc, type(n)) for loc, n in a] != [(loc, type(n)) for loc, n in b]:
        return [f"{cid} computable rule rewritten"]
    compared = {n.variable for _, n in b if isinstance(n, rules.Compare)}
    lines: list[str] = []
    for (_, x), (_, y) in zip(a, b, strict=True):
        lines += _node_changes(cid, x, y, named=len(compared) > 1)
    return lines or [f"{cid} computable rule changed"]


def _node_changes(cid: str, x: rules.RuleNode, y: rules.RuleNode, *, named: bool) -> list[str]:
    out: list[str] = []
    if isinstance(x, rules.Compare) and isinstance(y, rules.Compare):
        who = f"{cid} {rules.VARIABLES[y.variable].label}" if named else cid
        if x.variable != y.variable:
            old_label, new_label = rules.VARIABLES[x.variable].label, rules.VARIABLES[y.variable].label
            out.append(f"{cid} compares {arrow(old_label, new_label)}")
        if x.operator != y.operator:
            out.append(f"{who} comparison {arrow(OPERATORS[x.operator], OPERATORS[y.operator])}")
        was, now = number_text(x.threshold), number_text(y.threshold)
        if x.unit == y.unit and was != now:
            out.append(f"{who} threshold {arrow(was, now)} {y.unit}")
        elif x.unit != y.unit:
            out.append(f"{who} threshold {arrow(f'{was} {x.unit}', f'{now} {y.unit}')}")
        if x.within != y.within:
            out.append(f"{who} time window {arrow(_window(x.within), _window(y.within))}")
    elif isinstance(x, rules.Repeated) and isinstance(y, rules.Repeated):
        if x.at_least != y.at_least:
            out.append(f"{cid} measurements needed {arrow(str(x.at_least), str(y.at_least))}")
        if x.apart != y.apart:
            out.append(f"{cid} time between measurements {arrow(_window(x.apart), _window(y.apart))}")
        if x.consecutive != y.consecutive:
            out.append(f"{cid} consecutive {arrow(_yes(x.consecutive), _yes(y.consecutive))}")
    elif isinstance(x, rules.Event) and isinstance(y, rules.Event):
        if x.event != y.event:
            out.append(f"{cid} event {arrow(rules.EVENTS[x.event], rules.EVENTS[y.event])}")
        if x.within != y.within:
            out.append(f"{cid} time window {arrow(_window(x.within), _window(y.within))}")
    elif isinstance(x, rules.Manual) and isinstance(y, rules.Manual) and x.question != y.question:
        out.append(f"{cid} question {arrow(repr_text(x.question), repr_text(y.question))}")
    return out


def _window(duration: rules.Duration | None) -> str:
    return duration_text(duration.parts() if duration else None)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def repr_text(text: str | None) -> str:
    """A quoted text for a line of the Changes page, or ``none``."""
    return f"“{text}”" if text else "none"
