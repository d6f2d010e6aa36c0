"""One headless Chromium driven over its DevTools pipe: several pages printed in one launch.

Chromium started with ``--remote-debugging-pipe`` reads protocol commands
from file descriptor 3 and writes its answers and events to descriptor 4,
each message one JSON text ended by a NUL byte. Nothing but the standard
library speaks it here: a browser launch costs a second or more, so the
papers and versions of the checklist share one, and no client library
becomes a dependency of the build.

The pages are printed one after the other in one tab, with the options that
``--print-to-pdf --no-pdf-header-footer`` passes to ``Page.printToPDF``, so
that the PDFs are those the command line would print.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import selectors
import shutil
import signal
import tempfile
import time
from typing import Any

# The switches of a headless print; the command line's print switches
# (--print-to-pdf, --no-pdf-header-footer) would start its own one-page handler.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
# What --print-to-pdf --no-pdf-header-footer asks of Page.printToPDF.
PRINT_OPTIONS = {
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
    "printBackground": True,
    "preferCSSPageSize": True,
}
# Web fonts still loading when the page's load event fires would print as fallbacks.
FONTS_READY = "document.fonts.ready.then(() => true)"
# Lines of Chromium's error output kept for a message.
TAIL_LINES = 5
_TAIL_BYTES = 16384


class BrowserError(Exception):
    """Chromium failed; the message says how, with the end of its error output."""


class BrowserTimeout(BrowserError):
    """Chromium did not answer in time."""


class Chromium:
    """A headless Chromium in a process group of its own with a temporary profile.

    Use it as a context manager: leaving it, however (done, an error, a
    timeout, an exception raised by a signal handler), kills the browser's
    whole process group and removes the profile.
    """

    def __init__(self, browser: str) -> None:
        self.browser = browser
        self._pid: int | None = None
        self._profile: str | None = None
        self._to_browser = self._from_browser = self._errors = -1
        self._selector: selectors.BaseSelector | None = None
        self._buffer = bytearray()
        self._stderr = bytearray()
        self._events: list[dict[str, Any]] = []
        self._last_id = 0
        self._deadline = 0.0
        self._session: str | None = None
        self.returncode: int | None = None

    # --- the process ------------------------------------------------------------------

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="trial-chromium-")
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    def _start(self) -> None:
        # The child's ends are first moved above 9, so that putting them at
        # 0-4 in the child never overwrites one not yet moved.
        command_read, command_write = os.pipe()
        answer_read, answer_write = os.pipe()
        error_read, error_write = os.pipe()
        devnull = os.open(os.devnull, os.O_RDWR)
        child = [command_read, answer_write, error_write, devnull]
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in child]
        for fd in child:
            os.close(fd)
        self._to_browser, self._from_browser, self._errors = command_write, answer_read, error_read
        stdin_out, to_child, from_child, errors = high[3], high[0], high[1], high[2]
        actions = [
            (os.POSIX_SPAWN_DUP2, stdin_out, 0),
            (os.POSIX_SPAWN_DUP2, stdin_out, 1),
            (os.POSIX_SPAWN_DUP2, errors, 2),
            (os.POSIX_SPAWN_DUP2, to_child, 3),
            (os.POSIX_SPAWN_DUP2, from_child, 4),
        ]
        # UTC so that the dates Chromium writes have a fixed length (see pdf.fix_dates).
        env = dict(os.environ, TZ="UTC")
        argv = [self.browser, *FLAGS, f"--user-data-dir={self._profile}"]
        try:
            self._pid = os.posix_spawn(self.browser, argv, env, file_actions=actions, setsid=True)
        finally:
            for fd in high:
                os.close(fd)
        os.set_blocking(self._from_browser, False)
        os.set_blocking(self._errors, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._from_browser, selectors.EVENT_READ)
        self._selector.register(self._errors, selectors.EVENT_READ)

    def _stop(self) -> None:
        """Kill the browser's process group and remove the profile.

        Nothing of the browser is kept, so it is not asked to close: that
        would cost it a quarter of a second or more to save a profile that
        is removed anyway.
        """
        try:
            if self._pid is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._pid, signal.SIGKILL)
                self._wait_exit(None)
        finally:
            if self._selector is not None:
                self._selector.close()
                self._selector = None
            for fd in (self._to_browser, self._from_browser, self._errors):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._to_browser = self._from_browser = self._errors = -1
            if self._profile is not None:
                _remove(self._profile)
                self._profile = None

    def _wait_exit(self, timeout: float | None) -> None:
        """Reap the main process; wait at most ``timeout`` seconds (None: until it has gone)."""
        if self._pid is None or self.returncode is not None:
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                pid, status = os.waitpid(self._pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
                return
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)

    def error_tail(self) -> str:
        """The last lines Chromium wrote to its error output."""
        text = self._stderr.decode("utf-8", "replace").strip()
        return "\n".join(text.splitlines()[-TAIL_LINES:])

    # --- the protocol -----------------------------------------------------------------

    def print_pdf(self, url: str, timeout: float) -> bytes:
        """Load ``url``, wait for it and its fonts, and print it to PDF.

        Every page is loaded in the same tab, one after the other: a new tab
        costs a renderer process and half a second. What a page prints does
        not depend on the page the tab showed before (the tests compare a
        fresh print with one made after other pages).
        """
        self._deadline = time.monotonic() + timeout
        self._events.clear()
        session = self._tab()
        navigation = self._call("Page.navigate", {"url": url}, session=session)
        if navigation.get("errorText"):
            raise BrowserError(f"cannot open {url}: {navigation['errorText']}")
        loader = navigation.get("loaderId")
        self._event(
            lambda m: m.get("method") == "Page.lifecycleEvent"
            and m.get("sessionId") == session
            and m["params"].get("name") == "load"
            and m["params"].get("loaderId") == loader
        )
        self._call(
            "Runtime.evaluate",
            {"expression": FONTS_READY, "awaitPromise": True, "returnByValue": True},
            session=session,
        )
        data = self._call("Page.printToPDF", dict(PRINT_OPTIONS), session=session)["data"]
        return base64.b64decode(data)

    def restyle_and_print(self, element_id: str, css: str, timeout: float) -> bytes:
        """Set the text of the style element ``element_id`` of the page last printed to ``css``,
        and print the page again; no reload, so it costs only the print."""
        self._deadline = time.monotonic() + timeout
        if self._session is None:
            raise BrowserError("no page is loaded")
        found = self._call(
            "Runtime.evaluate",
            {
                # JSON is a JavaScript literal: the id and the CSS stay data.
                "expression": "((id, css) => { const e = document.getElementById(id);"
                " if (!e) return false; e.textContent = css; return true; })"
                f"({json.dumps(element_id)}, {json.dumps(css)})",
                "returnByValue": True,
            },
            session=self._session,
        )
        if found.get("result", {}).get("value") is not True:
            raise BrowserError(f"the page has no element #{element_id}")
        data = self._call("Page.printToPDF", dict(PRINT_OPTIONS), session=self._session)["data"]
        return base64.b64decode(data)

    def _tab(self) -> str:
        """The protocol session of the tab that prints, opened on first use in a browser
        context of its own (as ``--print-to-pdf`` does)."""
        if self._session is None:
            context = self._call("Target.createBrowserContext")["browserContextId"]
            target = self._call(
                "Target.createTarget", {"url": "about:blank", "browserContextId": context}
            )["targetId"]
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            self._call("Page.enable", session=session)
            self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, session=session)
            self._session = session
        return self._session

    def _call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and return its result; BrowserError with Chromium's own message."""
        number = self._send(method, params, session)
        answer = self._next(lambda m: m.get("id") == number)
        if "error" in answer:
            message = answer["error"].get("message", answer["error"])
            raise BrowserError(f"{method} was refused: {message}")
        return answer.get("result", {})

    def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        data = memoryview(json.dumps(message).encode("utf-8") + b"\0")
        while data:
            try:
                written = os.write(self._to_browser, data)
            except BrokenPipeError:
                self._exited()
            data = data[written:]
        return self._last_id

    def _event(self, match: Any) -> dict[str, Any]:
        for index, event in enumerate(self._events):
            if match(event):
                return self._events.pop(index)
        return self._next(match)

    def _next(self, match: Any) -> dict[str, Any]:
        """Read messages until one matches; keep the events that arrive meanwhile."""
        while True:
            message = self._message()
            if match(message):
                return message
            if "id" not in message:
                self._events.append(message)

    def _message(self) -> dict[str, Any]:
        while (end := self._buffer.find(b"\0")) < 0:
            self._read()
        raw = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        try:
            return json.loads(raw)
        except ValueError:
            raise BrowserError("sent a message that is not JSON") from None

    def _read(self) -> None:
        """Wait for output from Chromium until the deadline; BrowserTimeout after it."""
        assert self._selector is not None
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise BrowserTimeout("did not answer in time")
        for key, _ in self._selector.select(remaining):
            chunk = _read_some(key.fd)
            if chunk is None:
                continue
            if key.fd == self._errors:
                if chunk:
                    self._stderr += chunk
                    del self._stderr[:-_TAIL_BYTES]
                else:
                    self._selector.unregister(self._errors)
            elif chunk:
                self._buffer += chunk
            else:
                self._exited()

    def _exited(self) -> None:
        """Chromium closed its end of the pipe: read the rest of its error output and its exit code."""
        self._drain(time.monotonic() + 5)
        self._wait_exit(5)
        raise BrowserError(
            f"exit code {self.returncode}" if self.returncode is not None else "it closed its pipe"
        )

    def _drain(self, deadline: float) -> None:
        """Read both pipes to their end (answers are dropped) or until ``deadline``."""
        if self._selector is None:
            return
        while self._selector.get_map() and (remaining := deadline - time.monotonic()) > 0:
            for key, _ in self._selector.select(remaining):
                chunk = _read_some(key.fd)
                if chunk is None:
                    continue
                if not chunk:
                    self._selector.unregister(key.fd)
                elif key.fd == self._errors:
                    self._stderr += chunk
                    del self._stderr[:-_TAIL_BYTES]


def _read_some(fd: int) -> bytes | None:
    """Up to 1 MiB from a non-blocking pipe; b'' at its end."""
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return None


def _remove(folder: str) -> None:
    """Remove Chromium's profile; once more after a moment if a dying helper still wrote to it."""
    shutil.rmtree(folder, ignore_errors=True)
    if os.path.exists(folder):
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)
