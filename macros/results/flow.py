"""The participant flow: a CONSORT-style diagram and the same numbers as a table.

Groups run across, periods down. Each group starts with a box naming it; in
each period a box per group lists the milestones (started, completed, not
completed, or the trial's own) with their counts, then the reasons for not
completing. Arrows lead from each box to the next period's.

SVG cannot measure text, so lines are wrapped by a count of characters that
fits the box at the template's font size (:data:`CHARS_PER_LINE`); every
coordinate is computed here as text, so the page is the same bytes on every
build.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from macros.results.posted import Cell, Column, Row, Table, milestone_text
from macros.trial.results_model import FlowPeriod, FlowStats, ParticipantFlow

BOX_WIDTH = 236
GAP = 26
MARGIN = 8
LINE_HEIGHT = 17
PADDING = 10
ARROW = 26
BAND = 24
BAND_GAP = 8
INDENT = 12
# Characters of a 13-unit font that fit in a box's width, with a safe margin.
CHARS_PER_LINE = 27


@dataclass(frozen=True)
class Line:
    x: str
    y: str
    text: str
    kind: str  # "title", "count", "reason-heading", "reason"


@dataclass(frozen=True)
class Box:
    x: str
    y: str
    width: str
    height: str
    kind: str  # "group" or "period"
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Arrow:
    x: str
    y1: str
    y2: str


@dataclass(frozen=True)
class Band:
    """A period's title in a strip across the diagram."""

    x: str
    y: str
    width: str
    height: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class FlowDiagram:
    width: int
    height: int
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    bands: tuple[Band, ...]
    description: str


def count_text(stats: FlowStats | None) -> str:
    """``8``, or ``8 (12 units)`` when units are counted too; ``NA`` if not given."""
    if stats is None or stats.num_subjects is None:
        return "NA"
    text = str(stats.num_subjects)
    if stats.num_units is not None:
        text += f" ({stats.num_units} units)"
    return text


# A wrapped line: its text, its kind, and whether it continues the line above (indented).
Wrapped = tuple[str, str, bool]


def _wrap(text: str, kind: str, width: int = CHARS_PER_LINE) -> list[Wrapped]:
    parts = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return [(part, kind, i > 0) for i, part in enumerate(parts)]


def _period_lines(period: FlowPeriod, group_id: str) -> list[Wrapped]:
    """The lines of one group's box in one period."""
    lines: list[Wrapped] = []
    for milestone in period.milestones:
        stats = next((s for s in milestone.achievements if s.group_id == group_id), None)
        lines += _wrap(f"{milestone_text(milestone.type)}: {count_text(stats)}", "count")
    reasons = [
        (drop.type, next((s for s in drop.reasons if s.group_id == group_id), None))
        for drop in period.drop_withdraws
    ]
    if reasons:
        lines += _wrap("Reasons for not completing:", "reason-heading")
        for kind, stats in reasons:
            lines += _wrap(f"{kind}: {count_text(stats)}", "reason", CHARS_PER_LINE - 2)
    return lines


def flow_diagram(flow: ParticipantFlow) -> FlowDiagram | None:
    """The diagram's geometry, or None without groups or periods."""
    groups = flow.groups
    if not groups or not flow.periods:
        return None
    width = 2 * MARGIN + len(groups) * BOX_WIDTH + (len(groups) - 1) * GAP
    xs = [MARGIN + i * (BOX_WIDTH + GAP) for i in range(len(groups))]
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    bands: list[Band] = []

    def box(x: int, y: int, height: int, kind: str, lines: list[Wrapped]) -> Box:
        def indent(line_kind: str, more: bool) -> int:
            return INDENT if (more and line_kind != "title") or line_kind == "reason" else 0

        placed = tuple(
            Line(
                str(x + PADDING + indent(line_kind, more)),
                str(y + PADDING + (i + 1) * LINE_HEIGHT - 4),
                text,
                line_kind,
            )
            for i, (text, line_kind, more) in enumerate(lines)
        )
        return Box(str(x), str(y), str(BOX_WIDTH), str(height), kind, placed)

    def height_of(lines: list) -> int:
        return 2 * PADDING + len(lines) * LINE_HEIGHT

    titles = [_wrap(g.title or g.id, "title") for g in groups]
    y = MARGIN
    tallest = max(height_of(lines) for lines in titles)
    for x, lines in zip(xs, titles, strict=True):
        boxes.append(box(x, y, tallest, "group", lines))
    y += tallest
    for number, period in enumerate(flow.periods, start=1):
        arrows += [Arrow(str(x + BOX_WIDTH // 2), str(y), str(y + ARROW)) for x in xs]
        y += ARROW
        inner = width - 2 * MARGIN
        words = textwrap.wrap(
            f"Period {number}: {period.title or 'untitled'}",
            max(CHARS_PER_LINE, inner * CHARS_PER_LINE // BOX_WIDTH),
            break_long_words=True,
        )
        tall = BAND + (len(words) - 1) * LINE_HEIGHT
        placed = tuple(
            Line(str(MARGIN + PADDING), str(y + BAND - 7 + i * LINE_HEIGHT), text, "period")
            for i, text in enumerate(words)
        )
        bands.append(Band(str(MARGIN), str(y), str(inner), str(tall), placed))
        y += tall + BAND_GAP
        contents = [_period_lines(period, g.id) for g in groups]
        tallest = max(height_of(lines) for lines in contents)
        for x, lines in zip(xs, contents, strict=True):
            boxes.append(box(x, y, tallest, "period", lines))
        y += tallest
    periods = len(flow.periods)
    description = (
        f"Flow diagram: {len(groups)} group{'s' if len(groups) != 1 else ''} side by side, "
        f"{periods} period{'s' if periods != 1 else ''} from top to bottom. Each box lists the "
        "participants who started, completed and did not complete the period, with the reasons. "
        "The table after the diagram gives the same numbers."
    )
    return FlowDiagram(width, y + MARGIN, tuple(boxes), tuple(arrows), tuple(bands), description)


@dataclass(frozen=True)
class FlowPeriodTable:
    title: str
    table: Table


def flow_tables(flow: ParticipantFlow) -> tuple[FlowPeriodTable, ...]:
    """One table per period: milestones, then the reasons for not completing."""
    columns = tuple(Column(g.id, g.title or g.id, g.description) for g in flow.groups)
    out = []
    for number, period in enumerate(flow.periods, start=1):
        rows: list[Row] = []
        for milestone in period.milestones:
            stats = {s.group_id: s for s in milestone.achievements}
            cells = tuple(_cell(stats.get(c.id)) for c in columns)
            rows.append(Row(milestone_text(milestone.type), cells, kind="count", detail=milestone.comment))
        if period.drop_withdraws:
            rows.append(Row("Reasons for not completing", kind="heading"))
        for drop in period.drop_withdraws:
            stats = {s.group_id: s for s in drop.reasons}
            cells = tuple(_cell(stats.get(c.id)) for c in columns)
            rows.append(Row(drop.type, cells, kind="sub", detail=drop.comment))
        title = f"Period {number}: {period.title or 'untitled'}"
        out.append(FlowPeriodTable(title, Table(columns, tuple(rows))))
    return tuple(out)


def _cell(stats: FlowStats | None) -> Cell:
    if stats is None:
        return Cell("")
    return Cell(count_text(stats), stats.comment)
