"""Render helpers and the reload behaviour of the macros package."""

from __future__ import annotations

import re
import sys

import pytest
from markupsafe import Markup

import macros
from conftest import ROOT
from macros.site.loading import load_trial
from macros.site.render import keep_words_apart, label, paragraphs, render, slug


def test_labels_read_as_plain_words() -> None:
    assert label("SINGLE_GROUP") == "Single group"
    assert label("PHASE2") == "Phase 2"
    assert label("NA") == "Not applicable"
    assert label(None) == ""


def test_paragraphs_split_on_blank_lines_and_fold_single_newlines() -> None:
    assert paragraphs("a\nb\n\n  c  \n") == ["a b", "c"]
    assert paragraphs(None) == [] and paragraphs("") == []


def test_slug_is_css_safe() -> None:
    assert slug("ACTIVE_NOT_RECRUITING") == "active-not-recruiting"
    assert slug('"><script>') == "script"


def test_templates_escape_and_are_wrapped_as_html_blocks() -> None:
    html = render("text", text="<b>x</b> & {{ 7*7 }}", missing="none")
    assert isinstance(html, Markup)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; {{ 7*7 }}" in html
    assert html.startswith("\n\n<div") and html.endswith("</div>\n\n")


def test_cells_and_line_breaks_keep_their_words_apart() -> None:
    assert keep_words_apart("<tr><td>a</td><td>b</td></tr><tr><th>c</th></tr>") == (
        "<tr><td>a</td>\n<td>b</td>\n</tr>\n<tr><th>c</th>\n</tr>"
    )
    assert keep_words_apart("<dt>Title</dt><dd>x<br>y</dd>") == "<dt>Title</dt>\n<dd>x<br>\ny</dd>"
    assert keep_words_apart('<th>Age<span class="trial-numbers__sub">Median</span></th>') == (
        '<th>Age\n<span class="trial-numbers__sub">Median</span></th>'
    )
    # Inline elements and text that already has its space are left alone.
    assert keep_words_apart("<b>a</b><i>b</i> <td>c</td>\n<td>d</td>") == (
        "<b>a</b><i>b</i> <td>c</td>\n<td>d</td>"
    )


@pytest.mark.parametrize(
    "template", ["overview", "design_info", "arms", "eligibility_summary", "sites", "sponsors", "identifiers"]
)
def test_no_rendered_cell_touches_the_next_one(template) -> None:
    trial = load_trial(ROOT / "data" / "trial.yaml")
    html = render(template, trial=trial, registry_url="https://example.org/")
    assert not re.search(r"</(td|th|dt|dd|tr)><|<br>\S", html)


def test_changed_code_is_reimported_on_the_next_build(monkeypatch) -> None:
    import macros.site.render as first

    saved = {n: m for n, m in sys.modules.items() if n.startswith("macros.")}
    try:
        macros._forget_submodules()  # records the current state
        assert sys.modules["macros.site.render"] is first
        monkeypatch.setattr(macros, "_loaded_stamp", -1.0)  # as if a file had changed
        macros._forget_submodules()
        assert "macros.site.render" not in sys.modules
        import macros.site.render as second

        assert second is not first
    finally:
        # other tests hold the first modules' classes; put them back
        for name in [n for n in sys.modules if n.startswith("macros.")]:
            del sys.modules[name]
        sys.modules.update(saved)
