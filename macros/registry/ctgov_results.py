"""A record's resultsSection <-> the trial file's ``results``.

The model (:mod:`macros.trial.results_model`) uses the registry's names in
snake_case, so the mapping is the same rename as for the protocolSection
(:func:`~macros.registry.ctgov_mapping.record_keys`), with three exceptions
made explicit here:

* modules lose ``Module`` (``participantFlowModule`` <-> ``participant_flow``),
  and ``outcomeMeasuresModule``, which holds only the list
  ``outcomeMeasures``, becomes that list (``outcome_measures``);
* counts the registry writes as text (``numSubjects: "54"``, a denominator's
  ``value``) are whole numbers in the file and text again in the record;
* fields whose registry text is markdown (``sourceType: MARKUP`` in the
  registry's data dictionary) lose the registry's backslash escapes on import
  and get them back on export, as in the protocolSection.

Importing a record and exporting the trial gives back its resultsSection
exactly; :func:`changed_paths` names any text for which it would not.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from macros.registry.ctgov_mapping import escape, is_list, record_keys, unescape
from macros.trial.model import inner_model
from macros.trial.results_model import (
    AdverseEvent,
    AdverseEvents,
    BaselineCharacteristics,
    BaselineMeasure,
    CertainAgreement,
    DenomCount,
    DropWithdraw,
    EventGroup,
    FlowGroup,
    FlowMilestone,
    FlowStats,
    LimitationsAndCaveats,
    MeasureAnalysis,
    MeasureGroup,
    Measurement,
    MoreInfo,
    OutcomeMeasure,
    ParticipantFlow,
    Results,
)

SECTION = "resultsSection"

# resultsSection module -> (field of Results, model of the module), in the registry's order.
MODULES: dict[str, tuple[str, type[BaseModel]]] = {
    "participantFlowModule": ("participant_flow", ParticipantFlow),
    "baselineCharacteristicsModule": ("baseline_characteristics", BaselineCharacteristics),
    "outcomeMeasuresModule": ("outcome_measures", OutcomeMeasure),
    "adverseEventsModule": ("adverse_events", AdverseEvents),
    "moreInfoModule": ("more_info", MoreInfo),
}
# The one field of outcomeMeasuresModule, which the file holds directly.
OUTCOME_LIST = "outcomeMeasures"

# Fields whose registry text is markdown, by model and field name.
MARKUP_FIELDS: frozenset[tuple[type[BaseModel], str]] = frozenset(
    {
        (ParticipantFlow, "pre_assignment_details"),
        (ParticipantFlow, "recruitment_details"),
        (FlowGroup, "description"),
        (FlowMilestone, "comment"),
        (DropWithdraw, "comment"),
        (FlowStats, "comment"),
        (BaselineCharacteristics, "population_description"),
        (MeasureGroup, "description"),
        (BaselineMeasure, "description"),
        (BaselineMeasure, "population_description"),
        (Measurement, "comment"),
        (OutcomeMeasure, "description"),
        (OutcomeMeasure, "population_description"),
        (MeasureAnalysis, "statistical_comment"),
        (MeasureAnalysis, "p_value_comment"),
        (MeasureAnalysis, "ci_lower_limit_comment"),
        (MeasureAnalysis, "ci_upper_limit_comment"),
        (MeasureAnalysis, "estimate_comment"),
        (MeasureAnalysis, "non_inferiority_comment"),
        (MeasureAnalysis, "other_analysis_description"),
        (MeasureAnalysis, "group_description"),
        (AdverseEvents, "description"),
        (AdverseEvents, "all_cause_mortality_comment"),
        (EventGroup, "description"),
        (AdverseEvent, "notes"),
        (LimitationsAndCaveats, "description"),
        (CertainAgreement, "other_details"),
    }
)

# Counts that the registry writes as text and the file as whole numbers.
COUNT_TEXT_FIELDS: frozenset[tuple[type[BaseModel], str]] = frozenset(
    {(FlowStats, "num_subjects"), (FlowStats, "num_units"), (DenomCount, "value")}
)


# --- import ------------------------------------------------------------------------


def import_results(section: Any, unmapped: list[str]) -> Any:
    """The file's ``results`` from a record's resultsSection.

    Keys the model has no place for are added to ``unmapped`` as record
    paths. Anything that is not the right shape is passed on unchanged, for
    the validation to say what is wrong.
    """
    if not isinstance(section, dict):
        return section
    out: dict[str, Any] = {}
    for key, module in section.items():
        path = f"{SECTION}.{key}"
        if key not in MODULES:
            unmapped.append(path)
            continue
        name, model = MODULES[key]
        if module is None:
            continue
        if key == "outcomeMeasuresModule":
            if not isinstance(module, dict):
                out[name] = module
                continue
            for inner, value in module.items():
                if inner == OUTCOME_LIST:
                    out[name] = _value(value, list[model], model, f"{path}.{inner}", unmapped)
                else:
                    unmapped.append(f"{path}.{inner}")
            continue
        out[name] = _item(module, model, path, unmapped)
    return out


def _object(value: dict[str, Any], model: type[BaseModel], path: str, unmapped: list[str]) -> dict[str, Any]:
    keys = record_keys(model)
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = keys.get(key)
        if name is None:
            unmapped.append(f"{path}.{key}")
            continue
        if item is None:
            continue  # the registry's way of saying "not given"
        annotation = model.model_fields[name].annotation
        if (model, name) in MARKUP_FIELDS and isinstance(item, str):
            out[name] = unescape(item)
        elif (model, name) in COUNT_TEXT_FIELDS:
            out[name] = _count(item)
        else:
            out[name] = _value(item, annotation, inner_model(annotation), f"{path}.{key}", unmapped)
    return out


def _value(value: Any, annotation: Any, model: Any, path: str, unmapped: list[str]) -> Any:
    if isinstance(value, list) and is_list(annotation):
        return [_item(item, model, f"{path}[{i}]", unmapped) for i, item in enumerate(value)]
    return _item(value, model, path, unmapped)


def _item(value: Any, model: Any, path: str, unmapped: list[str]) -> Any:
    if isinstance(value, dict) and model is not None:
        return _object(value, model, path, unmapped)
    return value


def _count(value: Any) -> Any:
    """``"54"`` -> ``54``; any other text stays text, which the validation rejects."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and str(int(value)) == value:
        return int(value)
    return value


# --- export ------------------------------------------------------------------------


def export_results(results: Results) -> dict[str, Any]:
    """The record's resultsSection from the file's ``results``."""
    section: dict[str, Any] = {}
    for key, (name, _model) in MODULES.items():
        value = getattr(results, name)
        if key == "outcomeMeasuresModule":
            if value:
                section[key] = {OUTCOME_LIST: [_export_object(item) for item in value]}
        elif value is not None:
            data = _export_object(value)
            if data:
                section[key] = data
    return section


def _export_object(obj: BaseModel) -> dict[str, Any]:
    model = type(obj)
    keys = {name: key for key, name in record_keys(model).items()}
    out: dict[str, Any] = {}
    for name in model.model_fields:
        value = getattr(obj, name)
        if value is None or value == [] or value == {}:
            continue
        if (model, name) in MARKUP_FIELDS:
            value = escape(value, bullets=True)
        elif (model, name) in COUNT_TEXT_FIELDS:
            value = str(value)
        else:
            value = _export_value(value)
        if value == {}:
            continue
        out[keys[name]] = value
    return out


def _export_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _export_object(value)
    if isinstance(value, list):
        return [_export_value(item) for item in value]
    return value


# --- paths and differences ---------------------------------------------------------


def record_path(loc: tuple[str | int, ...]) -> str:
    """A path under the file's ``results`` as the record's path:
    ``('results', 'participant_flow', 'groups', 0, 'id')`` ->
    ``resultsSection.participantFlowModule.groups[0].id``."""
    rest = list(loc[1:])
    if not rest:
        return SECTION
    head = rest.pop(0)
    module = next((key for key, (name, _m) in MODULES.items() if name == head), None)
    if module is None:
        return f"{SECTION}.{head}"
    out = f"{SECTION}.{module}"
    model: Any = MODULES[module][1]
    if module == "outcomeMeasuresModule":
        out += f".{OUTCOME_LIST}"
    for part in rest:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        keys = {name: key for key, name in record_keys(model).items()} if model else {}
        out += "." + keys.get(part, str(part))
        field = model.model_fields.get(part) if model else None
        model = inner_model(field.annotation) if field else None
    return out


def changed_paths(original: Any, exported: Any, path: str = SECTION) -> list[str]:
    """Record paths whose value the export does not give back exactly."""
    if isinstance(original, dict) and isinstance(exported, dict):
        out: list[str] = []
        for key in original.keys() | exported.keys():
            out += changed_paths(original.get(key), exported.get(key), f"{path}.{key}")
        return sorted(out)
    if isinstance(original, list) and isinstance(exported, list) and len(original) == len(exported):
        out = []
        for i, (a, b) in enumerate(zip(original, exported, strict=True)):
            out += changed_paths(a, b, f"{path}[{i}]")
        return out
    if original == exported and type(original) is type(exported):
        return []
    return [path]
