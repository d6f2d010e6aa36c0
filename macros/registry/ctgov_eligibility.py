r"""The registry's eligibility text <-> inclusion and exclusion criteria.

ClinicalTrials.gov keeps a trial's criteria as one markdown text. :func:`split`
reads it into criteria with stable ids; :func:`join` writes them back. Both
work on the registry's escaped markdown (``\<``, ``\[``, ``\*`` ...): markers
are read before the escapes are removed from each piece of text, so an
escaped ``\*`` never starts a list.

How the text is read
--------------------
* **Headings** switch between inclusion and exclusion: a line such as
  ``Inclusion Criteria:``, ``Key Inclusion Criteria``, ``EXCLUSION CRITERIA:``
  or ``Exclusion:`` (also written as a list item or in ``**bold**``). A
  heading with more words, ending in ``:`` (``Inclusion Criteria for Part A:``),
  switches too and becomes the subgroup of the criteria under it.
* **Items** are lines starting with ``* ``, ``- ``, ``+ ``, ``1. `` or ``1) ``.
  An item indented under another is its sub-item: ids ``I1``, ``I2`` ... and
  ``E1`` ... number the top level, and ``I3.1``, ``I3.2`` the sub-items of
  ``I3`` (and ``I3.1.1`` one level further down).
* **Continuation**: a line right under an item, or an indented paragraph after
  a blank line, belongs to the item above (paragraphs are kept, separated by a
  blank line).
* **Subgroup headings**: a paragraph at the left margin followed by more items
  heads the items that follow (their ``group``) if it ends with ``:`` or
  comes before the first item of its section; otherwise it continues the item
  above. A heading repeated within its section heads what follows the same
  way; a repeated heading with nothing under it is left out.
* **Plain sections**: a section with no list markers at all has one criterion
  per line.
* Text before the first heading is the ``intro``; paragraphs after the last
  item of the text are the ``note``. Items before any heading are inclusion
  criteria; a text with neither headings nor list markers is all inclusion
  criteria, one per line.

How the text is written
-----------------------
:func:`join` writes the intro, each section's heading (as the registry wrote
it when that was not the usual ``Inclusion Criteria:``), its criteria with
subgroup headings where the group changes, and the note. Top-level items are
numbered through the section (item 6 is ``I6``, subgroups or not); sub-items
are ``* `` bullets indented under their parent. Reading what :func:`join`
wrote gives the same criteria, so an export imported again exports to the
same text. Against the original registry text the changes are in whitespace
only, except for these normalisations: sub-items are always ``* `` bullets
and numbered items ``1.``; a heading is added to a section that had none;
inclusion is written before exclusion (unless a section without list markers
or an empty heading must come first to be read back); a repeated heading with
nothing under it is left out; items after a subgroup cannot return to having
no subgroup. The importer warns when any of these changes a record's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from macros.registry.ctgov_mapping import escape, unescape

DEFAULT_HEADINGS = {"inclusion": "Inclusion Criteria:", "exclusion": "Exclusion Criteria:"}
PREFIX = {"inclusion": "I", "exclusion": "E"}

_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[*+-]|\d{1,3}[.)])[ \t]+(?P<text>\S.*?)\s*$")
_DECORATION = re.compile(r"^[#*_\s]+|[*_\s]+$")
_QUALIFIERS = r"(?:key|main|major|general|additional|specific|selected|principal|other)\s+"
_CRITERIA = r"\s+criteri(?:a|on)"
_APOSTROPHE = "['\u2019]"
# The words of a heading, in English and in the languages registry records
# are most often written in besides (French, Spanish, Portuguese, Italian,
# German). ``non-inclusion`` is the French protocols' word for exclusion.
_INCLUSION = "|".join(
    [
        rf"inclusions?(?:{_CRITERIA})?",
        rf"crit[eè]res?\s+d{_APOSTROPHE}\s*inclusion",
        r"criterios?\s+de\s+inclusi[oó]n",
        r"crit[eé]rios?\s+de\s+inclus[aã]o",
        r"criteri\s+di\s+inclusione",
        r"einschlusskriterien",
    ]
)
_EXCLUSION = "|".join(
    [
        rf"(?:exclusions?|non[- ]?inclusion|ineligibility)(?:{_CRITERIA})?",
        rf"crit[eè]res?\s+(?:d{_APOSTROPHE}\s*exclusion|de\s+non[- ]?inclusion)",
        r"criterios?\s+de\s+exclusi[oó]n",
        r"crit[eé]rios?\s+de\s+exclus[aã]o",
        r"criteri\s+di\s+esclusione",
        r"ausschlusskriterien",
    ]
)
_PURE = re.compile(
    rf"^(?:{_QUALIFIERS})?(?:(?P<inclusion>{_INCLUSION})|(?P<exclusion>{_EXCLUSION}))\s*:?$", re.I
)
# A heading with more words ("Inclusion Criteria for Part A:") needs the
# heading's full words (not "Inclusion of ...") and a closing colon.
_QUALIFIED = re.compile(
    rf"^(?:{_QUALIFIERS})?(?:(?P<inclusion>inclusion{_CRITERIA}|inclusions|einschlusskriterien)"
    rf"|(?P<exclusion>(?:exclusion|non[- ]?inclusion|ineligibility){_CRITERIA}|exclusions"
    r"|ausschlusskriterien))\b.*:$",
    re.I,
)
# Words that say a list is of exclusions, or of inclusions, in a heading the
# reader does not know ("Patients will be excluded if:"). Such a heading is
# read as a subgroup of the section it is in, and the import says so.
_EXCLUSION_WORDS = re.compile(
    r"exclu|non[- ]?inclu|ineligib|not\s+(?:be\s+)?eligible|must\s+not|may\s+not|"
    r"should\s+not|cannot|ausschluss|esclus",
    re.I,
)
_INCLUSION_WORDS = re.compile(r"inclu|einschluss|\beligib", re.I)


def heading_kind(line: str) -> tuple[str, bool] | None:
    """``('inclusion', False)`` for a plain heading, ``(kind, True)`` for one with more words."""
    bare = _DECORATION.sub("", line.strip())
    for pattern, qualified in ((_PURE, False), (_QUALIFIED, True)):
        match = pattern.match(bare)
        if match:
            return ("inclusion" if match.group("inclusion") else "exclusion"), qualified
    return None


def other_kind_heading(kind: str, heading: str) -> bool:
    """Whether a subgroup ``heading`` in the ``kind`` section speaks of the other section."""
    if kind == "inclusion":
        return bool(_EXCLUSION_WORDS.search(heading))
    return bool(_INCLUSION_WORDS.search(heading)) and not _EXCLUSION_WORDS.search(heading)


def _is_heading_line(line: str) -> bool:
    """Whether a line is a heading, written as a list item or not."""
    item = _ITEM.match(line)
    return heading_kind(item.group("text") if item else line) is not None


@dataclass
class _Item:
    indent: int
    group: str | None
    paragraphs: list[list[str]]
    children: list[_Item] = field(default_factory=list)


@dataclass
class _Section:
    heading: str | None = None
    items: list[_Item] = field(default_factory=list)
    last: _Item | None = None  # the last item in reading order, at any depth


@dataclass
class Split:
    """The criteria read from one eligibility text, as plain model data.

    ``uncertain`` names the criteria whose list the reader could not tell:
    they sit under a heading it does not know that speaks of the other list
    (``"Patients will be excluded if:"`` among the inclusion criteria), or the
    text has such a heading and no section headings at all.
    """

    inclusion: list[dict[str, Any]]
    exclusion: list[dict[str, Any]]
    layout: dict[str, Any]  # empty when everything is as usual
    uncertain: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.sections = {"inclusion": _Section(), "exclusion": _Section()}
        self.current: str | None = None
        self.headings_seen = False
        self.intro: list[str] = []
        self.note: list[str] = []
        self.pending: list[list[str]] = []  # paragraphs at the margin, not yet placed
        self.stack: list[_Item] = []  # open items, outermost first
        self.target: list[str] | None = None  # the paragraph a next line continues
        self.group: str | None = None
        self.group_used = False
        self.styles: dict[str, str] = {}
        self.blank = False

    # --- events ------------------------------------------------------------

    def line(self, raw: str) -> None:
        if not raw.strip():
            self.blank = True
            return
        item = _ITEM.match(raw)
        text = item.group("text") if item else raw.strip()
        kind = heading_kind(text)
        if kind is not None:
            self.heading(kind[0], raw.strip(), text, qualified=kind[1])
        elif item:
            indent = len(item.group("indent").expandtabs(4))
            self.item(indent, item.group("marker"), text)
        else:
            self.text(len(raw) - len(raw.lstrip()), raw.strip())
        self.blank = False

    def heading(self, kind: str, line: str, text: str, *, qualified: bool) -> None:
        """``line`` as written (a section's heading keeps its list marker, if any);
        ``text`` without a list marker (a heading that heads a subgroup)."""
        section = self.sections[kind]
        if kind == self.current and not qualified:
            # The same heading again: it heads what follows, as a subgroup heading does.
            self.stack, self.target = [], None
            self.pending.append([text])
            return
        self.close_section(at_end=False)
        self.current, self.stack, self.target = kind, [], None
        self.group, self.group_used = None, False
        self.headings_seen = True
        if qualified:
            self.group = text
        elif section.heading is None and not section.items:
            section.heading = line
        else:  # the same heading again: it heads what follows
            self.pending.append([text])

    def item(self, indent: int, marker: str, text: str) -> None:
        if self.current is None:
            self.intro += self.take_pending()
            self.current = "inclusion"
        else:
            self.place_pending_before_item()
        section = self.sections[self.current]
        while self.stack and self.stack[-1].indent >= indent:
            self.stack.pop()
        node = _Item(indent, self.group, [[text]])
        if self.stack:
            node.group = self.stack[-1].group
            self.stack[-1].children.append(node)
        else:
            section.items.append(node)
            self.group_used = True
            if self.styles.get(self.current, "PLAIN") == "PLAIN":
                self.styles[self.current] = "NUMBER" if marker[0].isdigit() else "BULLET"
        self.stack.append(node)
        section.last = node
        self.target = node.paragraphs[-1]

    def text(self, indent: int, text: str) -> None:
        if not self.blank and self.target is not None:
            self.target.append(text)  # the same paragraph goes on
            return
        if self.blank and indent > 0:
            owners = [node for node in self.stack if node.indent < indent]
            if owners:
                owners[-1].paragraphs.append([text])
                self.target = owners[-1].paragraphs[-1]
                return
        self.stack = []  # a paragraph at the margin ends the list
        self.pending.append([text])
        self.target = self.pending[-1]

    def finish(self) -> None:
        self.close_section(at_end=True)
        if not self.headings_seen and not any(s.items for s in self.sections.values()):
            # No headings and no markers: one inclusion criterion per line.
            lines = [line for para in self.intro for line in para.split("\n")]
            self.intro = []
            self.sections["inclusion"].items = [_Item(0, None, [[line]]) for line in lines]
            if lines:
                self.styles["inclusion"] = "PLAIN"

    # --- placing the paragraphs at the margin -------------------------------

    def take_pending(self) -> list[str]:
        paragraphs = ["\n".join(lines) for lines in self.pending]
        self.pending = []
        return paragraphs

    def place_pending_before_item(self) -> None:
        paragraphs = self.take_pending()
        if not paragraphs:
            return
        section = self.sections[self.current]
        if section.items:
            # Explanation paragraphs continue the item above. A repeated heading
            # and what follows it, or else a last paragraph that ends with ":",
            # head the items that follow.
            headings = [i for i, p in enumerate(paragraphs) if _is_heading_line(p)]
            start = headings[-1] if headings else len(paragraphs) - 1
            if not headings and not paragraphs[-1].endswith(":"):
                start = len(paragraphs)
            more = paragraphs[:start]
            section.last.paragraphs += [p.split("\n") for p in more if not _is_heading_line(p)]
            paragraphs = paragraphs[start:]
            if not paragraphs:
                return
        if self.group is not None and not self.group_used:
            paragraphs.insert(0, self.group)
        self.group, self.group_used = "\n\n".join(paragraphs), False

    def close_section(self, *, at_end: bool) -> None:
        paragraphs = self.take_pending()
        if self.current is None:
            self.intro += paragraphs
            return
        section = self.sections[self.current]
        # A repeated heading with nothing under it heads nothing: it is left out
        # (the importer reports the text as reshaped).
        paragraphs = [p for p in paragraphs if not _is_heading_line(p)]
        if section.items and self.styles.get(self.current) != "PLAIN":
            if at_end:
                self.note += paragraphs
            else:
                section.last.paragraphs += [p.split("\n") for p in paragraphs]
            return
        # A section without list markers: one criterion per line.
        lines = [line for para in paragraphs for line in para.split("\n")]
        if self.group is not None and not self.group_used and not lines:
            # A heading such as "Inclusion Criteria for Part A:" with nothing under it.
            if section.heading is None:
                section.heading = self.group
            self.group = None
            return
        for line in lines:
            section.last = _Item(0, self.group, [[line]])
            section.items.append(section.last)
            self.group_used = True
        if lines:
            self.styles.setdefault(self.current, "PLAIN")


def split(text: str) -> Split:
    """Read the registry's eligibility text (escaped markdown) into criteria."""
    reader = _Reader()
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        reader.line(raw)
    reader.finish()

    criteria = {}
    for kind, section in reader.sections.items():
        out: list[dict[str, Any]] = []
        for number, item in enumerate(section.items, start=1):
            _collect(item, f"{PREFIX[kind]}{number}", out)
        criteria[kind] = out

    layout: dict[str, Any] = {}
    if reader.intro:
        layout["intro"] = unescape("\n\n".join(reader.intro))
    for kind, section in reader.sections.items():
        heading = section.heading
        first = criteria[kind][0].get("group") if criteria[kind] else None
        # The usual heading is kept only where the writer would leave it out:
        # before a first subgroup that is itself a heading ("... for Part A:").
        if heading is not None and (
            heading != DEFAULT_HEADINGS[kind] or (first and _is_qualified_heading(kind, first))
        ):
            layout[f"{kind}_heading"] = unescape(heading)
        if reader.styles.get(kind, "BULLET") != "BULLET":
            layout[f"{kind}_list_style"] = reader.styles[kind]
    if reader.note:
        layout["note"] = unescape("\n\n".join(reader.note))
    return Split(criteria["inclusion"], criteria["exclusion"], layout, _uncertain(criteria, layout))


def _uncertain(criteria: dict[str, list[dict[str, Any]]], layout: dict[str, Any]) -> list[str]:
    """``"I3-I5 (under 'Exclusions (all parts):')"`` for each run the reader could not place."""
    out = []
    for kind, items in criteria.items():
        runs: list[tuple[str, list[str]]] = []
        for item in items:
            group = item.get("group")
            if group is None or not other_kind_heading(kind, group.split("\n\n")[-1]):
                continue
            if runs and runs[-1][0] == group:
                runs[-1][1].append(item["id"])
            else:
                runs.append((group, [item["id"]]))
        for group, ids in runs:
            span = ids[0] if len(ids) == 1 else f"{ids[0]} to {ids[-1]}"
            out.append(f"{span} (under {group!r})")
    for part in ("intro", "note"):
        text = layout.get(part)
        if text and not criteria["exclusion"] and other_kind_heading("inclusion", text):
            out.append(f"the {part} {_short(text)!r} may head exclusion criteria")
    return out


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _collect(item: _Item, ident: str, out: list[dict[str, Any]]) -> None:
    text = "\n\n".join("\n".join(lines) for lines in item.paragraphs)
    criterion: dict[str, Any] = {"id": ident, "text": unescape(text)}
    if item.group is not None:
        criterion["group"] = unescape(item.group)
    out.append(criterion)
    for number, child in enumerate(item.children, start=1):
        _collect(child, f"{ident}.{number}", out)


# --- writing ---------------------------------------------------------------


def join(inclusion: list[Any], exclusion: list[Any], layout: Any | None) -> str:
    """Write criteria (model ``Criterion`` objects) back as the registry's text.

    ``layout`` is the model's ``CriteriaLayout`` or ``None`` for the usual one.
    An intro or note with no criteria at all reads back as criteria, since a
    text without headings or list markers is read as one criterion per line.
    """
    intro = getattr(layout, "intro", None)
    note = getattr(layout, "note", None)
    sections = []
    for kind, criteria in (("inclusion", inclusion), ("exclusion", exclusion)):
        style = getattr(layout, f"{kind}_list_style", "BULLET")
        if style == "PLAIN" and not _plain_fits(criteria):
            style = "BULLET"
        sections.append((kind, criteria, style))
    # Inclusion first, except that a heading with nothing under it, then a
    # section without list markers, go before a list: what follows them (a
    # note, the other heading's text) would otherwise read as their criteria.
    sections.sort(key=lambda section: (bool(section[1]), section[2] != "PLAIN"))
    blocks: list[str] = [escape(intro)] if intro else []
    for kind, criteria, style in sections:
        heading = getattr(layout, f"{kind}_heading", None)
        if not criteria and heading is None:
            continue
        first_group = criteria[0].group if criteria else None
        if heading is not None:
            blocks.append(escape(heading, bullets=True))
        elif not (first_group and _is_qualified_heading(kind, first_group)):
            blocks.append(DEFAULT_HEADINGS[kind])
        blocks += _write_section(criteria, style)
    if note:
        blocks.append(escape(note))
    return "\n\n".join(blocks)


def _is_qualified_heading(kind: str, group: str) -> bool:
    found = heading_kind(group.split("\n\n")[0])
    return found == (kind, True)


def _plain_fits(criteria: list[Any]) -> bool:
    """One criterion per line works only for one-line criteria with no sub-items."""
    return all("\n" not in c.text and "." not in c.id for c in criteria)


def _write_section(criteria: list[Any], style: str) -> list[str]:
    blocks: list[str] = []
    lines: list[str] = []
    group: str | None = None
    number = 0
    open_items: list[tuple[str, int]] = []  # (id, column of its text), outermost first
    for index, criterion in enumerate(criteria):
        while open_items and not criterion.id.startswith(open_items[-1][0] + "."):
            open_items.pop()
        top = not open_items
        if top and (index == 0 or criterion.group != group):
            if lines:
                blocks.append("\n".join(lines))
                lines = []
            group = criterion.group  # numbering goes on: item n is criterion I<n>
            if group is not None:
                blocks.append(escape(group))
        paragraphs = escape(criterion.text).split("\n\n")
        if style == "PLAIN" and top:
            blocks.append(paragraphs[0])
            continue
        if top:
            number += 1
            indent, marker = 0, (f"{number}." if style == "NUMBER" else "*")
        else:
            indent, marker = open_items[-1][1], "*"
            if criteria[index - 1].id == open_items[-1][0]:
                lines.append("")  # the registry opens a sub-list after a blank line
        column = indent + len(marker) + 1
        first, *rest = paragraphs[0].split("\n")
        lines.append(" " * indent + marker + " " + first)
        lines += [" " * column + line for line in rest]
        for paragraph in paragraphs[1:]:
            lines.append("")
            lines += [" " * column + line for line in paragraph.split("\n")]
        open_items.append((criterion.id, column))
    if lines:
        blocks.append("\n".join(lines))
    return blocks


# --- the check that the export reads back ------------------------------------


def check_round_trip(trial: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The registry text the export writes must read back as the same two lists.

    ``trial`` is a :class:`macros.trial.model.Trial`. A heading the reader does
    not know, or a criterion whose text has a line that reads as a heading,
    would otherwise move criteria between the lists when the record is
    imported again (exclusion criteria read as inclusion criteria).
    """
    eligibility = trial.eligibility
    layout = eligibility.criteria_layout
    for kind in ("inclusion", "exclusion"):
        heading = getattr(layout, f"{kind}_heading", None)
        if heading is not None and (heading_kind(heading) or ("",))[0] != kind:
            yield (
                ("eligibility", "criteria_layout", f"{kind}_heading"),
                f"{heading!r} does not read as the {kind} criteria heading, so a registry "
                "record exported from this file would give the criteria back in the wrong "
                f"list; use words such as {DEFAULT_HEADINGS[kind]!r}",
            )
            return
    back = split(join(eligibility.inclusion, eligibility.exclusion, layout))
    for kind in ("inclusion", "exclusion"):
        # The export numbers the criteria afresh (I1, I2 ...): compare the texts.
        written = [_words(criterion.text) for criterion in getattr(eligibility, kind)]
        read = [_words(item["text"]) for item in getattr(back, kind)]
        if written == read:
            continue
        index = next(
            (i for i, (a, b) in enumerate(zip(written, read, strict=False)) if a != b),
            min(len(written), len(read)),
        )
        where: tuple[str | int, ...] = ("eligibility", kind)
        if written:
            where = (*where, min(index, len(written) - 1), "text")
        yield (
            where,
            f"a registry record exported from this file would not give the {kind} criteria "
            f"back as written ({len(written)} written, {len(read)} read back): a line of a "
            "criterion's text or group that reads as a heading, such as "
            f"{DEFAULT_HEADINGS['exclusion']!r}, moves the criteria after it to another list",
        )
        return


def _words(text: str) -> str:
    return " ".join(text.split())
