"""Where a site may be built, and the mark every built site carries.

A build empties or replaces its site folder, so it must be sure the folder is
its own: ``--site-dir .`` would otherwise replace the project (``.git``, the
trial file, the pages), ``--site-dir data`` the trial file, ``--site-dir ..``
the folder that holds the project. :func:`check_site_dir` refuses, before
anything is touched,

* the project folder, a folder that contains it or the trial file, and a
  folder inside one of the project's sources (``docs/``, ``data/``,
  ``macros/``, ``overrides/``, ``.git``);
* something that is not a folder;
* a folder that is not empty and has no :data:`MARKER`, the file every build
  writes into the site (:func:`mark_site`): a folder without it was not made
  by a build, so it may hold anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from macros.trial.characters import visible
from macros.trial.paths import display_name

MARKER = ".trial-site"
MARKER_TEXT = (
    "This folder is a trial site built from the project's trial file.\n"
    "The next build replaces everything in it; keep nothing else here.\n"
)
SOURCE_FOLDERS = ("docs", "data", "macros", "overrides", ".git")


class SiteDirError(Exception):
    """The site folder must not be built into; the text says why in one line."""


def check_site_dir(
    site: Path, project: Path, *, trial_file: Path | None = None, sources: Iterable[Path] = ()
) -> None:
    """Raise :class:`SiteDirError` unless a build may replace ``site``.

    ``sources`` are more folders a site must stay out of (mkdocs' ``docs_dir``).
    """
    site, project = site.resolve(), project.resolve()
    shown = visible(display_name(site, Path.cwd()))
    if project.is_relative_to(site):
        where = "is the project folder" if site == project else "contains the project"
        raise SiteDirError(
            f"cannot build the site into {shown}: it {where}, which a build would replace; "
            "give a folder of its own, such as site/"
        )
    folders = [project / name for name in SOURCE_FOLDERS] + [Path(p) for p in sources]
    for folder in folders:
        if site.is_relative_to(folder.resolve()):
            where = "is" if site == folder.resolve() else "lies inside"
            raise SiteDirError(
                f"cannot build the site into {shown}: it {where} the project's source folder "
                f"{visible(_relative(folder, project))}/; "
                "give a folder of its own, such as site/"
            )
    if trial_file is not None and trial_file.resolve().is_relative_to(site):
        raise SiteDirError(
            f"cannot build the site into {shown}: it contains the trial file "
            f"{visible(display_name(trial_file, Path.cwd()))}; give a folder of its own, such as site/"
        )
    if not site.exists():
        return
    if not site.is_dir():
        raise SiteDirError(f"cannot build the site into {shown}: it is a file, not a folder")
    if is_built_site(site) or not any(site.iterdir()):
        return
    raise SiteDirError(
        f"cannot build the site into {shown}: the folder is not empty and was not made by a "
        f"build (it has no {MARKER} file); empty it, remove it, or give another folder"
    )


def _relative(folder: Path, project: Path) -> str:
    """``docs`` for a folder of the project, named as the project names it (links unresolved)."""
    absolute = folder if folder.is_absolute() else project / folder
    try:
        return absolute.relative_to(project).as_posix()
    except ValueError:
        return str(folder)


def is_built_site(folder: Path) -> bool:
    """Whether ``folder`` carries the mark of a build."""
    return (folder / MARKER).is_file()


def mark_site(folder: Path) -> None:
    """Write the mark of a build into a site folder."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
