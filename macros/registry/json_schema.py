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

import json
from functools import cache
from pathlib import Path
from typing import Any

from macros.trial.model import Trial
from macros.trial.text_cache import cached_text, code_key

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
    rendering every page: the key is the code of the trial package (the
    model and everything it uses) and of this file, with the versions of
    pydantic and Python (:mod:`macros.trial.text_cache`).
    """
    key = code_key(Path(__file__).read_bytes())
    return cached_text(
        "schema", key, lambda: json.dumps(trial_schema(), indent=2, ensure_ascii=False) + "\n"
    )
