"""How the model's keys correspond to a ClinicalTrials.gov API v2 record.

The model uses the registry's own names in snake_case, so most of the mapping
is a rename that this module derives from the model itself:

* ``identificationModule`` <-> ``identification`` (modules lose ``Module``);
* ``startDateStruct`` <-> ``start_date`` (fields typed :class:`DateStruct`);
* ``nctId`` <-> ``nct_id`` and ``class`` <-> ``class_`` (the field's alias).

A field added to the model is therefore imported and exported with no change
here. The exceptions are explicit: the eligibility criteria, which the
registry keeps as one markdown text (:mod:`macros.ctgov_eligibility`), and the
fields whose text is markdown, where the registry escapes characters such as
``< > [ ] * ^ ~ &`` with a backslash: every CommonMark escape is removed on
import and the registry's are written back on export.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from macros.trial.model import DateStruct, Trial, inner_model

# The protocolSection modules, by their registry names, in the registry's order.
MODULES = (
    "identificationModule",
    "statusModule",
    "sponsorCollaboratorsModule",
    "oversightModule",
    "descriptionModule",
    "conditionsModule",
    "designModule",
    "armsInterventionsModule",
    "outcomesModule",
    "eligibilityModule",
    "contactsLocationsModule",
    "referencesModule",
    "ipdSharingStatementModule",
)

# Eligibility fields that are not registry fields: they come from, and go
# back into, the one ``eligibilityCriteria`` text.
CRITERIA_FIELDS = ("inclusion", "exclusion", "criteria_layout")

# Fields whose registry text is markdown (``sourceType: MARKUP`` in the
# registry's data dictionary, /api/v2/studies/metadata), as model paths with
# list positions left out. ``eligibility.eligibility_criteria`` is handled by
# :mod:`macros.ctgov_eligibility`.
MARKUP_FIELDS = frozenset(
    {
        ("status", "why_stopped"),
        ("description", "brief_summary"),
        ("description", "detailed_description"),
        ("design", "design_info", "intervention_model_description"),
        ("design", "design_info", "masking_info", "masking_description"),
        ("design", "bio_spec", "description"),
        ("arms_interventions", "arm_groups", "description"),
        ("arms_interventions", "interventions", "description"),
        ("outcomes", "primary_outcomes", "description"),
        ("outcomes", "secondary_outcomes", "description"),
        ("outcomes", "other_outcomes", "description"),
        ("eligibility", "gender_description"),
        ("eligibility", "study_population"),
        ("references", "see_also_links", "label"),
        ("references", "avail_ipds", "comment"),
        ("ipd_sharing_statement", "description"),
        ("ipd_sharing_statement", "time_frame"),
        ("ipd_sharing_statement", "access_criteria"),
    }
)


def camel(name: str) -> str:
    """``last_update_post_date`` -> ``lastUpdatePostDate``."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def module_name(field: str) -> str:
    """``sponsor_collaborators`` -> ``sponsorCollaboratorsModule``."""
    return camel(field) + "Module"


def module_fields() -> list[str]:
    """The Trial fields that are registry modules, in the registry's order."""
    names = {module_name(name): name for name in Trial.model_fields}
    return [names[module] for module in MODULES if module in names]


def extension_fields() -> list[str]:
    """Trial fields the registry has no place for (the site's own additions)."""
    modules = set(module_fields())
    return [name for name in Trial.model_fields if name not in modules and name != "has_results"]


def is_list(annotation: Any) -> bool:
    """Whether the annotation is a list (possibly inside Annotated or Optional)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Annotated, typing.Union, types.UnionType):
        return any(is_list(arg) for arg in typing.get_args(annotation))
    return False


def record_keys(model: type[BaseModel]) -> dict[str, str]:
    """Registry key -> model field name, for every field of ``model``."""
    keys = {}
    for name, field in model.model_fields.items():
        key = field.alias or camel(name)
        if inner_model(field.annotation) is DateStruct:
            key += "Struct"
        keys[key] = name
    return keys


def is_markup(path: tuple[str, ...]) -> bool:
    return path in MARKUP_FIELDS


# --- the registry's markdown escapes --------------------------------------

# CommonMark lets a backslash escape any ASCII punctuation character; the
# registry's texts use some of them (``\<``, ``\[``, ``\~`` ...), and a
# reader must never see the backslash.
_ASCII_PUNCTUATION = r"!-/:-@\[-`{-~"
_ESCAPED = re.compile(rf"\\([{_ASCII_PUNCTUATION}])")
# What the registry itself escapes, wherever it stands: ``< > [ ] ^ &`` and a
# lone ``*`` or ``~`` (``**`` and ``~~`` are emphasis and strike-through,
# which the registry's markdown may contain), and a backslash that would
# otherwise read as an escape.
_SPECIAL = re.compile(
    rf"([<>\[\]^&]|(?<!\*)\*(?!\*)|(?<!~)~(?!~)|\\(?=[{_ASCII_PUNCTUATION}]))"
)
_BULLET = re.compile(r"^(\s*\*)(?=\s)")


def unescape(text: str) -> str:
    r"""Remove every CommonMark backslash escape: ``\<`` -> ``<``, ``\~`` -> ``~``, ``\\`` -> ``\``."""
    return _ESCAPED.sub(r"\1", text)


def escape(text: str, *, bullets: bool = False) -> str:
    r"""Restore the registry's escapes: ``<`` -> ``\<``, ``~`` -> ``\~`` and so on.

    ``**`` stays as it is: it is markdown emphasis, not a character of the text.
    With ``bullets``, a ``*`` that starts a line as a list marker stays markup,
    as in the registry's own descriptions. ``unescape(escape(text)) == text``
    for any text.
    """
    if not bullets:
        return _SPECIAL.sub(r"\\\1", text)
    lines = []
    for line in text.split("\n"):
        marker = _BULLET.match(line)
        head = marker.group(1) if marker else ""
        lines.append(head + _SPECIAL.sub(r"\\\1", line[len(head):]))
    return "\n".join(lines)
