"""What the real-browser tests share: a local HTTP server and Debian's Chromium.

The site is served from 127.0.0.1 on a random port by a thread in the test
process, and Playwright drives the system Chromium (no browser download).
Without Chromium the browser tests skip locally but fail when ``CI=true``.
"""

from __future__ import annotations

import functools
import os
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
