"""After the build: print the checklist page to PDF, or stop the build saying why.

The current checklist and those of earlier protocol versions
(:func:`macros.site.history_page.earlier_checklists`) are printed together:
one browser launch for all of them, none when the cache has them all.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from macros.eligibility.checklist import CHECKLIST_PAGE, PDF_NAMES
from macros.eligibility.pdf import Checklist, PrintError, cache_folder, find_chromium, print_checklists
from macros.site.history_page import earlier_checklists

log = logging.getLogger("mkdocs.plugins.trial.pdf")


def write_checklist_pdfs(trial: Any, site_dir: Path, env: Any) -> None:
    """Write ``checklist-a4.pdf`` and ``checklist-letter.pdf`` beside the checklist page,
    and each earlier version's into its folder of the archive."""
    page = site_dir / File(CHECKLIST_PAGE, "", "", bool(env.conf["use_directory_urls"])).dest_uri
    try:
        earlier = earlier_checklists(page, site_dir, env)
        # No cache folder is made for a build that prints nothing.
        cache = cache_folder() if find_chromium() is not None else None
        done = print_checklists(page, [Checklist(), *earlier], cache)
    except PrintError as exc:
        raise PluginError(str(exc)) from None
    if done is None:
        return
    versions = (
        f" and those of {len(earlier)} earlier version{'' if len(earlier) == 1 else 's'}"
        if earlier else ""
    )
    log.info(
        "Checklist PDFs: %s%s (%s)",
        ", ".join(PDF_NAMES.values()), versions, _how(done.printed, done.cached),
    )


def _how(printed: int, cached: int) -> str:
    if not printed:
        return f"all {cached} from the cache"
    launch = f"{printed} printed in one browser launch"
    return f"{launch}, {cached} from the cache" if cached else launch
