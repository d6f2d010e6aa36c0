"""Read a trial YAML file into plain Python data plus the position of each node.

PyYAML's ``SafeLoader`` forgets where values came from, silently keeps the
last of two duplicate keys and turns ``2022-12-01`` into a ``date``. This
module composes the node graph itself so that it can

* record line and column (1-based) of every key and value, by path;
* reject duplicate keys instead of keeping the last one;
* keep dates as the strings the registry uses (``2025-01`` is a valid date);
* refuse, quickly and with a line and column, what a trial file has no use
  for and a hostile file could abuse (:class:`Limits`): anchors and aliases
  (a 10 kB alias bomb expands to gigabytes), deep nesting, huge files and
  numbers, control characters and bidi overrides (:mod:`macros.trial.characters`).

Where PyYAML has libyaml, a good file is read from libyaml's C parser
(:class:`_FastReader`), several times faster; any other file, and any text
libyaml could read differently, is read by the Python parser, so every
message keeps its wording, line and column.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

from macros.trial.characters import hidden_character, hidden_message
from macros.trial.errors import Path, Problem, TrialDataError, format_path


class Limits:
    """What a trial file may be. ``data/trial.yaml`` is 10 kB, 8 levels deep, 600 nodes.

    About a hundred times that: an imported record with hundreds of sites
    fits, and reading the largest file allowed stays within a second or so.
    """

    #: Size of the file, in characters.
    MAX_CHARS = 1_000_000
    #: Nesting of mappings and lists (a rule's any/all/unless nest too).
    MAX_DEPTH = 32
    #: Mappings, lists and values in the whole file.
    MAX_NODES = 50_000
    #: Digits in a number: Python refuses to read integers past 4300 digits,
    #: and no count or threshold of a trial needs more than a few.
    MAX_DIGITS = 30


class _Refused(yaml.MarkedYAMLError):
    """Something the reader refuses before building any data; the text is the message."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver (dates stay strings), within :class:`Limits`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Compose one node, refusing aliases, anchors, deep nesting and too many nodes.

        Checked on the parser's events, before any node is built, so that an
        alias bomb or a list nested 10,000 deep is refused in milliseconds,
        at the line and column where it starts.
        """
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                problem=f"an alias (*{event.anchor}) repeats another part of the file; YAML "
                "anchors and aliases are not allowed in a trial file, write the value out",
                problem_mark=event.start_mark,
            )
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                problem=f"an anchor (&{event.anchor}); YAML anchors and aliases are not "
                "allowed in a trial file, write each value out",
                problem_mark=event.start_mark,
            )
        self._nodes += 1
        if self._nodes > Limits.MAX_NODES:
            raise _Refused(
                problem=f"the file has more than {Limits.MAX_NODES:,} values; "
                "a trial file has far fewer",
                problem_mark=event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            self._depth += 1
            if self._depth > Limits.MAX_DEPTH:
                raise _Refused(
                    problem=f"lists and mappings nested more than {Limits.MAX_DEPTH} deep; "
                    "a trial file needs far fewer levels",
                    problem_mark=event.start_mark,
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class SourceMap:
    """Positions of the nodes of one document, by path."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Mark:
        """The mark of ``path``, or of its nearest recorded ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Mark(1, 1)


@dataclass
class Document:
    data: Any
    marks: SourceMap
    file: str
    # Problems found while reading (duplicate keys); reported with the rest.
    problems: list[Problem] = field(default_factory=list)
    # The text read, so that the build serves the very file it validated.
    text: str = ""


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_STR_TAG = "tag:yaml.org,2002:str"


class _Builder:
    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.marks = SourceMap()
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._check_shape(node, path)
        self.marks.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _check_shape(self, node: yaml.Node, path: Path) -> None:
        """Refuse a node reached twice or too deep, whatever composed the nodes.

        The composer refuses aliases and depth already; this holds for any
        other composer too, so that building never expands an alias or recurses
        without bound.
        """
        if id(node) in self.seen:
            self._refuse(node, path, "this value repeats another part of the file (an alias); "
                         "YAML anchors and aliases are not allowed in a trial file")
        self.seen.add(id(node))
        if len(path) > Limits.MAX_DEPTH:
            self._refuse(node, path, f"lists and mappings nested more than {Limits.MAX_DEPTH} "
                         "deep; a trial file needs far fewer levels")

    def _scalar(self, node: yaml.ScalarNode, path: Path, *, key: bool = False) -> Any:
        if node.tag == _STR_TAG:
            # What SafeConstructor makes of it, without its bookkeeping: most
            # values of a trial file are text.
            self._check_text(node.value, node, path, key)
            return node.value
        if node.tag in _NUMBER_TAGS:
            digits = sum(char.isdigit() for char in node.value)
            if digits > Limits.MAX_DIGITS:
                self._refuse(
                    node, path,
                    f"a number with {digits} digits; numbers in a trial file have at most "
                    f"{Limits.MAX_DIGITS}",
                )
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, str):
            self._check_text(value, node, path, key)
        return value

    def _check_text(self, text: str, node: yaml.Node, path: Path, key: bool) -> None:
        index = hidden_character(text)
        if index is None:
            return
        char = text[index]
        line, column = _char_position(node, char)
        message = ("a key " if key else "") + hidden_message(char)
        self.problems.append(Problem(line, column, format_path(path), message))

    def _refuse(self, node: yaml.Node, path: Path, message: str) -> None:
        mark = _mark(node)
        raise TrialDataError(self.file, [Problem(mark.line, mark.column, format_path(path), message)])

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            mark = _mark(key_node)
            is_merge = key_node.tag == "tag:yaml.org,2002:merge"
            if not isinstance(key_node, yaml.ScalarNode) or is_merge:
                self.problems.append(
                    Problem(mark.line, mark.column, format_path(path), "keys must be plain names")
                )
                continue
            key = self._scalar(key_node, path, key=True)
            key = key if isinstance(key, str) else str(key)
            if key in first_seen:
                earlier = first_seen[key]
                self.problems.append(
                    Problem(
                        mark.line,
                        mark.column,
                        format_path((*path, key)),
                        f"duplicate key '{key}' (first given on line {earlier.line}); "
                        "give each key once",
                    )
                )
                continue
            first_seen[key] = mark
            self.marks.keys[(*path, key)] = mark
            result[key] = self.build(value_node, (*path, key))
        return result


def _char_position(node: yaml.Node, char: str) -> tuple[int, int]:
    """Line and column of ``char`` inside ``node``'s source text, counted as PyYAML counts.

    A character written as an escape (``"\\u202e"``) is not in the source
    text; the node's own position is given then.
    """
    start, end = node.start_mark, node.end_mark
    buffer = start.buffer
    position = buffer.find(char, start.index, end.index) if buffer is not None else -1
    if position < 0:
        return start.line + 1, start.column + 1
    line, column = start.line, start.column
    index = start.index
    while index < position:
        ch = buffer[index]
        if ch in "\n\x85\u2028\u2029" or (ch == "\r" and buffer[index + 1] != "\n"):
            line, column = line + 1, 0
        elif ch != "\ufeff":
            column += 1
        index += 1
    return line + 1, column + 1


_BRACKET = re.compile(r"[\[\]{}]")


def _check_brackets(text: str, file: str) -> None:
    """Refuse brackets nested far past :attr:`Limits.MAX_DEPTH` before PyYAML reads them.

    PyYAML's scanner reads a whole flow collection ahead and keeps a record
    per open bracket, so 10,000 nested ``[`` take it a second and 100,000 a
    minute and a half, before the composer could refuse the depth. Counting
    brackets, even inside quoted text, errs only for a text with more than
    four times :attr:`Limits.MAX_DEPTH` unmatched opening brackets.
    """
    limit = 4 * Limits.MAX_DEPTH
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            before = text[: match.start()]
            line = before.count("\n") + 1
            column = match.start() - (before.rfind("\n") + 1) + 1
            raise TrialDataError(
                file,
                [Problem(line, column, "(top level)", f"brackets nested more than {limit} deep; "
                         "a trial file needs far fewer levels")],
            )
        depth = max(depth, 0)


_CParser = getattr(getattr(yaml, "_yaml", None), "CParser", None) if yaml.__with_libyaml__ else None

# A block scalar's header as PyYAML reads it: a comment needs a space before it.
_BLOCK_HEADER = re.compile(r"[|>](?:[-+][1-9]?|[1-9][-+]?)?(?:[ \n]|\Z)")


class _Untrusted(Exception):
    """libyaml may read this text differently from PyYAML's Python parser, or it has a problem."""


if _CParser is not None:

    class _FastReader(  # type: ignore[misc, valid-type]
        yaml.constructor.SafeConstructor, yaml.resolver.Resolver, _CParser
    ):
        """The data and marks of a good trial file, from libyaml's events, several times faster.

        libyaml's C scanner and parser make the events; the same resolvers
        (dates stay strings) and constructor as :class:`_Loader` turn them
        into values, and the marks are the events' own, as the Python
        composer would give them to its nodes. Nothing is composed in C:
        CParser's own composition is never called.

        It reads only what it can read exactly as :class:`_Loader` does. On
        anything :class:`_Loader` would refuse or report (an anchor or alias,
        an explicit tag, nesting or a count of values past :class:`Limits`, a
        duplicate key or one that is a list or a mapping, a hidden character,
        a number with too many digits, a second document) and on the few
        constructions libyaml reads differently, found by comparing both on
        generated documents (an empty value not right after the ``:`` or
        ``-`` of a block collection is placed after other tokens; a block
        scalar's header may run into a comment; a plain value inside
        ``[...]`` or ``{...}`` may hold a ``?``, where PyYAML ends it), it
        raises :class:`_Untrusted` and :func:`parse` reads the text again in
        Python, which says what is wrong, and where, as it always has.
        """

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._text = text
            self._nodes = 0
            self._marks = SourceMap()

        def document(self, file: str) -> Document:
            self.get_event()  # the stream's start
            if not self.check_event(yaml.DocumentStartEvent):
                raise _Untrusted  # an empty file
            self.get_event()
            if not self.check_event(yaml.MappingStartEvent):
                raise _Untrusted  # the file is not a mapping of keys
            data = self._value((), 0, False)
            self.get_event()  # the document's end
            if not self.check_event(yaml.StreamEndEvent):
                raise _Untrusted  # a second document
            return Document(data=data, marks=self._marks, file=file, text=self._text)

        def _value(self, path: Path, depth: int, flow: bool) -> Any:
            event = self.get_event()
            self._nodes += 1
            if self._nodes > Limits.MAX_NODES:
                raise _Untrusted
            start = event.start_mark
            self._marks.values[path] = Mark(start.line + 1, start.column + 1)
            kind = event.__class__
            if kind is yaml.ScalarEvent:
                return self._scalar(event, flow)[0]
            if kind not in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                raise _Untrusted  # an alias
            if event.anchor is not None or event.tag is not None or depth >= Limits.MAX_DEPTH:
                raise _Untrusted
            flow = flow or bool(event.flow_style)
            if kind is yaml.SequenceStartEvent:
                items: list[Any] = []
                while not self.check_event(yaml.SequenceEndEvent):
                    items.append(self._value((*path, len(items)), depth + 1, flow))
                self.get_event()
                return items
            mapping: dict[Any, Any] = {}
            while not self.check_event(yaml.MappingEndEvent):
                event = self.get_event()
                self._nodes += 1
                if self._nodes > Limits.MAX_NODES or event.__class__ is not yaml.ScalarEvent:
                    raise _Untrusted
                key, tag = self._scalar(event, flow)
                key = key if isinstance(key, str) else str(key)
                if key in mapping or tag == "tag:yaml.org,2002:merge":
                    raise _Untrusted
                start = event.start_mark
                self._marks.keys[(*path, key)] = Mark(start.line + 1, start.column + 1)
                mapping[key] = self._value((*path, key), depth + 1, flow)
            self.get_event()
            return mapping

        def _scalar(self, event: yaml.ScalarEvent, flow: bool) -> tuple[Any, str]:
            """The value of a scalar event, and its tag, as :class:`_Builder` makes them."""
            if event.anchor is not None or event.tag is not None:
                raise _Untrusted
            start, value, style = event.start_mark, event.value, event.style
            if start.index == event.end_mark.index and (
                flow or start.column == 0 or self._text[start.index - 1] not in ":-"
            ):
                raise _Untrusted
            if style in ("|", ">") and not _BLOCK_HEADER.match(self._text, start.index):
                raise _Untrusted
            if flow and not style and "?" in value:
                raise _Untrusted
            tag = self.resolve(yaml.ScalarNode, value, event.implicit)
            if tag == _STR_TAG:
                if hidden_character(value) is not None:
                    raise _Untrusted
                return value, tag
            if tag in _NUMBER_TAGS and sum(char.isdigit() for char in value) > Limits.MAX_DIGITS:
                raise _Untrusted
            node = yaml.ScalarNode(tag, value, start, event.end_mark, style=style)
            return self.construct_object(node, deep=True), tag

else:  # pragma: no cover - PyYAML built without libyaml
    _FastReader = None  # type: ignore[assignment, misc]


def parse(text: str, file: str) -> Document:
    """Parse YAML text; raise :class:`TrialDataError` for anything unreadable."""
    if len(text) > Limits.MAX_CHARS:
        raise TrialDataError(
            file,
            [Problem(1, 1, "(file)", f"the file has {len(text):,} characters; a trial file has "
                     f"at most {Limits.MAX_CHARS:,}")],
        )
    _check_brackets(text, file)
    document = _fast(text, file)
    return document if document is not None else _parse_in_python(text, file)


# Characters that libyaml reads or counts differently from PyYAML's Python
# scanner (tabs, other line breaks, a byte order mark): a text with one is
# read by the Python parser.
_SCANNED_DIFFERENTLY = re.compile("[\t\r\x85\u2028\u2029\ufeff]")


def _fast(text: str, file: str) -> Document | None:
    """The document as :class:`_FastReader` reads it, or None where it could differ.

    libyaml reads an ordinary trial file exactly as PyYAML's Python parser
    does, data and positions alike, but its errors word and place things
    differently, and its marks have no text to find a hidden character's
    column in. A text that it could read differently, and every file that is
    refused or has any problem at all, is therefore read again in Python,
    which gives the usual message, line and column; a good file, nearly
    always the case, is read once, in C.
    """
    if _FastReader is None or _SCANNED_DIFFERENTLY.search(text):
        return None
    try:
        return _FastReader(text).document(file)
    except Exception:  # whatever it was, the Python reader says it properly
        return None


def _parse_in_python(text: str, file: str) -> Document:
    """Read ``text`` with :class:`_Loader`; raise :class:`TrialDataError` for anything unreadable."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise TrialDataError(file, [_reader_problem(text, exc)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise TrialDataError(
                file, [Problem(1, 1, "(top level)", "the file is empty; expected the trial's keys")]
            )
        if not isinstance(node, yaml.MappingNode):
            mark = _mark(node)
            raise TrialDataError(
                file,
                [
                    Problem(
                        mark.line,
                        mark.column,
                        "(top level)",
                        "the file must be a mapping of keys (such as 'identification:') "
                        f"but is {_kind(node)}",
                    )
                ],
            )
        builder = _Builder(loader, file)
        data = builder.build(node, ())
    except _Refused as exc:
        mark = exc.problem_mark
        raise TrialDataError(
            file, [Problem(mark.line + 1, mark.column + 1, "(top level)", exc.problem)]
        ) from None
    except yaml.reader.ReaderError as exc:
        raise TrialDataError(file, [_reader_problem(text, exc)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise TrialDataError(
            file, [Problem(line, column, "(top level)", _syntax_message(exc))]
        ) from None
    except yaml.YAMLError as exc:
        raise TrialDataError(file, [Problem(1, 1, "(top level)", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return Document(data=data, marks=builder.marks, file=file, problems=builder.problems, text=text)


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character PyYAML refuses to read at all (NUL, most control characters)."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    return Problem(line, column, "(file)", hidden_message(char))


# PyYAML's wording for the mistakes people make most, in plain words.
_SYNTAX_HINTS = (
    ("found character '\\t'", "a tab is used for indentation; indent with spaces"),
    ("mapping values are not allowed here",
     "a ':' where a value was expected; put quotes around text that contains ': '"),
    ("expected <block end>", "the indentation does not line up with the lines above"),
    ("could not find expected ':'", "a line that is not 'key: value'; check the line above"),
    ("found undefined tag handle", "an unknown '!' tag; plain values need no tag"),
    ("could not determine a constructor", "an unsupported '!' tag; plain values need no tag"),
)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "unreadable YAML"
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem:
            return f"YAML syntax error: {hint}"
    context = f" ({exc.context})" if exc.context else ""
    return f"YAML syntax error: {problem}{context}"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "a single value"


def read(path: str | FilePath, display: str | None = None) -> Document:
    """Read and parse a file; ``display`` is the name used in messages."""
    file = display or str(path)
    try:
        # Only a regular file, and never much past the limit: a device such as
        # /dev/zero, a pipe or a huge file is refused without reading it all.
        if not stat.S_ISREG(os.stat(path).st_mode):
            kind = "a folder" if FilePath(path).is_dir() else "a device, pipe or socket"
            raise TrialDataError(file, [Problem(1, 1, "(file)", f"is {kind}, not a file")])
        with open(path, "rb") as handle:
            raw = handle.read(4 * Limits.MAX_CHARS + 1)
        if len(raw) > 4 * Limits.MAX_CHARS:
            raise TrialDataError(
                file, [Problem(1, 1, "(file)", f"the file is larger than {4 * Limits.MAX_CHARS:,} "
                               f"bytes; a trial file has at most {Limits.MAX_CHARS:,} characters")]
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise TrialDataError(file, [Problem(1, 1, "(file)", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise TrialDataError(
            file, [Problem(1, 1, "(file)", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    except OSError as exc:
        raise TrialDataError(file, [Problem(1, 1, "(file)", exc.strerror or str(exc))]) from None
    return parse(text, file)
