"""Data embedded in pages is always valid JSON."""

from __future__ import annotations

import json

import pytest

from macros.site.embed import script_json


def test_script_json_is_json_with_markup_characters_escaped() -> None:
    text = str(script_json({"a": "</script><!-- & \u2028", "n": 1.5}))
    assert "<" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028", "n": 1.5}


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_script_json_never_writes_nan_or_infinity(number: float) -> None:
    with pytest.raises(ValueError):
        script_json({"threshold": number})
