"""Texts kept between builds in ``.cache/<kind>``, named by a hash of everything they are made from.

Used for what costs more to make than to read and depends only on known
inputs: the JSON Schema (the model's code) and the exports (the trial file's
bytes and the code that turns them into a record, a Bundle, JSON-LD). An
entry starts with the SHA-256 of the text after it, so a damaged or partly
written entry is made again, never served; entries are written to a
temporary file and renamed. A cache that cannot be read or written only
costs the time to make the text again.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from macros.trial.files import write_atomically
from macros.trial.paths import cache_dir

# The packages whose code a cached text may depend on.
PACKAGE = Path(__file__).resolve().parents[1]


def code_key(*parts: bytes, packages: Iterable[str] = ("trial",)) -> str:
    """A SHA-256 of ``parts``, the source of ``packages`` (subpackages of macros) and the versions."""
    import pydantic

    digest = hashlib.sha256(f"{pydantic.VERSION} {sys.version}".encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    for package in packages:
        for source in sorted((PACKAGE / package).glob("*.py")):
            digest.update(f"{package}/{source.name}".encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_text(kind: str, key: str, make: Callable[[], str]) -> str:
    """The text under ``key`` in ``.cache/<kind>``; made (and kept) when absent or damaged."""
    folder = cache_dir(kind)
    entry = folder / f"{key}.txt" if folder else None
    if entry is not None:
        text = _read(entry)
        if text is not None:
            return text
    text = make()
    if entry is not None:
        _write(entry, hashlib.sha256(text.encode()).hexdigest() + "\n" + text)
    return text


def _read(entry: Path) -> str | None:
    try:
        digest, _, text = entry.read_bytes().decode("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    return text if hashlib.sha256(text.encode()).hexdigest() == digest else None


def _write(target: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        write_atomically(target, text.encode("utf-8"))
