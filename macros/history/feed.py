"""The Atom feed's data: one entry per version and one per change of overall status.

Entries are dated by the versions (their stated date, else their first
commit), never by the build; ids are name-based UUIDs of the trial and the
version, so they stay the same from build to build and a reader never sees an
entry twice. :mod:`macros.site.history_page` writes the XML from a template.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from macros.history.changes import Entry as PageEntry
from macros.history.changes import entries
from macros.history.versions import History, Version

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Names the ids are derived from; not fetched, only hashed.
_ID_BASE = "https://clinicaltrials.gov/study/{nct_id}"


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    updated: str  # RFC 3339
    anchor: str  # the element id on the Changes page
    summary: str


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: str
    author: str
    entries: tuple[FeedEntry, ...]  # newest first


def rfc3339(value: str | None) -> str | None:
    """``2023-06`` -> ``2023-06-01T00:00:00Z``; None for anything that is not a real date."""
    match = _DATE.match(value or "")
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day).isoformat() + "T00:00:00Z"
    except ValueError:
        return None


def anchor(version: Version) -> str:
    """The id of a version's section on the Changes page."""
    return f"version-{version.slug}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# Characters XML 1.0 cannot hold at all (YAML can, written as escapes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document may not contain."""
    return _NOT_XML.sub("", text)


def _uuid(nct_id: str, name: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, _ID_BASE.format(nct_id=nct_id) + name))


def _summary(entry: PageEntry) -> str:
    version = entry.version
    parts = [version.summary] if version.summary else []
    if version.number is None:
        parts.append("The trial file states no protocol version; only the current registry record is known.")
    elif entry.comparison is not None:
        lines = [c.text for s in entry.comparison.sections for c in s.changes]
        parts.append("Changes: " + "; ".join(lines) + "." if lines else "No change of content.")
    elif entry.text_diff:
        parts.append("This version or the one before it does not pass today's checks of the trial "
                     "file; the Changes page shows the difference as text.")
    elif entry.previous is None:
        parts.append("The earliest version known.")
    return " ".join(parts)


def feed(history: History) -> Feed:
    """The feed of ``history``: versions and status changes, newest first."""
    trial = history.current.trial
    if trial is None:
        raise ValueError("the current version of a history always validates")
    nct_id = trial.identification.nct_id
    fallback = rfc3339(trial.record_version) or "1970-01-01T00:00:00Z"
    items: list[FeedEntry] = []
    for entry in entries(history):
        version = entry.version
        updated = rfc3339(version.date) or rfc3339(version.committed) or fallback
        key = version.number if version.number is not None else ""
        status = entry.comparison.status_change if entry.comparison else None
        if status is not None:
            items.append(
                FeedEntry(
                    id=_uuid(nct_id, f"#status-change={key}"),
                    title=xml_text(status.text),
                    updated=updated,
                    anchor=anchor(version),
                    summary=xml_text(f"Stated in {_lower_first(version.title)}."),
                )
            )
        items.append(
            FeedEntry(
                id=_uuid(nct_id, f"#protocol-version={key}"),
                title=xml_text(version.title),
                updated=updated,
                anchor=anchor(version),
                summary=xml_text(_summary(entry)),
            )
        )
    ident = trial.identification
    title = f"{nct_id} {ident.acronym or ident.brief_title}: protocol versions and status changes"
    return Feed(
        id=_uuid(nct_id, "#versions"),
        title=xml_text(title),
        updated=max((item.updated for item in items), default=fallback),
        author=xml_text(trial.sponsor_collaborators.lead_sponsor.name),
        entries=tuple(items),
    )
