"""What Material's search can find on a built site: its index read the way its client reads it.

Material's search worker splits each entry's text at every HTML tag and then at
the ``separator`` of the index's configuration, and looks words up by prefix
(lunr's trailing wildcard), so a word is found exactly when it begins one of
these tokens. :func:`unfindable_words` compares them with the words a reader
sees on each page.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from pathlib import Path

from bs4 import BeautifulSoup

_TAG = re.compile(r"<[^>]+>")
# Parts of a page the index leaves out on purpose: the permalink signs, the
# identity strip of the theme (the same on every page), scripts and styles.
NOT_INDEXED = ".headerlink, .trial-identity, [data-search-exclude], script, style"


def load_index(site: Path) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def tokens(text: str, separator: str) -> set[str]:
    """The words of an index text (HTML), as the search worker tokenises it."""
    split = re.compile(separator)
    return {
        token.lower()
        for block in _TAG.split(text)
        for token in split.split(block)
        if token
    }


def page_entries(index: dict, url: str) -> list[dict]:
    """The index entries of the page at ``url`` ('' for the home page, 'sites/' ...)."""
    return [doc for doc in index["docs"] if doc["location"].split("#")[0] == url]


def reader_words(site: Path, url: str, separator: str) -> set[str]:
    """Every word a reader sees in the page's article, split as the index splits."""
    page = site / url / "index.html"
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
    for element in article.select(NOT_INDEXED):
        element.decompose()
    split = re.compile(separator)
    text = article.get_text(" ")
    # The index holds HTML text: '<' is '&lt;' there, which the separator splits.
    return {word.lower() for word in split.split(text) if word}


def unfindable_words(site: Path) -> dict[str, set[str]]:
    """Per page, the words on the page that no token of the page's index entries
    begins with, and the tokens that are no word of the page (words run together)."""
    index = load_index(site)
    separator = index["config"]["separator"]
    missing: dict[str, set[str]] = {}
    urls = sorted({doc["location"].split("#")[0] for doc in index["docs"]})
    for url in urls:
        indexed = set()
        for doc in page_entries(index, url):
            indexed |= tokens(doc["title"], separator) | tokens(doc["text"], separator)
        ordered = sorted(indexed)
        words = reader_words(site, url, separator)
        lost = {w for w in words if not _begins_a_token(w, ordered)} | (indexed - words)
        if lost:
            missing[url or "index"] = lost
    return missing


def _begins_a_token(word: str, ordered: list[str]) -> bool:
    at = bisect_left(ordered, word)
    return at < len(ordered) and ordered[at].startswith(word)
