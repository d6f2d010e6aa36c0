"""A ClinicalTrials.gov API v2 study record -> a trial file (YAML).

:func:`read_record` checks that a file is a registry record; :func:`import_record`
maps it onto the model (:mod:`macros.ctgov_mapping`), splits the eligibility
text (:mod:`macros.ctgov_eligibility`), validates the result as the site does,
and lists whatever the model has no place for; :func:`to_yaml` writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from macros.registry import ctgov_results
from macros.registry.ctgov_eligibility import split
from macros.registry.ctgov_export import to_record
from macros.registry.ctgov_mapping import (
    CRITERIA_FIELDS,
    camel,
    is_list,
    is_markup,
    module_fields,
    module_name,
    record_keys,
    unescape,
)
from macros.trial import consistency
from macros.trial.characters import hidden_character, hidden_message
from macros.trial.errors import format_path
from macros.trial.model import Trial, inner_model


class NotARecord(Exception):
    """The file is not a ClinicalTrials.gov API v2 study record; one line says why."""


class RecordProblems(Exception):
    """The record maps onto the model but does not make a valid trial."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Imported:
    trial: Trial
    # Record paths with no place in the model (not imported).
    unmapped: list[str] = field(default_factory=list)
    # Record paths that the export will not write back as they were.
    reshaped: list[str] = field(default_factory=list)
    # Criteria the eligibility text does not clearly place in either list.
    uncertain: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------

# A registry record is tens to hundreds of kilobytes; its numbers are counts
# and coordinates.
MAX_RECORD_BYTES = 10_000_000
MAX_NUMBER_DIGITS = 30


def _number(text: str, convert: Any) -> Any:
    digits = sum(char.isdigit() for char in text)
    if digits > MAX_NUMBER_DIGITS:
        raise NotARecord(
            f"a number with {digits} digits; a registry record has numbers of at most "
            f"{MAX_NUMBER_DIGITS}"
        )
    value = convert(text)
    if value in (float("inf"), float("-inf")):
        raise NotARecord(f"the number {text} is too large")
    return value


def _constant(name: str) -> Any:
    raise NotARecord(f"not JSON: {name} is not a JSON number")


def read_record(path: Path) -> dict[str, Any]:
    """The record as JSON data, or :class:`NotARecord` with a one-line reason."""
    try:
        if path.is_dir():
            raise IsADirectoryError
        with path.open("rb") as stream:
            raw = stream.read(MAX_RECORD_BYTES + 1)
        if len(raw) > MAX_RECORD_BYTES:
            raise NotARecord(
                f"larger than {MAX_RECORD_BYTES:,} bytes; a registry record is far smaller"
            )
    except FileNotFoundError:
        raise NotARecord("file not found") from None
    except IsADirectoryError:
        raise NotARecord("is a directory, not a file") from None
    except OSError as exc:
        raise NotARecord(exc.strerror or str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotARecord(f"not UTF-8 text (byte {exc.start}), so not a JSON record") from None
    if not text.strip():
        raise NotARecord("the file is empty; expected a ClinicalTrials.gov study record (JSON)")
    try:
        data = json.loads(
            text,
            parse_int=lambda t: _number(t, int),
            parse_float=lambda t: _number(t, float),
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise NotARecord(
            f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "expected a ClinicalTrials.gov study record"
        ) from None
    except RecursionError:
        raise NotARecord(
            "lists or objects nested too deep (a thousand levels or more); a registry record is not"
        ) from None
    return check_shape(data)


def check_shape(data: Any) -> dict[str, Any]:
    hint = "expected a ClinicalTrials.gov API v2 study record with a 'protocolSection'"
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise NotARecord(f"the JSON is {kind}; {hint}")
    if "protocolSection" not in data and isinstance(data.get("studies"), list):
        raise NotARecord(
            f"this is a search result with {len(data['studies'])} studies; "
            "save one study's record (/api/v2/studies/NCT...) and import that"
        )
    section = data.get("protocolSection")
    if not isinstance(section, dict):
        raise NotARecord(f"no 'protocolSection' object; {hint}")
    ident = section.get("identificationModule")
    if not isinstance(ident, dict) or not isinstance(ident.get("nctId"), str):
        raise NotARecord("protocolSection has no identificationModule.nctId; " + hint)
    return data


# --- mapping ---------------------------------------------------------------


def import_record(record: dict[str, Any]) -> Imported:
    """Map a record onto the model; :class:`RecordProblems` if it does not validate."""
    unmapped: list[str] = []
    uncertain: list[str] = []
    data: dict[str, Any] = {}
    modules = {module_name(name): name for name in module_fields()}
    for key, value in record.items():
        if key == "protocolSection":
            for module_key, module in value.items():
                name = modules.get(module_key)
                path = f"protocolSection.{module_key}"
                if name is None:
                    unmapped.append(path)
                elif isinstance(module, dict):
                    data[name] = _module(name, module, path, unmapped, uncertain)
                else:
                    data[name] = module  # the validation says what is wrong
        elif key == "hasResults":
            data["has_results"] = value
        elif key == ctgov_results.SECTION:
            data["results"] = ctgov_results.import_results(value, unmapped)
        else:
            unmapped.append(key)
    hidden = [_problem(loc, message) for loc, message in _hidden_characters(data, ())]
    if hidden:
        raise RecordProblems(hidden)
    try:
        trial = Trial.model_validate(data)
    except ValidationError as exc:
        raise RecordProblems([_problem(err["loc"], err["msg"]) for err in exc.errors()]) from None
    problems = [_problem(path, message) for path, message in consistency.check(trial)]
    if problems:
        raise RecordProblems(problems)
    reshaped = reshaped_fields(record, trial)
    if trial.results is not None:
        exported = ctgov_results.export_results(trial.results)
        reshaped += ctgov_results.changed_paths(record.get(ctgov_results.SECTION), exported)
    return Imported(trial, unmapped, reshaped, uncertain)


def _hidden_characters(value: Any, loc: tuple[str | int, ...]) -> list[tuple[tuple, str]]:
    """Texts holding a bidi control or a control character, which a trial file refuses.

    The import refuses them too rather than drop them silently: removing a
    right-to-left override changes what the text displays, so the person
    importing must see where it was and decide.
    """
    found: list[tuple[tuple, str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            stack += [(v, (*where, k)) for k, v in reversed(item.items())]
        elif isinstance(item, list):
            stack += [(v, (*where, i)) for i, v in reversed(list(enumerate(item)))]
        elif isinstance(item, str):
            index = hidden_character(item)
            if index is not None:
                found.append((where, hidden_message(item[index])))
    return found


def _module(
    name: str, module: dict[str, Any], path: str, unmapped: list[str], uncertain: list[str]
) -> dict[str, Any]:
    model = inner_model(Trial.model_fields[name].annotation)
    out = _object(module, model, (name,), path, unmapped)
    if name == "eligibility":
        text = module.get("eligibilityCriteria")
        if isinstance(text, str):
            criteria = split(text)
            uncertain += criteria.uncertain
            if criteria.layout:
                out["criteria_layout"] = criteria.layout
            out["inclusion"] = criteria.inclusion
            out["exclusion"] = criteria.exclusion
        elif text is not None:
            out["inclusion"] = text  # not text: the validation says so
    return out


def _object(
    value: dict[str, Any],
    model: type[BaseModel],
    where: tuple[str, ...],
    path: str,
    unmapped: list[str],
) -> dict[str, Any]:
    keys = record_keys(model)
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = keys.get(key)
        if where == ("eligibility",) and (key == "eligibilityCriteria" or name in CRITERIA_FIELDS):
            if key != "eligibilityCriteria":
                unmapped.append(f"{path}.{key}")
            continue
        if name is None:
            unmapped.append(f"{path}.{key}")
            continue
        if item is None or item == "" or item == []:
            continue  # the registry's ways of saying "not given"
        field_info = model.model_fields[name]
        out[field_info.alias or name] = _value(
            item, field_info.annotation, (*where, name), f"{path}.{key}", unmapped
        )
    return out


def _value(value: Any, annotation: Any, where: tuple[str, ...], path: str, unmapped: list[str]):
    model = inner_model(annotation)
    if isinstance(value, list) and is_list(annotation):
        return [_item(item, model, where, f"{path}[{i}]", unmapped) for i, item in enumerate(value)]
    return _item(value, model, where, path, unmapped)


def _item(value: Any, model: Any, where: tuple[str, ...], path: str, unmapped: list[str]) -> Any:
    if isinstance(value, dict) and model is not None:
        return _object(value, model, where, path, unmapped)
    return _scalar(value, where)


def _scalar(value: Any, where: tuple[str, ...]) -> Any:
    if isinstance(value, str) and is_markup(where):
        return unescape(value)
    return value


def record_path(loc: tuple[str | int, ...]) -> str:
    """A model path as the record's path: ``('status', 'start_date')`` ->
    ``protocolSection.statusModule.startDateStruct``."""
    if not loc:
        return "protocolSection"
    head, *rest = loc
    if head == "has_results":
        return "hasResults"
    if head == "results":
        return ctgov_results.record_path(loc)
    if head not in module_fields():
        return format_path(loc)
    out = f"protocolSection.{module_name(str(head))}"
    model = inner_model(Trial.model_fields[str(head)].annotation)
    for index, part in enumerate(rest):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if model is not None and str(head) == "eligibility" and index == 0 and part in (
            "inclusion", "exclusion", "criteria_layout"
        ):
            return out + ".eligibilityCriteria"
        keys = {name: key for key, name in record_keys(model).items()} if model else {}
        out += "." + keys.get(part, camel(part))
        if model is not None and part in model.model_fields:
            model = inner_model(model.model_fields[part].annotation)
    return out


def _problem(loc: tuple[str | int, ...], message: str) -> str:
    return f"{record_path(tuple(loc))}: {message}"


def reshaped_fields(record: dict[str, Any], trial: Trial) -> list[str]:
    """Record texts that the export would not give back as they were (up to whitespace)."""
    exported = to_record(trial)["protocolSection"]
    original = record.get("protocolSection", {})
    modules = {module_name(name) for name in module_fields()}
    out: list[str] = []
    for key in sorted(modules & original.keys()):
        _compare(original[key], exported.get(key), f"protocolSection.{key}", out)
    return out


def _compare(original: Any, exported: Any, path: str, out: list[str]) -> None:
    if isinstance(original, dict) and isinstance(exported, dict):
        for key, value in original.items():
            if key in exported:
                _compare(value, exported[key], f"{path}.{key}", out)
    elif isinstance(original, list) and isinstance(exported, list):
        for i, (a, b) in enumerate(zip(original, exported, strict=False)):
            _compare(a, b, f"{path}[{i}]", out)
    elif isinstance(original, str) and isinstance(exported, str) and original.split() != exported.split():
        out.append(path)


# --- writing ---------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, dates left as plain strings."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}

FOLD_AT = 80


# Line breaks other than "\n" that YAML readers honour; only quotes keep them.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    # A block scalar that keeps its trailing line breaks (``|+``, chosen for a
    # text that ends with a blank line or is only a line break) would take in
    # the blank line that to_yaml puts before the next module: quote those.
    keeps_breaks = value.endswith("\n") and (len(value) == 1 or value[-2] == "\n")
    if keeps_breaks or any(ch in value for ch in _OTHER_BREAKS):
        style = '"'
    elif "\n" in value:
        style = "|"
    elif len(value) > FOLD_AT:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def trial_data(trial: Trial) -> dict[str, Any]:
    """The trial as the YAML shows it: model order, defaults left out."""
    data = trial.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    ordered: dict[str, Any] = {}
    for key, value in data.items():
        ordered[key] = value
        if key == "status":
            ordered["has_results"] = trial.has_results
    return ordered


def to_yaml(trial: Trial, header: list[str]) -> str:
    """The trial file's text: a comment header, then one block per module."""
    body = yaml.dump(
        trial_data(trial),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        indent=2,
        default_flow_style=False,
    )
    lines = []
    for line in body.splitlines():
        if lines and line[:1] not in ("", " ", "-"):
            lines.append("")  # a blank line before each module
        lines.append(line)
    comments = [f"# {line}".rstrip() for line in header]
    return "\n".join([*comments, "", *lines]) + "\n"


def header_lines(trial: Trial, schema_ref: str | None) -> list[str]:
    """Where the file came from, in the record's own terms (no clock time)."""
    ident = trial.identification
    lines = []
    if schema_ref:
        lines.append(f"yaml-language-server: $schema={schema_ref}")
    lines += [
        f"Imported from ClinicalTrials.gov record {ident.nct_id} "
        f"(registry record last updated {trial.record_version})",
        "with: python -m macros import-ctgov.",
        "Keys follow the registry's API v2 protocolSection in snake_case; texts are the",
        "registry's own, with its markdown escapes removed. The eligibility text is split",
        "into criteria with ids I1, I2 ... and E1, E2 ...; I3.1 is a sub-item of I3.",
    ]
    if trial.results is not None:
        lines.append("The posted results (the record's resultsSection) are under results.")
    return lines
