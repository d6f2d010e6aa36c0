"""Printed checklist PDFs kept by what determines them, so that an unchanged checklist is not printed again.

An entry is two files named by its key (see :func:`macros.eligibility.pdf.cache_key`):
``KEY.pdf``, the PDF as printed (dates as Chromium wrote them, structure ids
renumbered), and ``KEY.sha256``, its SHA-256 in ``sha256sum`` form. An entry
is served only whole: a PDF whose hash is missing or differs, or that does
not end with ``%%EOF``, is named in one line, deleted and printed again.
Each file is written to a temporary file and renamed, so a reader never sees
half of one. The folder is ours: beyond :data:`KEEP` entries the least
recently used go.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from pathlib import Path

from macros.trial.files import write_atomically

log = logging.getLogger("mkdocs.plugins.trial.pdf")

# Entries kept: a few papers of a few versions of a few recent checklists.
KEEP = 50
# A temporary file older than this was left by a build that was killed.
_STALE_SECONDS = 3600


class PdfCache:
    """The cache folder; every failure to read or write it only costs a print."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> bytes | None:
        """The PDF stored under ``key``, or None (absent, or damaged and now removed)."""
        pdf = self.folder / f"{key}.pdf"
        try:
            data = pdf.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.info("Checklist PDF cache: cannot read %s (%s); printing it again", pdf, exc)
            return None
        problem = _problem(data, self._stored_hash(key))
        if problem:
            log.info("Checklist PDF cache: %s is damaged (%s); printing it again", pdf, problem)
            self.remove(key)
            return None
        # Recently used entries are the last to be pruned.
        with contextlib.suppress(OSError):
            os.utime(pdf)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``: the PDF first, then its hash, each renamed into place."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / f"{key}.pdf", data)
            digest = hashlib.sha256(data).hexdigest()
            write_atomically(self.folder / f"{key}.sha256", f"{digest}  {key}.pdf\n".encode("ascii"))
        except OSError as exc:
            log.info("Checklist PDF cache: cannot write to %s (%s); not cached", self.folder, exc)

    def remove(self, key: str) -> None:
        for suffix in (".pdf", ".sha256"):
            with contextlib.suppress(OSError):
                (self.folder / f"{key}{suffix}").unlink()

    def prune(self, keep: int = KEEP) -> None:
        """Keep the ``keep`` most recently used entries; remove hashes without a PDF and old temporaries."""
        try:
            files = list(self.folder.iterdir())
        except OSError:
            return
        now = time.time()
        entries = []
        pdfs = {path.stem for path in files if path.suffix == ".pdf" and not path.name.startswith(".")}
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith(".tmp-"):
                if now - stat.st_mtime > _STALE_SECONDS:
                    with contextlib.suppress(OSError):
                        path.unlink()
            elif path.suffix == ".pdf":
                entries.append((stat.st_mtime, path.stem))
            elif path.suffix == ".sha256" and path.stem not in pdfs and now - stat.st_mtime > 60:
                # A minute's grace: another build may be between writing a PDF and its hash.
                with contextlib.suppress(OSError):
                    path.unlink()
        for _, key in sorted(entries, reverse=True)[keep:]:
            self.remove(key)

    def _stored_hash(self, key: str) -> str | None:
        try:
            text = (self.folder / f"{key}.sha256").read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return None
        fields = text.split()
        return fields[0] if fields else None


def _problem(data: bytes, stored: str | None) -> str | None:
    """Why ``data`` cannot be served, or None when it can."""
    if stored is None:
        return "its SHA-256 is missing"
    if not data.rstrip().endswith(b"%%EOF"):
        return "it is cut short"
    if hashlib.sha256(data).hexdigest() != stored:
        return "its SHA-256 does not match"
    return None
