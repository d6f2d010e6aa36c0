"""The downloads: the trial file and its exports, as the command line and the site give them.

``python -m macros export --format F`` and the site's ``downloads/`` folder
use the same functions, so a download is byte for byte what the command
prints. Every export depends on the trial only, so its size is known when the
Data page is rendered. The checklist PDFs are printed after the pages are
written (:mod:`macros.pdf`); their rows on the Data page are filled in by
:func:`write_downloads`, which :mod:`macros.site` runs as the last of the
``ARTIFACT_WRITERS``, after the PDF writer: it writes the downloads, then puts
each PDF's size (or "not built") between two HTML comments in the built page.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.structure.files import File

from macros.eligibility.checklist import CHECKLIST_PAGE, PDF_NAMES
from macros.registry.ctgov_export import to_record
from macros.registry.fhir import bundle_text
from macros.registry.json_schema import schema_text
from macros.registry.jsonld import jsonld_text
from macros.site.render import render
from macros.trial.model import Trial
from macros.trial.text_cache import cached_text, code_key

DOWNLOADS = "downloads"
PDF_ROWS = re.compile(
    r"(<!-- trial-downloads:pdfs -->)(.*?)(<!-- /trial-downloads:pdfs -->)", re.DOTALL
)


@dataclass(frozen=True)
class Format:
    name: str
    filename: str
    title: str
    text: Callable[[Trial], str]


def _ctgov_text(trial: Trial) -> str:
    return json.dumps(to_record(trial), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Format] = {
    "ctgov": Format("ctgov", "trial.ctgov.json", "ClinicalTrials.gov record (API v2)", _ctgov_text),
    "fhir": Format("fhir", "trial.fhir.json", "FHIR R5 Bundle", bundle_text),
    "jsonld": Format("jsonld", "trial.jsonld", "schema.org JSON-LD", jsonld_text),
    "schema": Format(
        "schema", "trial.schema.json", "JSON Schema of the trial file", lambda trial: schema_text()
    ),
}


@dataclass(frozen=True)
class Download:
    path: str  # relative to the site directory
    title: str
    data: bytes


def downloads(trial: Trial, trial_file: bytes) -> list[Download]:
    """The trial file as it was read (its bytes: ``trial_file``), then each export.

    An export depends only on the trial file's bytes and the code that reads
    and exports it, so each is kept in ``.cache/exports`` under a hash of
    those (:mod:`macros.trial.text_cache`): a rebuild of an unchanged trial,
    or a build of a large one with a kept cache, reads them back.
    """
    files = [Download(f"{DOWNLOADS}/trial.yaml", "Trial file (YAML)", trial_file)]
    key = code_key(trial_file, Path(__file__).read_bytes(), packages=("trial", "registry"))
    for fmt in FORMATS.values():
        text = cached_text("exports", f"{key}-{fmt.name}", lambda fmt=fmt: fmt.text(trial))
        files.append(Download(f"{DOWNLOADS}/{fmt.filename}", fmt.title, text.encode("utf-8")))
    return files


def checklist_pdfs(use_directory_urls: bool) -> list[tuple[str, str]]:
    """(site path, title) of each checklist PDF, beside the checklist page."""
    folder = posixpath.dirname(File(CHECKLIST_PAGE, "", "", use_directory_urls).dest_uri)
    titles = {"a4": "Eligibility checklist (A4)", "letter": "Eligibility checklist (US Letter)"}
    return [
        (posixpath.join(folder, name), titles.get(paper, name)) for paper, name in PDF_NAMES.items()
    ]


def file_size(size: int) -> str:
    """``532 bytes``, ``12.4 kB``, ``1.3 MB`` (powers of 1000)."""
    if size < 1000:
        return f"{size} byte{'s' if size != 1 else ''}"
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def _href(target: str, page: str) -> str:
    """The link from the built page ``page`` (``data/index.html``) to ``target``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def _pdf_rows(pdfs: list[tuple[str, str]], page: str, site_dir: Path | None) -> list[dict]:
    rows = []
    for path, title in pdfs:
        row: dict[str, Any] = {"name": posixpath.basename(path), "title": title}
        if site_dir is None:  # while the page renders: the PDFs come later
            row.update(href=_href(path, page), size=None)
        elif (site_dir / path).is_file():
            row.update(href=_href(path, page), size=file_size((site_dir / path).stat().st_size))
        else:
            row.update(href=None, size=None)
        rows.append(row)
    return rows


# --- the site ----------------------------------------------------------------


def register(env: Any, trial: Trial, trial_file: bytes) -> None:
    """Register the ``downloads()`` macro of the Data page.

    ``trial_file`` is the file's bytes as the build read them. The files are
    made once, here, and written by :func:`write_downloads`.
    """
    files = downloads(trial, trial_file)
    use_directory_urls = bool(env.conf["use_directory_urls"])

    def downloads_table() -> Markup:
        page = env.page.file.dest_uri
        rows = [
            {
                "href": _href(item.path, page),
                "name": posixpath.basename(item.path),
                "title": item.title,
                "size": file_size(len(item.data)),
            }
            for item in files
        ]
        pdfs = _pdf_rows(checklist_pdfs(use_directory_urls), page, None)
        return render("downloads", part="table", files=rows, pdfs=pdfs)

    env.macro(downloads_table, "downloads")
    env._trial_downloads = files  # written by write_downloads after the build


def write_downloads(trial: Trial, site_dir: Path, env: Any) -> None:
    """Post-build: write the downloads, then the PDFs' rows on the Data page.

    Runs last among the ``ARTIFACT_WRITERS``, so the PDFs, if any, exist.
    """
    for item in env._trial_downloads:
        target = site_dir / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data)
    pdfs = checklist_pdfs(bool(env.conf["use_directory_urls"]))
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if "<!-- trial-downloads:pdfs -->" not in html:
            continue
        uri = page.relative_to(site_dir).as_posix()
        rows = render("downloads", part="pdf_rows", files=[], pdfs=_pdf_rows(pdfs, uri, site_dir))
        page.write_text(_fill(html, str(rows).strip()), encoding="utf-8")


def _fill(html: str, rows: str) -> str:
    """Put ``rows`` between the two comments that mark the PDFs' rows."""
    return PDF_ROWS.sub(lambda match: f"{match.group(1)}\n{rows}\n{match.group(3)}", html)
