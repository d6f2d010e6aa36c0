"""A trial -> a ClinicalTrials.gov API v2 record: its protocolSection, and its
resultsSection when the trial holds posted results (:mod:`macros.registry.ctgov_results`).

The inverse of :mod:`macros.ctgov_import`: keys go back to the registry's
names, markdown fields get the registry's backslash escapes again, and the
criteria are joined into one eligibility text. Empty lists and unset fields
are left out, as the registry leaves them out. Keys come in the model's
order, which is the registry's.

The site's own additions (the statistical plan, the protocol version, the
criteria's computable rules) have no place in a registry record and are not
written; :func:`not_exported` names the ones a trial has.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from macros.registry.ctgov_eligibility import join
from macros.registry.ctgov_mapping import (
    CRITERIA_FIELDS,
    escape,
    extension_fields,
    is_markup,
    module_fields,
    module_name,
    record_keys,
)
from macros.registry.ctgov_results import SECTION as RESULTS_SECTION
from macros.registry.ctgov_results import export_results
from macros.trial.model import Trial


def to_record(trial: Trial) -> dict[str, Any]:
    section: dict[str, Any] = {}
    for name in module_fields():
        module = getattr(trial, name)
        if module is None:
            continue
        data = _object(module, (name,))
        if name == "eligibility":
            data = _with_criteria_text(module, data)
        if data:
            section[module_name(name)] = data
    record: dict[str, Any] = {"protocolSection": section}
    if trial.results is not None:
        record[RESULTS_SECTION] = export_results(trial.results)
    record["hasResults"] = trial.has_results
    return record


def _object(obj: BaseModel, where: tuple[str, ...]) -> dict[str, Any]:
    keys = {name: key for key, name in record_keys(type(obj)).items()}
    out: dict[str, Any] = {}
    for name in type(obj).model_fields:
        if where == ("eligibility",) and name in CRITERIA_FIELDS:
            continue
        value = _value(getattr(obj, name), (*where, name))
        if value is None or value == [] or value == {}:
            continue
        out[keys[name]] = value
    return out


def _value(value: Any, where: tuple[str, ...]) -> Any:
    if isinstance(value, BaseModel):
        return _object(value, where)
    if isinstance(value, list):
        return [_value(item, where) for item in value]
    if isinstance(value, str) and is_markup(where):
        return escape(value, bullets=True)
    return value


def _with_criteria_text(eligibility: Any, data: dict[str, Any]) -> dict[str, Any]:
    layout = eligibility.criteria_layout
    if not (eligibility.inclusion or eligibility.exclusion or layout):
        return data
    text = join(eligibility.inclusion, eligibility.exclusion, layout)
    return {"eligibilityCriteria": text, **data}


def not_exported(trial: Trial) -> list[str]:
    """The site's additions in this trial that a registry record cannot hold."""
    # The posted results go to the record's resultsSection.
    names = [
        name for name in extension_fields() if name != "results" and getattr(trial, name, None) is not None
    ]
    if any(getattr(c, "rule", None) is not None for c in trial.criteria):
        names.append("eligibility rules")
    return names
