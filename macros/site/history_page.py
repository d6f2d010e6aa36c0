"""The protocol's versions on the site: the Changes page, the checklist lookup, the archive, the feed.

:func:`register` reads the history once per build (two git commands, see
:mod:`macros.history.git`) and registers the page macros; :func:`write_history`
runs after the pages are written and adds ``versions/`` (every version's
trial file and checklist PDFs, ``index.json``) and ``feed.xml``.

Earlier versions' checklists are printed from the built checklist page with
that version's form and print header in place of the current ones, by the
same printer as the current checklist, so they look the same and keep their
own words, version and fingerprint; :mod:`macros.site.checklist_pdfs` prints
them with the current checklist, in the same browser launch. The current
version's PDFs are copied from the checklist page rather than printed again.
"""

from __future__ import annotations

import json
import logging
import posixpath
import shutil
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.structure.files import File

from macros.eligibility.checklist import CHECKLIST_PAGE, PDF_NAMES
from macros.eligibility.pdf import Checklist, PrintError, find_chromium
from macros.history import archive
from macros.history.changes import entries
from macros.history.feed import anchor, feed
from macros.history.versions import History, Version, read_history
from macros.site.checklist_page import ChecklistMacros
from macros.site.embed import script_json
from macros.site.loading import validate_document
from macros.site.render import environment, render
from macros.trial.model import Trial
from macros.trial.paths import display_name

log = logging.getLogger("mkdocs.plugins.trial.history")

CHANGES_PAGE = "changes.md"
FEED = "feed.xml"


def _dest(page: str, use_directory_urls: bool) -> str:
    return File(page, "", "", use_directory_urls).dest_uri


def _url(page: str, use_directory_urls: bool) -> str:
    return File(page, "", "", use_directory_urls).url


class HistoryMacros:
    """The macros of the Changes page and the checklist page's lookup; each returns escaped HTML."""

    def __init__(self, history: History, env: Any) -> None:
        self.history = history
        self.env = env
        self.directory_urls = bool(env.conf["use_directory_urls"])

    def _href(self, target: str) -> str:
        """The link from the page being rendered to ``target`` (a path in the site)."""
        page = self.env.page
        base = posixpath.dirname(page.url) if page is not None else ""
        # relpath drops the slash that makes "changes/" a folder's page
        slash = "/" if target.endswith("/") else ""
        return posixpath.relpath(target, base or ".") + slash

    def _archive_links(self, version: Version) -> dict[str, str]:
        folder = archive.folder(version)
        links = {"trial": self._href(f"{folder}/{archive.TRIAL_FILE}")}
        if version.trial is not None:
            links |= {paper: self._href(f"{folder}/{name}") for paper, name in PDF_NAMES.items()}
        return links

    def protocol_changes(self) -> Markup:
        """Every version, newest first, with what changed from the version before."""
        return render(
            "changes",
            history=self.history,
            entries=entries(self.history),
            links={v.slug: self._archive_links(v) for v in self.history.versions},
            anchor=anchor,
            pdfs=find_chromium() is not None,
            feed_href=self._href(FEED),
            index_href=self._href(archive.INDEX),
        )

    def version_lookup(self) -> Markup:
        """"Which version is my paper checklist?": the form; versions.js answers from the page head."""
        return render(
            "version_lookup",
            history=self.history,
            changes_href=self._href(_url(CHANGES_PAGE, self.directory_urls)),
        )

    def head(self) -> Markup:
        """For the checklist page's <head>: the fingerprint lookup's data."""
        return Markup(render("versions_head", data=script_json(archive.index(self.history))).strip())


def register(env: Any, trial: Trial, path: Path, text: bytes) -> None:
    """Read the history, register the macros, and give the theme the lookup data and the feed link.

    ``text`` is the trial file's bytes as the build read them, the current version's.
    """
    history = read_history(
        path, trial, validate_document, display_name(path, Path(env.project_dir)), text
    )
    if not history.versioned:
        log.info("Protocol versions: the trial file states none; only the current record is known")
    elif history.unavailable:
        log.info("Protocol versions: only the current one is known: %s", history.unavailable)
    else:
        log.info("Protocol versions: %d known", len(history.versions))
    macros = HistoryMacros(history, env)
    for name in ("protocol_changes", "version_lookup"):
        env.macro(getattr(macros, name), name)
    # overrides/main.html puts this in the head of the checklist page.
    env.conf["extra"]["trial_versions_head"] = macros.head()
    env._trial_history = history  # read after the build; not a page variable


def write_history(trial: Trial, site_dir: Path, env: Any) -> None:
    """After the build: ``versions/`` (trial files, checklist PDFs, index.json) and ``feed.xml``."""
    history: History = env._trial_history
    for name, data in archive.trial_files(history):
        _write(site_dir / name, data)
    _write(
        site_dir / archive.INDEX,
        (json.dumps(archive.index(history), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        .encode("utf-8"),
    )
    _write(site_dir / FEED, feed_xml(history, env).encode("utf-8"))
    _write_checklists(history, site_dir, env)


def feed_xml(history: History, env: Any) -> str:
    """The Atom feed as text, from ``feed.xml.jinja``.

    Links are absolute when the site's URL is configured (``site_url``),
    otherwise relative to the feed, which sits at the top of the site.
    """
    base = env.conf.get("site_url") or ""
    changes = _url(CHANGES_PAGE, bool(env.conf["use_directory_urls"]))
    return environment().get_template("feed.xml.jinja").render(
        feed=feed(history), base=base, changes=changes, feed_name=FEED
    ).strip() + "\n"


def earlier_checklists(page: Path, site_dir: Path, env: Any) -> list[Checklist]:
    """Each earlier version's checklist, as the built ``page`` with that version's form and print
    header, for the archive's folder of that version; printed with the current one's
    (:mod:`macros.site.checklist_pdfs`)."""
    history: History | None = getattr(env, "_trial_history", None)
    if history is None or not page.is_file() or find_chromium() is None:
        return []
    earlier = [v for v in history.versions if not v.current and v.trial is not None]
    if not earlier:
        return []
    html = page.read_text(encoding="utf-8")
    return [
        Checklist(
            _as_version(html, history.current.trial, version.trial, env),
            site_dir / archive.folder(version),
        )
        for version in earlier
    ]


def _write_checklists(history: History, site_dir: Path, env: Any) -> None:
    """The current version's PDFs in its folder of the archive: copies of the checklist page's."""
    page = site_dir / _dest(CHECKLIST_PAGE, bool(env.conf["use_directory_urls"]))
    for version in history.versions:
        if version.current:
            out = site_dir / archive.folder(version)
            for name in PDF_NAMES.values():
                if (page.parent / name).is_file():
                    out.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(page.parent / name, out / name)


def _as_version(html: str, current: Trial | None, earlier: Trial, env: Any) -> str:
    """The built checklist page with an earlier version's form and print header in place."""
    now, then = ChecklistMacros(current, env), ChecklistMacros(earlier, env)
    for part in ("head", "checklist_form"):
        mine = str(getattr(now, part)()).strip()
        if html.count(mine) != 1:
            raise PrintError(
                f"Checklist PDFs of earlier versions: the built {CHECKLIST_PAGE} page does not "
                f"hold the current checklist's {part} exactly once"
            )
        html = html.replace(mine, str(getattr(then, part)()).strip())
    return html


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
