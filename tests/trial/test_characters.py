"""Hidden characters: which a text may not hold, and how messages show them."""

from __future__ import annotations

import pytest

from macros.trial.characters import describe, hidden_character, is_hidden, visible
from macros.trial.errors import Problem, TrialDataError
from macros.trial.labels import label


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\u202e", "\u2066", "\u200f"]
)
def test_control_and_bidi_characters_are_hidden(char: str) -> None:
    assert is_hidden(char)
    assert hidden_character(f"ab{char}c") == 2


@pytest.mark.parametrize("text", ["plain", "tab\tand\nbreaks\r\n", "≥ 18 — Ärzte 日本語", "x\u2028y", ""])
def test_ordinary_text_has_nothing_hidden(text: str) -> None:
    assert hidden_character(text) is None


def test_characters_are_described_by_code_point_and_name() -> None:
    assert describe("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert describe("\x00") == "U+0000 (a control character)"


def test_visible_escapes_what_would_change_a_message() -> None:
    assert visible("plain ≥ text") == "plain ≥ text"
    assert visible("a\u202eb\x1b[31mc\nd\u2028") == "a\\u202eb\\x1b[31mc\\nd\\u2028"


def test_problems_and_their_header_show_hidden_characters_as_escapes() -> None:
    error = TrialDataError("bad\u202e.yaml", [Problem(1, 2, "a.b\u202ec", "unknown key 'b\x1bc'")])
    text = str(error)
    assert "\u202e" not in text and "\x1b" not in text
    assert text.splitlines() == [
        "bad\\u202e.yaml: 1 problem in the trial data:",
        "bad\\u202e.yaml:1:2: a.b\\u202ec: unknown key 'b\\x1bc'",
    ]


@pytest.mark.parametrize(
    "text",
    ["{{ ''.__class__ }}", "Not yet recruiting here", "a_b", "Recruiting_", "_X", "NCT_ID x", "Ünï_X"],
)
def test_free_text_is_never_turned_into_a_label(text: str) -> None:
    assert label(text) == text


@pytest.mark.parametrize(
    ("code", "words"),
    [("RECRUITING", "Recruiting"), ("NOT_YET_RECRUITING", "Not yet recruiting"), ("PHASE2", "Phase 2"),
     ("OTHER_GOV", "Other government"), ("SAMPLES_WITH_DNA", "Samples with dna")],
)
def test_registry_codes_read_as_words(code: str, words: str) -> None:
    assert label(code) == words
