"""mkdocs hook (``hooks:`` in mkdocs.yml): the theme's compiled templates are kept between builds.

Compiling Material's templates is the largest single cost of a small site's
build (about 0.3 s of CPU, more than rendering all of its pages), and every
build and every rebuild under ``mkdocs serve`` starts from a new Jinja
environment. Jinja's bytecode cache keeps each compiled template in
``.cache/jinja-theme`` beside mkdocs.yml (``$TRIAL_CACHE_DIR/jinja-theme``
if set), under the template's name, and checks the template's source
before using it, so a changed template or a new Jinja is compiled afresh.
Nothing about the pages changes: the cache only saves the compiling.

Like serving.py, mkdocs loads this file by its path, so it imports nothing
from ``macros``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache


def on_env(env: Environment, config: Any, files: Any) -> Environment:
    root = os.environ.get("TRIAL_CACHE_DIR") or Path(config.config_file_path).parent / ".cache"
    folder = Path(root) / "jinja-theme"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only checkout builds as before, only slower
        return env
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
