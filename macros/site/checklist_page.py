"""The checklist page's macros: the form, the pre-screen, the enrolment status,
the PDF links and the page's <head>."""

from __future__ import annotations

import posixpath
from typing import Any

from markupsafe import Markup
from mkdocs.structure.files import File

from macros.eligibility import explain
from macros.eligibility.checklist import (
    CHECKLIST_PAGE,
    GROUPS,
    PDF_NAMES,
    fingerprint,
    form_rows,
    not_enrolling,
    prescreen_data,
    protocol_version,
    short_title,
    variable_uses,
)
from macros.eligibility.pdf import find_chromium
from macros.site.embed import css_string, script_json
from macros.site.render import render
from macros.trial.model import Trial


def checklist_dir(use_directory_urls: bool) -> str:
    """The checklist page's directory in the site, '' for the top level."""
    dest = File(CHECKLIST_PAGE, "", "", use_directory_urls).dest_uri
    return posixpath.dirname(dest)


class ChecklistMacros:
    """The checklist page's macros; each returns escaped HTML."""

    def __init__(self, trial: Trial, env: Any) -> None:
        self.trial = trial
        self.env = env
        self.fingerprint = fingerprint(trial)

    def _context(self) -> dict[str, Any]:
        return {
            "trial": self.trial,
            "short_title": short_title(self.trial),
            "protocol_version": protocol_version(self.trial),
            "fingerprint": self.fingerprint,
            "not_enrolling": not_enrolling(self.trial),
        }

    def checklist_form(self) -> Markup:
        """The blank paper form: header, both tables, determination and signatures."""
        groups = [(group, form_rows(self.trial, group)) for group in GROUPS]
        return render("checklist_form", groups=groups, **self._context())

    def prescreen(self) -> Markup:
        """Where the pre-screen appears, and how it reads each criterion.

        The script builds the inputs; without JavaScript the section stays hidden.
        """
        uses = variable_uses(self.trial)
        data = prescreen_data(self.trial)
        return render(
            "checklist_prescreen",
            readings=explain.criterion_readings(self.trial),
            plausible=explain.plausible_values(
                self.trial, {name: use.unit for name, use in uses.items()}
            ),
            uses_uln=explain.uses_uln(self.trial),
            dated=data["needs_enrollment_date"] or any(use.dated for use in uses.values()),
            **self._context(),
        )

    def enrolment_status(self) -> Markup:
        """A note above the pre-screen when the trial is not enrolling; nothing otherwise."""
        return render("checklist_status", **self._context())

    def checklist_downloads(self) -> Markup:
        """Links to the checklist page's PDFs, relative to the page being rendered.

        Raw HTML rather than Markdown links: the PDFs are written after the
        build, so mkdocs' link validation cannot see them.
        """
        page = self.env.page
        base = posixpath.dirname(page.url) if page is not None else ""
        folder = checklist_dir(bool(self.env.conf["use_directory_urls"]))
        links = {
            paper: posixpath.relpath(posixpath.join(folder, name), base or ".")
            for paper, name in PDF_NAMES.items()
        }
        # Without Chromium the build writes no PDFs: do not link to missing files.
        available = find_chromium() is not None
        return render("checklist_downloads", links=links, available=available, **self._context())

    def head(self) -> Markup:
        """For the page's <head>: running header and footer for print, the pre-screen data."""
        context = self._context()
        return Markup(
            render(
                "checklist_head",
                top_left=css_string(f"{self.trial.identification.nct_id} · Eligibility checklist"),
                top_right=css_string(context["protocol_version"]),
                bottom_left=css_string(f"Checklist version {self.fingerprint}"),
                data=script_json(prescreen_data(self.trial)),
            ).strip()
        )


def register(env: Any, trial: Trial) -> None:
    """Register the checklist macros and give the theme the checklist page's <head> extra."""
    macros = ChecklistMacros(trial, env)
    for name in ("checklist_form", "prescreen", "enrolment_status", "checklist_downloads"):
        env.macro(getattr(macros, name), name)
    # overrides/main.html adds this to the head of pages with `trial_checklist: true`.
    env.conf["extra"]["trial_checklist_head"] = macros.head()
