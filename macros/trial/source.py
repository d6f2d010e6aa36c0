"""Read a trial YAML file into plain Python data plus the position of each node.

PyYAML's ``SafeLoader`` forgets where values came from, silently keeps the
last of two duplicate keys and turns ``2022-12-01`` into a ``date``. This
module composes the node graph itself so that it can

* record line and column (1-based) of every key and value, by path;
* reject duplicate keys instead of keeping the last one;
* keep dates as the strings the registry uses (``2025-01`` is a valid date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

from macros.trial.errors import Path, Problem, TrialDataError, format_path


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: dates stay strings."""


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


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.marks = SourceMap()
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.marks.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

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
            key = self.loader.construct_object(key_node)
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


def parse(text: str, file: str) -> Document:
    """Parse YAML text; raise :class:`TrialDataError` for anything unreadable."""
    loader = _Loader(text)
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
        builder = _Builder(loader)
        data = builder.build(node, ())
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
    return Document(data=data, marks=builder.marks, file=file, problems=builder.problems)


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
        text = FilePath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrialDataError(file, [Problem(1, 1, "(file)", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise TrialDataError(
            file, [Problem(1, 1, "(file)", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    except OSError as exc:
        raise TrialDataError(file, [Problem(1, 1, "(file)", exc.strerror or str(exc))]) from None
    return parse(text, file)
