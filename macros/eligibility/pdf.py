"""Print the built checklist page to A4 and Letter PDFs with headless Chromium, or take them from the cache.

:mod:`macros.site.checklist_pdfs` calls it after mkdocs has written the pages.
Chromium prints the page as a browser would: the print style sheet, the
running header and footer (``@page`` margin boxes), selectable text.
Debian's ``chromium`` package is used as installed; nothing is downloaded.

Every PDF of a build (both papers, and the checklists of earlier protocol
versions) is printed in one browser launch (:mod:`macros.eligibility._devtools`),
and only if the cache has not got it: a PDF is kept under a SHA-256 of
everything that determines it (:func:`cache_key`), so that a build whose
checklist did not change starts no browser at all. The cache holds the PDF
as printed; the dates from ``SOURCE_DATE_EPOCH`` are set on the copy put in
the site, so one entry serves any epoch and the copy is byte for byte what a
fresh print gives.

Without Chromium the build still succeeds and says in one line that the PDFs
were skipped; with ``CI=true`` a missing Chromium fails the build instead, so
that CI always produces and tests the PDFs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from macros.eligibility._devtools import BrowserError, BrowserTimeout, Chromium
from macros.eligibility._pdf_cache import PdfCache
from macros.eligibility.checklist import CHECKLIST_PAGE, PDF_NAMES
from macros.trial.files import write_atomically
from macros.trial.paths import cache_dir

log = logging.getLogger("mkdocs.plugins.trial.pdf")

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Seconds one print may take; a hung browser must not hang the build.
TIMEOUT = 120
# Seconds `chromium --version` may take.
VERSION_TIMEOUT = 30
# The only difference between the print variants: the paper size. The page
# itself names no size, so a reader's own printer settings still apply.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
_SIZE_ID = "trial-checklist-paper"
_SIZE_CSS = "@page { size: %s; }"
_SIZE_STYLE = '<style id="' + _SIZE_ID + '">' + _SIZE_CSS + "</style>"

# The cache: $TRIAL_PDF_CACHE, or this folder of the project's .cache/ (which git ignores).
CACHE_ENV = "TRIAL_PDF_CACHE"
CACHE_NAME = "checklist-pdf"
# Part of every key: raise it when how a PDF is printed or stored changes.
CACHE_FORMAT = 1
_VERSIONS_FILE = "chromium-versions.json"


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


def cache_folder() -> Path | None:
    """Where printed PDFs are kept: ``$TRIAL_PDF_CACHE``, else the project's ``.cache/checklist-pdf``
    (see :func:`macros.trial.paths.cache_dir`); None when it cannot be created."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured)
    return cache_dir(CACHE_NAME)


@dataclass(frozen=True)
class Checklist:
    """A checklist to print: ``html`` in place of the built page's (None: the page as built),
    its PDFs written to ``out_dir`` (None: beside the page)."""

    html: str | None = None
    out_dir: Path | None = None


@dataclass(frozen=True)
class Printed:
    """What a call did: PDFs printed, and PDFs taken from the cache."""

    printed: int
    cached: int


@dataclass
class _Job:
    output: Path
    html: str  # the checklist's HTML with this paper's style
    key: str | None  # None: not to be cached
    checklist: int  # which of the call's checklists
    paper: str


def print_checklist(
    page: Path, html: str | None = None, out_dir: Path | None = None, cache: Path | None = None
) -> Printed | None:
    """Write ``checklist-a4.pdf`` and ``checklist-letter.pdf`` beside the built checklist ``page``.

    ``html`` prints another text in the page's place (an earlier version's
    checklist), so that its relative links resolve as the page's do;
    ``out_dir`` puts the PDFs elsewhere than beside the page; ``cache`` is
    the cache folder (None: no cache).
    """
    return print_checklists(page, [Checklist(html, out_dir)], cache)


def print_checklists(
    page: Path, checklists: Sequence[Checklist], cache: Path | None = None
) -> Printed | None:
    """Both papers of each checklist, from ``cache`` where it has them, the rest in one browser launch.

    None when nothing was printed by design (no checklist page, or no
    Chromium outside CI); PrintError when printing failed.
    """
    if not page.is_file():
        log.info("Checklist PDFs: no %s page in this site, nothing to print", CHECKLIST_PAGE)
        return None
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
        return None
    store = PdfCache(cache) if cache is not None else None
    with _terminate_raises():
        version = chromium_version(browser, store) if store is not None else ""
    built = page.read_text(encoding="utf-8")
    jobs = []
    for index, checklist in enumerate(checklists):
        html = built if checklist.html is None else checklist.html
        if "</head>" not in html:
            raise PrintError(f"Checklist PDFs: {page} has no </head>; cannot set the paper size")
        assets = linked_files_digest(page, html) if store is not None else None
        for paper, name in PDF_NAMES.items():
            text = html.replace("</head>", _SIZE_STYLE % PAGE_SIZES[paper] + "</head>", 1)
            key = cache_key(text, assets, paper, version) if assets is not None else None
            jobs.append(_Job((checklist.out_dir or page.parent) / name, text, key, index, paper))

    found: dict[str, bytes] = {}
    if store is not None:
        for job in jobs:
            if job.key is not None and job.key not in found and (data := store.get(job.key)):
                found[job.key] = data
    cached = sum(1 for job in jobs if job.key in found)
    results = _print(browser, page, [job for job in jobs if job.key not in found], store)
    for job in jobs:
        data = found[job.key] if job.key in found else results[id(job)]
        job.output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(job.output, _dated(data))
    if store is not None and results:
        store.prune()
    return Printed(printed=len(jobs) - cached, cached=cached)


def _print(browser: str, page: Path, jobs: list[_Job], store: PdfCache | None) -> dict[int, bytes]:
    """Print ``jobs`` in one Chromium; store each PDF that does not depend on where the site is.

    A checklist is loaded once: its other paper is printed from the loaded
    page with the paper's style put in place, which gives the bytes a load of
    that paper's HTML gives (the tests compare) at the cost of a print alone.
    """
    results: dict[int, bytes] = {}
    if not jobs:
        return results
    started = time.monotonic()
    by_key: dict[str, bytes] = {}
    loaded = None
    with _terminate_raises(), _browser(browser) as chromium:
        for job in jobs:
            if job.key is not None and job.key in by_key:
                results[id(job)] = by_key[job.key]
                continue
            if job.checklist == loaded:
                data = _restyled_pdf(chromium, job, TIMEOUT)
            else:
                data = _print_one(chromium, page, job)
                loaded = job.checklist
            data = _renumber_structure_ids(data)
            results[id(job)] = data
            if job.key is None or store is None:
                continue
            by_key[job.key] = data
            # A link printed as file:///... names the folder the site was built in.
            if b"file://" not in data:
                store.put(job.key, data)
    log.debug("Printed %d PDFs in one browser launch in %.1f s", len(jobs), time.monotonic() - started)
    return results


@contextlib.contextmanager
def _browser(browser: str) -> Iterator[Chromium]:
    try:
        with Chromium(browser) as chromium:
            yield chromium
    except OSError as exc:
        raise PrintError(f"Checklist PDFs: cannot run Chromium ({browser}): {exc}") from None


def _print_one(chromium: Chromium, page: Path, job: _Job, timeout: float = TIMEOUT) -> bytes:
    """Print one job's HTML from a sibling of ``page``, so that the page's relative links resolve."""
    handle, name = tempfile.mkstemp(prefix=".print-", suffix=".html", dir=page.parent)
    variant = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(job.html.encode("utf-8"))
        return _page_pdf(chromium, variant, job.output.name, timeout)
    finally:
        variant.unlink(missing_ok=True)


def _page_pdf(chromium: Chromium, html: Path, name: str, timeout: float) -> bytes:
    """The PDF of one local HTML file; PrintError naming ``name`` when Chromium fails."""
    return _checked(chromium, name, timeout, lambda: chromium.print_pdf(html.resolve().as_uri(), timeout))


def _restyled_pdf(chromium: Chromium, job: _Job, timeout: float) -> bytes:
    """The page Chromium printed last, printed again on ``job``'s paper."""
    css = _SIZE_CSS % PAGE_SIZES[job.paper]
    return _checked(
        chromium, job.output.name, timeout, lambda: chromium.restyle_and_print(_SIZE_ID, css, timeout)
    )


def _checked(chromium: Chromium, name: str, timeout: float, printing: Callable[[], bytes]) -> bytes:
    """What ``printing`` returns, checked to be a PDF; PrintError naming ``name`` when Chromium fails."""
    try:
        data = printing()
    except BrowserTimeout:
        raise PrintError(
            f"Checklist PDFs: Chromium ({chromium.browser}) did not finish printing {name} "
            f"within {timeout:.0f} s"
        ) from None
    except BrowserError as exc:
        raise PrintError(
            f"Checklist PDFs: Chromium ({chromium.browser}) failed to print {name} "
            f"({exc}):\n{chromium.error_tail()}"
        ) from None
    if not data.startswith(b"%PDF-"):
        raise PrintError(
            f"Checklist PDFs: Chromium ({chromium.browser}) failed to print {name} "
            f"(what it returned is not a PDF):\n{chromium.error_tail()}"
        )
    return data


def print_to_pdf(browser: str, html: Path, output: Path, timeout: float = TIMEOUT) -> None:
    """Print one local HTML file to ``output`` in a Chromium of its own; PrintError when it fails.

    Chromium runs in a process group of its own with a temporary profile; a
    timeout, an error or a SIGTERM to this process kills the whole group and
    removes the profile, so that no browser and no ``trial-chromium-*``
    folder outlives the build.
    """
    output.unlink(missing_ok=True)
    with _terminate_raises(), _browser(browser) as chromium:
        data = _page_pdf(chromium, html, output.name, timeout)
    write_atomically(output, data)


# --- the cache key ---------------------------------------------------------------------


def cache_key(html: str, linked_files: bytes, paper: str, version: str) -> str:
    """SHA-256 of what determines a PDF: the HTML printed (with its paper style), the files it
    links to (:func:`linked_files_digest`), the paper, Chromium's version and :data:`CACHE_FORMAT`."""
    digest = hashlib.sha256()
    for part in (
        b"trial-checklist-pdf", str(CACHE_FORMAT).encode(), version.encode("utf-8"),
        paper.encode("utf-8"), linked_files, html.encode("utf-8"),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class _LinkedFiles(HTMLParser):
    """The style sheets (``<link rel=stylesheet href>``) and scripts (``<script src>``) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").lower().split():
            reference = values.get("href")
        elif tag == "script":
            reference = values.get("src")
        else:
            return
        if reference and reference.strip():
            self.references.append(reference.strip())


def linked_files_digest(page: Path, html: str) -> bytes | None:
    """Each style sheet and script ``html`` links to, resolved as Chromium does from ``page``,
    with the SHA-256 of its bytes; None when one is not a local file (it cannot be keyed)."""
    parser = _LinkedFiles()
    parser.feed(html)
    parser.close()
    base = page.resolve().as_uri()
    out = []
    for reference in parser.references:
        url = urlsplit(urljoin(base, reference))
        if url.scheme != "file":
            return None
        try:
            digest = hashlib.sha256(Path(url2pathname(url.path)).read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        out.append(f"{reference}\0{digest}\n")
    return "".join(out).encode("utf-8")


def chromium_version(browser: str, store: PdfCache | None) -> str:
    """``chromium --version``, kept in the cache folder by the browser file's path, time and size."""
    try:
        stat = os.stat(browser)
    except OSError as exc:
        raise PrintError(f"Checklist PDFs: cannot run Chromium ({browser}): {exc}") from None
    identity = f"{os.path.realpath(browser)} {stat.st_mtime_ns} {stat.st_size}"
    known = _known_versions(store)
    if identity in known:
        return known[identity]
    try:
        result = _run([browser, "--version"], dict(os.environ), VERSION_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PrintError(
            f"Checklist PDFs: Chromium ({browser}) did not tell its version within {VERSION_TIMEOUT} s"
        ) from None
    except OSError as exc:
        raise PrintError(f"Checklist PDFs: cannot run Chromium ({browser}): {exc}") from None
    version = (result.stdout or "").strip()
    if result.returncode != 0 or not version:
        tail = "\n".join((result.stderr or "").strip().splitlines()[-5:])
        raise PrintError(
            f"Checklist PDFs: Chromium ({browser}) failed to tell its version "
            f"(exit code {result.returncode}):\n{tail}"
        )
    if store is not None:
        # The browsers seen lately; an upgrade adds one.
        known = dict(list(known.items())[-7:]) | {identity: version}
        with contextlib.suppress(OSError):
            store.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(
                store.folder / _VERSIONS_FILE,
                (json.dumps(known, indent=1, sort_keys=True) + "\n").encode("utf-8"),
            )
    return version


def _known_versions(store: PdfCache | None) -> dict[str, str]:
    if store is None:
        return {}
    try:
        known = json.loads((store.folder / _VERSIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(known, dict):
        return {}
    return {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str) and v}


def _run(command: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """Run a command in its own process group; on any exception kill the whole group."""
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, start_new_session=True,
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


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def fix_dates(pdf: Path) -> None:
    """Set the PDF's creation and modification dates from ``SOURCE_DATE_EPOCH`` (see :func:`_dated`)."""
    data = pdf.read_bytes()
    dated = _dated(data)
    if dated != data:
        write_atomically(pdf, dated)


def _dated(data: bytes) -> bytes:
    """The PDF with its creation and modification dates set from ``SOURCE_DATE_EPOCH``.

    Chromium stamps the time of printing; everything else in its PDF depends
    only on the page, so with a fixed date two builds give the same bytes.
    Each date is replaced by one of the same length, which keeps the
    cross-reference offsets valid. Without ``SOURCE_DATE_EPOCH`` the dates stay.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return data
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch))).encode()

    def replace(match: re.Match[bytes]) -> bytes:
        suffix = match.group(3)
        fixed = b"+00'00'"
        if len(suffix) != len(fixed):
            return match.group(0)
        return b"/" + match.group(1) + b" (D:" + stamp + fixed + b")"

    return _PDF_DATE.sub(replace, data)


_STRUCTURE_ID = re.compile(rb"\(node(\d{8})\)")


def fix_structure_ids(pdf: Path) -> None:
    """Number the tagged PDF's structure element ids in their order (see :func:`_renumber_structure_ids`)."""
    data = pdf.read_bytes()
    renumbered = _renumber_structure_ids(data)
    if renumbered != data:
        write_atomically(pdf, renumbered)


def _renumber_structure_ids(data: bytes) -> bytes:
    """The tagged PDF with its structure element ids numbered 1, 2, 3 ... in their order.

    Chromium names a structure element (a table header cell) after the DOM
    node's internal id, ``(node00000266)``, and that counter depends on what
    else the browser happened to create first, so two prints of one page may
    differ by it. Each id becomes its rank among the ids in the file: the same
    length (cross-reference offsets stay valid), the same order (the name
    tree stays sorted), and the same bytes on every print.
    """
    ranks = {
        number: b"%08d" % rank
        for rank, number in enumerate(sorted({int(m) for m in _STRUCTURE_ID.findall(data)}), 1)
    }
    if not ranks:
        return data
    return _STRUCTURE_ID.sub(lambda m: b"(node" + ranks[int(m.group(1))] + b")", data)
