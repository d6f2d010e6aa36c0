"""libyaml's parser reads a trial file exactly as PyYAML's Python parser does.

``source.parse`` reads with libyaml's C scanner and parser and the Python
resolvers and constructor (:class:`~macros.trial.source._FastReader`), and
reads again in Python wherever the two could differ. Every file of the project, every real
registry record imported, and generated documents give the same data, the
same positions of keys and values, and the same problems either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, TESTS
from macros.registry.ctgov_import import header_lines, import_record, read_record, to_yaml
from macros.trial import source
from macros.trial.errors import TrialDataError

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML is built without libyaml")


def outcome(read: Callable[[], source.Document]) -> tuple:
    """What a reading gives, comparable as a whole: data (with its types), marks and problems."""
    try:
        document = read()
    except TrialDataError as exc:
        return ("refused", exc.file, exc.problems)
    # repr keeps the types apart (1, 1.0 and True are equal in Python) and the keys' order
    return ("read", repr(document.data), document.marks.values, document.marks.keys,
            document.problems, document.file)


def pure(text: str, file: str = "f.yaml") -> tuple:
    return outcome(lambda: source._parse_in_python(text, file))


def assert_same_reading(text: str, file: str = "f.yaml") -> source.Document | None:
    """parse() reads ``text`` as the Python parser does; returns the fast path's document."""
    expected = pure(text, file)
    fast = source._fast(text, file)
    if fast is not None:
        assert outcome(lambda: fast) == expected
    assert outcome(lambda: source.parse(text, file)) == expected
    return fast


# --- the reader ------------------------------------------------------------------


def test_the_fast_reader_reads_libyaml_events_with_the_python_resolvers_and_constructor() -> None:
    reader = source._FastReader
    assert issubclass(reader, yaml._yaml.CParser)
    # the Python constructor and resolver, not CParser's composition, make the values
    mro = reader.__mro__
    assert mro.index(yaml.constructor.SafeConstructor) < mro.index(yaml._yaml.CParser)
    assert mro.index(yaml.resolver.Resolver) < mro.index(yaml._yaml.CParser)
    assert reader.yaml_implicit_resolvers is source._Loader.yaml_implicit_resolvers
    assert "tag:yaml.org,2002:timestamp" not in {
        tag for resolvers in reader.yaml_implicit_resolvers.values() for tag, _ in resolvers
    }
    document = source._fast("start: 2022-12-01\nn: 3\nx: 1.5\nok: true\nnone:\n", "f.yaml")
    assert repr(document.data) == repr(
        {"start": "2022-12-01", "n": 3, "x": 1.5, "ok": True, "none": None}
    )


def test_the_seed_trial_is_read_once_by_libyaml(monkeypatch) -> None:
    text = (ROOT / "data" / "trial.yaml").read_text(encoding="utf-8")
    in_python: list[str] = []
    monkeypatch.setattr(source, "_parse_in_python", lambda text, file: in_python.append(text))
    document = source.parse(text, "data/trial.yaml")
    assert in_python == []
    assert document.data["identification"]["nct_id"] == "NCT05660785"


def test_the_limits_hold_on_the_fast_path_too(monkeypatch) -> None:
    # whatever the Python reader would refuse, the fast one leaves to it
    deep = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 40))
    compact = "a:\n  " + "- " * 40 + "x\n"
    flow = "a: " + "[" * 40 + "]" * 40 + "\n"
    digits = "a: " + "1" * 40 + "\n"
    for text in (deep, compact, flow, digits):
        assert source._fast(text, "f.yaml") is None
        with pytest.raises(TrialDataError):
            source.parse(text, "f.yaml")
    monkeypatch.setattr(source.Limits, "MAX_NODES", 10)
    many = "".join(f"k{i}: v\n" for i in range(6))  # 13 values with the mapping
    assert source._fast(many, "f.yaml") is None
    with pytest.raises(TrialDataError, match="more than 10 values"):
        source.parse(many, "f.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: *x\n",  # an alias: refused, with the Python parser's position
        "a: 1\na: 2\n",  # a duplicate key: a problem
        "a: x\u202ey\n",  # a hidden character: its column is found in the text
        "a: b\r\nc: d\r\n",  # other line breaks count lines differently
        "a:\tb\n",
        "\ufeffa: b\n",
        "a: !!str 1\n",
        "a: {b: , c: d}\n",
        "? a\n",
        "a: |#\n  x\n",
        "a: [b?c]\n",
        "a: [1, 2\n",
        "a: &x 1\n",  # an anchor
        "<<: {a: 1}\n",  # a merge key
        "[a, b]: c\n",  # a key that is a list
        "a: =\n",  # a value no constructor takes
        "a: 1\n---\nb: 2\n",  # two documents
        "- a\n",  # not a mapping
        "",
    ],
)
def test_what_libyaml_could_read_differently_is_read_in_python(text: str) -> None:
    assert source._fast(text, "f.yaml") is None
    assert_same_reading(text)


# --- every file the project has --------------------------------------------------


def _project_files() -> list[Path]:
    return [
        ROOT / "data" / "trial.yaml",
        *sorted((TESTS / "data").glob("*.yaml")),
        *sorted((TESTS / "invalid").glob("*.yaml")),
    ]


@pytest.mark.parametrize("path", _project_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_project_file_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    fast = assert_same_reading(text, name)
    expected = pure(text, name)
    if expected[0] == "read" and not expected[4]:
        assert fast is not None, "a good file is read by libyaml"


def _records() -> list[Path]:
    """Real registry records: this repository's copies and the shared ones beside the project."""
    seen: set[str] = set()
    records = []
    for folder in (TESTS / "data" / "ctgov", ROOT.parent / "shared" / "ctgov"):
        for path in sorted(folder.glob("NCT*.json")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                records.append(path)
    return records


@pytest.mark.parametrize("record", _records(), ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_imported_record_reads_the_same(record: Path) -> None:
    trial = import_record(read_record(record)).trial
    text = to_yaml(trial, header_lines(trial, None))
    fast = assert_same_reading(text, "trial.yaml")
    assert fast is not None, "an imported record is read by libyaml"


# --- generated documents ---------------------------------------------------------

# Characters that YAML treats specially, and text of several scripts and planes.
_COMMON = st.one_of(
    st.sampled_from([*" :-#'\"\\{}[],?&*!|>%@`~\n.0123456789eE+_xo", "é", "日", "😀", "\u00a0"]),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
)
# ... and those that the Python parser reads alone: tabs, other line breaks,
# a byte order mark, hidden characters.
_ANY = st.one_of(
    _COMMON,
    st.sampled_from(["\t", "\r", "\x85", "\u2028", "\ufeff", "\u200b", "\u202e", "\x07"]),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)


def _documents(chars: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    text = st.text(chars, max_size=12)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=False),
        text,
        st.sampled_from(["2022-01-01", "0x1F", "0o17", "1e3", ".inf", "yes", "null", "~", "1_0"]),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=12,
    )
    return st.dictionaries(text, values, min_size=1, max_size=5)


_STYLES = st.fixed_dictionaries(
    {
        "default_flow_style": st.sampled_from([False, True, None]),
        "default_style": st.sampled_from([None, None, '"', "'", "|", ">"]),
        "allow_unicode": st.booleans(),
        "width": st.sampled_from([12, 80, 10**6]),
        "indent": st.sampled_from([2, 3, 4]),
        "explicit_start": st.booleans(),
    }
)

# Pieces of YAML, put together at random: mostly not valid, sometimes oddly valid.
_PIECES = [
    "a", "b c", "key", "é", "日本", "😀", " ", "  ", "\t", ":", ": ", "- ", "-", "#", " #", "'", '"',
    "\\", "\\n", "\\u00e9", "[", "]", "{", "}", ", ", ",", "?", "? ", "|", ">", "|-", ">+",
    "!", "!!str ", "&a ", "*a", "%", "@", "`", "1", "1.5", "0x1F", "1e3", ".inf", "~", "null",
    "true", "2022-01-01", "\n", "\n", "\n  ", "\n- ", "\n  - ", "\nk: ", "...", "---", "\u00a0",
    "\u200b", "a: b\n", "x:y", "'it''s'", '"q\\"q"',
]
_PIECED = st.tuples(
    st.sampled_from(["", "k: ", "k:\n  "]), st.lists(st.sampled_from(_PIECES), max_size=25)
).map(lambda parts: parts[0] + "".join(parts[1]))

_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_SETTINGS
@given(data=_documents(_COMMON) | _documents(_ANY), style=_STYLES)
def test_generated_documents_read_the_same(data: dict, style: dict) -> None:
    text = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, **style)
    fast = assert_same_reading(text)
    event("read by libyaml" if fast is not None else "read in Python")


@_SETTINGS
@given(text=_PIECED)
def test_pieced_together_text_reads_the_same(text: str) -> None:
    fast = assert_same_reading(text)
    event("read by libyaml" if fast is not None else "read in Python")
