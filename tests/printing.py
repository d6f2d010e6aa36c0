"""Printing a built page to A4 in Chromium and reading the sheets back with poppler.

:func:`print_faults` prints one page with Playwright's ``page.pdf`` (Chromium's
own print layout, with the print style sheet) and names what a reader would
see wrong on paper: a blank sheet, or a heading left alone at the foot of a
sheet while what it heads starts on the next.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# What heads something on a page: headings, criteria subgroup titles, table captions.
HEADINGS = "article :is(h1, h2, h3, h4, h5, h6, caption, .trial-criteria__group)"


def sheet_texts(pdf: Path) -> list[str]:
    """The text of each sheet of ``pdf`` (pdftotext, one call per sheet)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def has_ink(pdf: Path, sheet: int) -> bool:
    """Whether the sheet has anything on it: any pixel darker than paper (pdftoppm, grey)."""
    image = subprocess.run(
        ["pdftoppm", "-f", str(sheet), "-l", str(sheet), "-r", "30", "-gray", str(pdf)],
        capture_output=True, check=True,
    ).stdout
    # A binary PGM: "P5", width, height, maximum value, then one byte per pixel.
    fields = image.split(maxsplit=4)
    assert fields[0] == b"P5", fields[0]
    return any(value < 240 for value in fields[4][1:])


def _running_lines(texts: list[str]) -> set[str]:
    """Lines on every sheet (a running header or footer), when there are several sheets."""
    if len(texts) < 2:
        return set()
    sets = [{line.strip() for line in text.splitlines() if line.strip()} for text in texts]
    return set.intersection(*sets)


def print_faults(page, pdf: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """Print the loaded ``page`` to ``pdf`` (A4) and list its faults on paper."""
    headings = [
        " ".join(text.replace("¶", "").split())
        for text in page.eval_on_selector_all(HEADINGS, "hs => hs.map(h => h.textContent)")
    ]
    page.pdf(path=str(pdf), format="A4")
    texts = sheet_texts(pdf)
    running = _running_lines(texts)
    faults = []
    for number, text in enumerate(texts, start=1):
        body = " ".join(line.strip() for line in text.splitlines() if line.strip() not in running)
        # Only a running header and footer, or no ink at all: a blank sheet.
        if not body.strip() and (running or not has_ink(pdf, number)):
            faults.append(f"sheet {number} of {len(texts)} is blank")
            continue
        if number == len(texts):
            continue
        flat = " ".join(body.split())
        for heading in headings:
            if heading and flat.endswith(heading):
                faults.append(f"sheet {number} ends with the heading {heading!r}")
    return faults
