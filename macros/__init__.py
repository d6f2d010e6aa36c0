"""The trial site's macros package.

mkdocs-macros calls :func:`define_env`; the command line lives in
``__main__``. Importing this package stays cheap (no mkdocs, no pydantic), so
``python -m macros simon ...`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent
_loaded_stamp: float | None = None


def define_env(env: Any) -> None:
    """Load and validate the trial once, then register the page macros."""
    _forget_submodules()
    from macros.site.glue import attach

    attach(env)


def on_post_build(env: Any) -> None:
    """Write the files the build adds beside the pages (exports, PDFs)."""
    from macros.site.glue import post_build

    post_build(env)


def _forget_submodules() -> None:
    """Drop our submodules when a file in macros/ changed since they were loaded.

    mkdocs-macros imports this package once per process, so without this
    ``mkdocs serve`` would keep rebuilding with the code it started with.
    Unchanged code is kept: re-importing it would rebuild the model classes
    and recompile the templates on every rebuild.
    """
    global _loaded_stamp
    stamp = max(p.stat().st_mtime for p in _PACKAGE.rglob("*.py"))
    if _loaded_stamp is not None and stamp != _loaded_stamp:
        for name in [n for n in sys.modules if n.startswith(f"{__name__}.")]:
            del sys.modules[name]
    _loaded_stamp = stamp
