"""Characters a protocol text must not hide, and how messages show them.

A right-to-left override (U+202E) makes ``age \u202e81 ≥ ega`` display as
``age age ≤ 18``: the text would look different from what it says. Such
bidirectional controls, and control characters other than tab and line
breaks, have no place in a protocol text, so the trial file refuses them
(:func:`hidden_character`) and the importer refuses records that contain them.
Messages that repeat a key, a path or a file name show any such character as
an escape (:func:`visible`), so that an error message cannot be disguised either.
"""

from __future__ import annotations

import unicodedata

# The bidirectional formatting characters (Unicode UAX #9): embeddings,
# overrides, isolates and the implicit marks.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Control characters a text may hold: tab and the line breaks.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def is_hidden(char: str) -> bool:
    """Whether ``char`` is a bidi control or a control character other than tab and breaks."""
    if char in BIDI_CONTROLS:
        return True
    return unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS


def hidden_character(text: str) -> int | None:
    """The index of the first character of ``text`` that :func:`is_hidden`, or None."""
    if text.isascii() and text.isprintable():
        return None  # the common case, at C speed
    for index, char in enumerate(text):
        if is_hidden(char):
            return index
    return None


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``; control characters have no Unicode name."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} ({name})" if name else f"{code} (a control character)"


def hidden_message(char: str) -> str:
    """Why a text holding ``char`` is refused, in one sentence."""
    if char in BIDI_CONTROLS:
        return (
            f"contains {describe(char)}, an invisible control that makes the text display "
            "differently from what it says; remove it"
        )
    return f"contains {describe(char)}, which has no place in a text; remove it"


def visible(text: str) -> str:
    """``text`` with every control, format and line-separator character shown as an escape."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or char in BIDI_CONTROLS:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


_SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
