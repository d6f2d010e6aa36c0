"""Glue between mkdocs-macros and the pure core: load once, register thin macros.

Bad data stops the build here, before any page renders, as one
``PluginError`` that lists every problem with its line.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.exceptions import PluginError

from macros.design.enrollment import inflated_enrollment
from macros.registry.jsonld import medical_study
from macros.site.checklist_page import register as register_checklist
from macros.site.checklist_pdfs import write_checklist_pdfs
from macros.site.design_page import register as register_design_page
from macros.site.downloads import register as register_downloads
from macros.site.downloads import write_downloads
from macros.site.history_page import register as register_history
from macros.site.history_page import write_history
from macros.site.loading import load
from macros.site.render import render
from macros.site.results_page import register as register_results_page
from macros.site.search_terms import write_search_terms
from macros.site.site_dir import SiteDirError, check_site_dir, mark_site
from macros.trial.errors import TrialDataError
from macros.trial.model import Trial
from macros.trial.paths import display_name, trial_path

log = logging.getLogger("mkdocs.plugins.trial")

REGISTRY_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"

# One line for a build without a site address (a local build, as a rule).
SITE_URL_HINT = (
    "SITE_URL is not set: fine for a local build. Set it to the published address "
    "(https://owner.github.io/repository/) so that 404.html works in that folder "
    "and sitemap.xml lists the pages."
)


# Functions called after mkdocs has written the pages, each as
# ``writer(trial, site_dir: Path, env) -> None``; they add files such as
# downloads and PDFs next to the pages.
# write_history follows the checklist PDFs: it copies the current ones into
# the archive of versions. write_downloads stays last: it fills in, on the
# Data page, the sizes of the files the writers before it produced (the
# checklist PDFs).
ARTIFACT_WRITERS: list[Any] = [write_search_terms, write_checklist_pdfs, write_history, write_downloads]


def attach(env: Any) -> Trial:
    project = Path(env.project_dir)
    path = trial_path(project)
    # mkdocs empties the site folder after this hook: refuse one that is not
    # a site's (mkdocs build --site-dir data would delete the trial file).
    try:
        check_site_dir(
            Path(env.conf["site_dir"]), project, trial_file=path, sources=[env.conf["docs_dir"]]
        )
    except SiteDirError as exc:
        raise PluginError(str(exc)) from None
    try:
        loaded = load(path, display_name(path, project))  # the one read of the file
    except TrialDataError as exc:
        raise PluginError(str(exc)) from None
    trial = loaded.trial
    log.info("Trial data: %s (%s)", display_name(path, project), trial.identification.nct_id)
    if not env.conf.get("site_url"):
        log.info(SITE_URL_HINT)
    Macros(trial).register(env)
    register_checklist(env, trial)
    register_downloads(env, trial, loaded.data)
    register_history(env, trial, path, loaded.data)
    env._trial_model = trial  # read by post_build; not a page variable
    # Theme templates (overrides/) read these pre-escaped fragments.
    base = _base(trial)
    env.conf["extra"]["trial_identity"] = render("identity", **base)
    env.conf["extra"]["trial_jsonld"] = render("jsonld", data=medical_study(trial))
    env.conf["extra"]["trial_footer"] = render("footer", **base)
    # The theme prints site_name unescaped; the NCT id is validated to be
    # 'NCT' and eight digits, so it is safe there.
    env.conf["site_name"] = trial.identification.nct_id
    return trial


def post_build(env: Any) -> None:
    trial = env._trial_model
    site_dir = Path(env.conf["site_dir"])
    mark_site(site_dir)
    for writer in ARTIFACT_WRITERS:
        writer(trial, site_dir, env)


def _base(trial: Trial) -> dict[str, Any]:
    return {
        "trial": trial,
        "registry_url": REGISTRY_STUDY_URL.format(nct_id=trial.identification.nct_id),
    }


class Macros:
    """Every macro a page may call; each returns escaped HTML."""

    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.base = _base(trial)

    def register(self, env: Any) -> None:
        for name in (
            "trial_glance",
            "brief_summary",
            "detailed_description",
            "design_info",
            "stated_plan",
            "arms_table",
            "interventions",
            "outcomes",
            "eligibility_summary",
            "criteria",
            "sites_table",
            "sponsors_table",
            "identifiers_table",
        ):
            env.macro(getattr(self, name), name)
        register_design_page(env, self.trial)
        register_results_page(env, self.trial, self.base["registry_url"])

    def trial_glance(self) -> Markup:
        return render("overview", **self.base)

    def brief_summary(self) -> Markup:
        text = self.trial.description.brief_summary
        return render("text", text=text, missing="The record does not state a brief summary.")

    def detailed_description(self) -> Markup:
        text = self.trial.description.detailed_description
        return render("text", text=text, missing="No detailed description is registered.")

    def design_info(self) -> Markup:
        return render("design_info", **self.base)

    def stated_plan(self) -> Markup:
        plan = self.trial.statistical_plan
        enrollment = self.trial.design.enrollment_info
        inflated = inflated_enrollment(plan.n, plan.dropout_rate) if plan else None
        return render(
            "stated_plan",
            plan=plan,
            inflated=inflated,
            enrollment=enrollment.count if enrollment else None,
        )

    def arms_table(self) -> Markup:
        return render("arms", **self.base)

    def interventions(self) -> Markup:
        return render("interventions", **self.base)

    def outcomes(self, kind: str) -> Markup:
        groups = {
            "primary": self.trial.outcomes.primary_outcomes,
            "secondary": self.trial.outcomes.secondary_outcomes,
            "other": self.trial.outcomes.other_outcomes,
        }
        if kind not in groups:
            raise PluginError(f"outcomes(): kind must be one of {', '.join(groups)}, not {kind!r}")
        return render("outcomes", outcomes=groups[kind], kind=kind)

    def eligibility_summary(self) -> Markup:
        return render("eligibility_summary", **self.base)

    def criteria(self, kind: str) -> Markup:
        if kind not in ("inclusion", "exclusion"):
            raise PluginError(f"criteria(): kind must be 'inclusion' or 'exclusion', not {kind!r}")
        eligibility = self.trial.eligibility
        layout = eligibility.criteria_layout
        # the registry's closing note follows the last list, as in its text
        note = layout.note if layout and kind == "exclusion" else None
        # A record without an eligibility text states no criteria at all.
        stated = bool(eligibility.inclusion or eligibility.exclusion or layout)
        return render(
            "criteria", criteria=getattr(eligibility, kind), kind=kind, note=note, stated=stated
        )

    def sites_table(self) -> Markup:
        return render("sites", **self.base)

    def sponsors_table(self) -> Markup:
        return render("sponsors", **self.base)

    def identifiers_table(self) -> Markup:
        return render("identifiers", **self.base)
