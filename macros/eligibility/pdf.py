"""Print the built checklist page to A4 and Letter PDFs with headless Chromium.

:mod:`macros.site.checklist_pdfs` calls it after mkdocs has written the pages.
Chromium prints the page as a browser would: the print style sheet, the
running header and footer (``@page`` margin boxes), selectable text.
Debian's ``chromium`` package is used as installed; nothing is downloaded.

Without Chromium the build still succeeds and says in one line that the PDFs
were skipped; with ``CI=true`` a missing Chromium fails the build instead, so
that CI always produces and tests the PDFs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from macros.eligibility.checklist import CHECKLIST_PAGE, PDF_NAMES

log = logging.getLogger("mkdocs.plugins.trial.pdf")

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Seconds one print may take; a hung browser must not hang the build.
TIMEOUT = 120
# The only difference between the print variants: the paper size. The page
# itself names no size, so a reader's own printer settings still apply.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
_SIZE_STYLE = '<style id="trial-checklist-paper">@page { size: %s; }</style>'
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """The Chromium to use: ``$TRIAL_CHROMIUM``, ``chromium`` on PATH, or /usr/bin/chromium."""
    configured = os.environ.get("TRIAL_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or (
        DEFAULT_CHROMIUM if Path(DEFAULT_CHROMIUM).is_file() else None
    )


class PrintError(Exception):
    """The checklist could not be printed; the message says why, in one paragraph."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def print_checklist(page: Path, html: str | None = None, out_dir: Path | None = None) -> None:
    """Write ``checklist-a4.pdf`` and ``checklist-letter.pdf`` beside the built checklist ``page``.

    ``html`` prints another text in the page's place (an earlier version's
    checklist), so that its relative links resolve as the page's do;
    ``out_dir`` puts the PDFs elsewhere than beside the page.
    """
    if not page.is_file():
        log.info("Checklist PDFs: no %s page in this site, nothing to print", CHECKLIST_PAGE)
        return
    browser = find_chromium()
    if browser is None:
        if in_ci():
            raise PrintError(
                "Checklist PDFs: Chromium was not found and CI=true requires the PDFs. "
                "Install Debian's chromium (apt-get install chromium) or set TRIAL_CHROMIUM "
                "to its path."
            )
        log.info(
            "Checklist PDFs skipped: Chromium not found; install Debian's chromium "
            "(apt-get install chromium) to produce %s",
            " and ".join(PDF_NAMES.values()),
        )
        return
    if html is None:
        html = page.read_text(encoding="utf-8")
    if "</head>" not in html:
        raise PrintError(f"Checklist PDFs: {page} has no </head>; cannot set the paper size")
    for paper, name in PDF_NAMES.items():
        # A sibling file, so that the page's relative links (style sheets) resolve.
        variant = page.with_name(f".print-{paper}.html")
        variant.write_text(
            html.replace("</head>", _SIZE_STYLE % PAGE_SIZES[paper] + "</head>", 1),
            encoding="utf-8",
        )
        try:
            output = (out_dir or page.parent) / name
            print_to_pdf(browser, variant, output)
            fix_dates(output)
            fix_structure_ids(output)
        finally:
            variant.unlink(missing_ok=True)
    if out_dir is None:
        log.info("Checklist PDFs: %s", ", ".join(PDF_NAMES.values()))


def print_to_pdf(browser: str, html: Path, output: Path, timeout: float = TIMEOUT) -> None:
    """Print one local HTML file to ``output``; PrintError when Chromium fails.

    Chromium runs in a process group of its own with a temporary profile; a
    timeout, an error or a SIGTERM to this process kills the whole group and
    removes the profile, so that no browser and no ``trial-chromium-*``
    folder outlives the build.
    """
    output.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="trial-chromium-")
    try:
        command = [
            browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={output}",
            html.resolve().as_uri(),
        ]
        # UTC so that the dates Chromium writes have a fixed length (see fix_dates).
        env = dict(os.environ, TZ="UTC")
        started = time.monotonic()
        try:
            with _terminate_raises():
                result = _run(command, env, timeout)
        except subprocess.TimeoutExpired:
            raise PrintError(
                f"Checklist PDFs: Chromium ({browser}) did not finish printing {output.name} "
                f"within {timeout:.0f} s"
            ) from None
        except OSError as exc:
            raise PrintError(f"Checklist PDFs: cannot run Chromium ({browser}): {exc}") from None
    finally:
        _remove(profile)
    if result.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        tail = "\n".join((result.stderr or "").strip().splitlines()[-5:])
        raise PrintError(
            f"Checklist PDFs: Chromium ({browser}) failed to print {output.name} "
            f"(exit code {result.returncode}):\n{tail}"
        )
    log.debug("Printed %s in %.1f s", output.name, time.monotonic() - started)


def _run(command: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """Run Chromium in its own process group; on any exception kill the whole group."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


class _Terminated(PrintError):
    """SIGTERM arrived while Chromium was printing."""


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    """While printing, SIGTERM raises (so that Chromium is stopped and its profile removed).

    Only the main thread can handle signals; elsewhere (a server's build
    thread) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated("Checklist PDFs: printing stopped by SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove(folder: str) -> None:
    """Remove Chromium's profile; once more after a moment if a dying helper still wrote to it."""
    shutil.rmtree(folder, ignore_errors=True)
    if os.path.exists(folder):
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def fix_dates(pdf: Path) -> None:
    """Set the PDF's creation and modification dates from ``SOURCE_DATE_EPOCH``.

    Chromium stamps the time of printing; everything else in its PDF depends
    only on the page, so with a fixed date two builds give the same bytes.
    Each date is replaced by one of the same length, which keeps the
    cross-reference offsets valid. Without ``SOURCE_DATE_EPOCH`` the dates stay.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch))).encode()
    data = pdf.read_bytes()

    def replace(match: re.Match[bytes]) -> bytes:
        suffix = match.group(3)
        fixed = b"+00'00'"
        if len(suffix) != len(fixed):
            return match.group(0)
        return b"/" + match.group(1) + b" (D:" + stamp + fixed + b")"

    pdf.write_bytes(_PDF_DATE.sub(replace, data))


_STRUCTURE_ID = re.compile(rb"\(node(\d{8})\)")


def fix_structure_ids(pdf: Path) -> None:
    """Number the tagged PDF's structure element ids 1, 2, 3 ... in their order.

    Chromium names a structure element (a table header cell) after the DOM
    node's internal id, ``(node00000266)``, and that counter depends on what
    else the browser happened to create first, so two prints of one page may
    differ by it. Each id becomes its rank among the ids in the file: the same
    length (cross-reference offsets stay valid), the same order (the name
    tree stays sorted), and the same bytes on every print.
    """
    data = pdf.read_bytes()
    ranks = {
        number: b"%08d" % rank
        for rank, number in enumerate(sorted({int(m) for m in _STRUCTURE_ID.findall(data)}), 1)
    }
    if ranks:
        pdf.write_bytes(
            _STRUCTURE_ID.sub(lambda m: b"(node" + ranks[int(m.group(1))] + b")", data)
        )
