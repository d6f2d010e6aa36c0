"""The JSON Schema of the trial file, generated from the model.

Editors that read ``# yaml-language-server: $schema=...`` (VS Code's YAML
extension, Neovim and Helix through yaml-language-server, JetBrains IDEs)
complete and check keys with it while people type. The model stays the
authority: the schema states keys, types, choices and patterns, while checks
that span fields (dates in order, arm labels that exist) remain the
validator's.

``schema/trial.schema.json`` is this output, committed so that editors find
it in a fresh clone; a test keeps it equal to the model. Regenerate it with
``python -m macros export --format schema -o schema/trial.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from macros.trial import model
from macros.trial.model import Trial
from macros.trial.paths import cache_dir

SCHEMA_FILE = "schema/trial.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def trial_schema() -> dict[str, Any]:
    generated = Trial.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": DIALECT,
        **generated,
        "title": "Trial file",
        "description": (
            "One clinical trial: the ClinicalTrials.gov API v2 protocolSection modules in "
            "snake_case, plus the site's own additions (statistical_plan, protocol, "
            "criteria rules). Generated from macros/model.py; do not edit by hand."
        ),
    }


@cache
def schema_text() -> str:
    """The schema as JSON text, kept in ``.cache/schema`` between builds.

    It depends only on the model's code, and generating it costs more than
    rendering every page; the cache key is the code of the trial package
    (where the model and everything it uses live), this file and the
    versions of pydantic and Python, so any change to the model makes a
    new one. An entry starts with the SHA-256 of the text after it: a
    damaged or partly written entry is generated again, never served.
    """
    folder = cache_dir("schema")
    entry = folder / f"{_model_key()}.json" if folder else None
    if entry is not None:
        cached = _read_entry(entry)
        if cached is not None:
            return cached
    text = json.dumps(trial_schema(), indent=2, ensure_ascii=False) + "\n"
    if entry is not None:
        _write_atomically(entry, hashlib.sha256(text.encode()).hexdigest() + "\n" + text)
    return text


def _read_entry(entry: Path) -> str | None:
    try:
        digest, _, text = entry.read_bytes().decode("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return text if hashlib.sha256(text.encode()).hexdigest() == digest else None


def _model_key() -> str:
    digest = hashlib.sha256()
    digest.update(f"{pydantic.VERSION} {sys.version}".encode())
    sources = [*sorted(Path(model.__file__).parent.glob("*.py")), Path(__file__)]
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def _write_atomically(target: Path, text: str) -> None:
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    except OSError:  # a cache that cannot be written is only slower
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
