"""The trial site's macros package.

mkdocs-macros calls :func:`define_env`; the command line lives in
``__main__``. Importing this package stays cheap (no mkdocs, no pydantic), so
``python -m macros simon ...`` starts fast.
"""

from __future__ import annotations

import sys
from typing import Any


def define_env(env: Any) -> None:
    """Load and validate the trial once, then register the page macros."""
    _forget_submodules()
    from .site import attach

    attach(env)


def on_post_build(env: Any) -> None:
    """Write the files the build adds beside the pages (exports, PDFs)."""
    from .site import post_build

    post_build(env)


def _forget_submodules() -> None:
    """Drop our submodules so the next import reads the files again.

    mkdocs-macros imports this package once per process, so without this
    ``mkdocs serve`` would rebuild with the code it started with when a file
    in macros/ changes.
    """
    for name in [n for n in sys.modules if n.startswith(f"{__name__}.")]:
        del sys.modules[name]
