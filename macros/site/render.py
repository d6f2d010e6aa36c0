"""Our own Jinja environment: autoescaping templates, never f-strings.

Every piece of HTML the site shows from the trial data is produced here, from
``templates/<kind>.html.jinja``. Text from the YAML is escaped by Jinja's
autoescape; nothing from the YAML is ever rendered *as* a template.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from macros.trial.labels import label
from macros.trial.paths import cache_dir

TEMPLATES = Path(__file__).parent / "templates"

def paragraphs(text: str | None) -> list[str]:
    """Split text on blank lines; single newlines inside a paragraph are kept as spaces."""
    if not text:
        return []
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def slug(value: str) -> str:
    """A CSS-safe token: ``ACTIVE_NOT_RECRUITING`` -> ``active-not-recruiting``."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def runs_by(items: list[Any], attribute: str) -> list[dict[str, Any]]:
    """Consecutive runs of items sharing ``attribute``, in order (unlike groupby, no sorting)."""
    runs: list[dict[str, Any]] = []
    for item in items:
        key = getattr(item, attribute)
        if not runs or runs[-1]["key"] != key:
            runs.append({"key": key, "members": []})
        runs[-1]["members"].append(item)
    return runs


def plural(count: int, singular: str, many: str | None = None) -> str:
    word = singular if count == 1 else (many or singular + "s")
    return f"{count} {word}"


@cache
def environment() -> Environment:
    # Compiled templates are kept in .cache/jinja, keyed by each template's
    # source: a new process loads them instead of compiling every template.
    bytecode = cache_dir("jinja")
    env = Environment(
        bytecode_cache=FileSystemBytecodeCache(str(bytecode)) if bytecode else None,
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(label=label, paragraphs=paragraphs, slug=slug, runs_by=runs_by)
    env.globals.update(plural=plural)
    return env


# Material's search index keeps the text of a page but drops the tags around
# table cells, definition lists and line breaks, so ``<td>a</td><td>b</td>``
# would be indexed as the one word "ab" and never found by "b". A line break
# after each such tag keeps the words apart in the index and in the result
# snippets; it changes nothing on the page, where white space between cells,
# between blocks and after a ``<br>`` is not rendered. The same goes before a
# ``trial-numbers__sub`` span, which the style sheet sets as a line of its own.
_WORD_BOUNDARY = re.compile(
    r"(</(?:td|th|tr|caption|dt|dd|li|p|div|section|h[1-6])>(?=<)|<br>(?!\n))"
)
_LINE_OF_ITS_OWN = re.compile(r'(?<=\S)(?=<span class="trial-numbers__sub">)')


def keep_words_apart(html: str) -> str:
    """``<td>a</td><td>b</td>`` -> ``<td>a</td>\\n<td>b</td>``, ``a<br>b`` -> ``a<br>\\nb``."""
    return _LINE_OF_ITS_OWN.sub("\n", _WORD_BOUNDARY.sub("\\1\n", html))


def render(template: str, **context: Any) -> Markup:
    """Render ``templates/<kind>.html.jinja``.

    The result is wrapped in blank lines so that Markdown treats it as a raw
    HTML block and leaves its text alone (``**bold**`` in the data stays literal).
    """
    html = environment().get_template(f"{template}.html.jinja").render(**context)
    return Markup("\n\n") + Markup(keep_words_apart(html.strip())) + Markup("\n\n")
