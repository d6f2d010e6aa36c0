"""After the build: print the checklist page to PDF, or stop the build saying why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from macros.eligibility.checklist import CHECKLIST_PAGE
from macros.eligibility.pdf import PrintError, print_checklist


def write_checklist_pdfs(trial: Any, site_dir: Path, env: Any) -> None:
    """Write ``checklist-a4.pdf`` and ``checklist-letter.pdf`` beside the checklist page."""
    page = site_dir / File(CHECKLIST_PAGE, "", "", bool(env.conf["use_directory_urls"])).dest_uri
    try:
        print_checklist(page)
    except PrintError as exc:
        raise PluginError(str(exc)) from None
