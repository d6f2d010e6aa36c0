"""Data placed inside a page's ``<script>`` and ``<style>`` elements, safely."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup


def script_json(data: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` so
    that no text (``</script>``, ``<!--``) can end the element early; JSON.parse
    reads them back as the same characters. U+2028 and U+2029 are escaped too,
    for older script parsers. NaN and infinity are not JSON and would stop the
    page's script from reading any of it; the model refuses them, and this
    refuses them again rather than write a page that cannot work.
    """
    text = json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    for char, escape in (
        ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return Markup(text)


def css_string(text: str) -> Markup:
    """A quoted CSS string for ``content:`` in a ``<style>`` element.

    Every character other than an ASCII letter, digit or space is written as a
    hex escape ended by one space (``\\b7 ``; CSS drops that space, so a real
    space after it survives), so quotes, backslashes, newlines and
    ``</style>`` in the data cannot change the style sheet.
    """
    out = "".join(
        c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text
    )
    return Markup(f'"{out}"')
