"""What the real-browser tests share: a local HTTP server and Debian's Chromium.

The site is served from 127.0.0.1 on a random port by a thread in the test
process, and Playwright drives the system Chromium (no browser download).
Without Chromium the browser tests skip locally but fail when ``CI=true``.
"""

from __future__ import annotations

import functools
import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TRIAL_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (random free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _PagesHandler(_QuietHandler):
    """GitHub Pages for a project: the site under ``/<folder>/``, a folder without
    its slash redirected, and 404.html (status 404) for any other path."""

    folder = "/repo/"

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(self.folder):
            inside = "/" + path[len(self.folder):]
            target = Path(self.translate_path(inside))
            if target.is_dir() and not inside.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if target.is_file() or (target / "index.html").is_file():
                self.path = inside
                return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve_like_pages(directory: Path, folder: str = "repo") -> Iterator[str]:
    """Serve ``directory`` as GitHub Pages serves a project site; yield its base URL."""
    handler = functools.partial(
        type("Handler", (_PagesHandler,), {"folder": f"/{folder}/"}), directory=str(directory)
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{folder}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def require_chromium() -> str:
    """The Chromium path, or skip (locally) / fail (CI=true) when it is missing."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true requires them)")
    pytest.skip(reason)


def launch(playwright):  # type: ignore[no-untyped-def]
    """Launch the system Chromium headless, with no background network traffic."""
    return playwright.chromium.launch(
        executable_path=require_chromium(), args=CHROMIUM_ARGS, headless=True
    )


# A phone: 390 CSS pixels wide (an iPhone 12 to 15), with touch and mobile zoom.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def sideways_scroll(page) -> int:  # type: ignore[no-untyped-def]
    """How far the page scrolls sideways, in CSS pixels (0 when it fits).

    On a mobile viewport Chromium widens the layout viewport (``innerWidth``) to
    fit wide content, so the page is measured against the screen's width.
    """
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )



def search_results(page, query: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Type ``query`` into the site's search box; each page found (link, text), best first.

    Material searches as one types, so the list first shows the results of
    the query's beginnings; this waits for the results of the whole query,
    whose links mark its last word (``?h=...``).
    """
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=30)  # Material reacts to key events
    last = re.split(r"[\s\-]+", query.strip().lower())[-1]
    page.wait_for_function(
        """last => [...document.querySelectorAll('.md-search-result__item a')].some(a =>
             (new URL(a.href).searchParams.get('h') || '').toLowerCase().split(' ').includes(last))""",
        arg=last,
        # a record with a thousand sites has a large index to build first
        timeout=60_000,
    )
    # One item per page, best first; its first link is the page, then its best sections.
    items = page.locator(".md-search-result__item")
    return [
        (items.nth(i).locator("a").first.get_attribute("href"), items.nth(i).inner_text())
        for i in range(items.count())
    ]
