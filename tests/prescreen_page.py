"""What the browser tests of the checklist page share: tabs, filling the pre-screen, reading PDFs.

The pre-screen scenarios use the criteria of data/trial.yaml (NCT05660785).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from macros.trial.model import Trial


@dataclass
class Tab:
    """A page plus every URL it requested and every dialog it opened."""

    page: object
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_tab(browser, url: str, clock: str | None = None, **context_options) -> Tab:  # type: ignore[no-untyped-def]
    """A new context and page at ``url``; ``clock`` fixes "today" (ISO date) before loading."""
    context = browser.new_context(locale="en-US", **context_options)
    page = context.new_page()
    if clock is not None:
        page.clock.set_fixed_time(f"{clock}T12:00:00")
    tab = Tab(page)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.goto(url)
    return tab


def assert_local(requests: list[str]) -> None:
    outside = [
        url for url in requests
        if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname != "127.0.0.1"
    ]
    assert outside == [], f"requests left 127.0.0.1: {outside}"


# --- the pre-screen -------------------------------------------------------------------

# Values of a patient who meets every rule of NCT05660785.
ELIGIBLE = {
    "ps-enrollment": "2024-06-03",
    "ps-age_years-0-value": "40",
    "ps-platelets-0-value": "30", "ps-platelets-0-date": "2024-05-06",
    "ps-platelets-1-value": "28", "ps-platelets-1-date": "2024-05-14",
    "ps-marrow_fibrosis_grade-0-value": "1", "ps-marrow_fibrosis_grade-0-date": "2024-05-20",
    "ps-tpo_ra_weeks-0-value": "0",
    "ps-ist_weeks-0-value": "0",
    "ps-ferritin-0-value": "450", "ps-ferritin-0-date": "2024-05-20",
    "ps-alt-0-value": "25", "ps-alt-0-uln": "40", "ps-alt-0-date": "2024-05-20",
    "ps-ast-0-value": "30", "ps-ast-0-uln": "40", "ps-ast-0-date": "2024-05-20",
    "ps-total_bilirubin-0-value": "12", "ps-total_bilirubin-0-uln": "21",
    "ps-creatinine_clearance-0-value": "95",
    "ps-serum_creatinine-0-value": "70", "ps-serum_creatinine-0-uln": "110",
    "ps-nyha_class-0-value": "1",
    "ps-lvef-0-value": "62", "ps-lvef-0-date": "2024-05-27",
}
NEVER = ("tpo_ra_treatment", "arteriovenous_thrombosis")


# Sets each field and fires the events typing fires, in one round trip.
_FILL = """(values) => {
  for (const [id, value] of Object.entries(values)) {
    const input = document.getElementById(id);
    if (!input) throw new Error('no input #' + id);
    input.value = value;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new Event('change', {bubbles: true}));
  }
}"""


def fill(page, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Type one value as a person does; several at once through the same input events."""
    if len(values) == 1:
        [(ident, value)] = values.items()
        page.locator(f"#{ident}").fill(value)
    else:
        page.evaluate(_FILL, values)


def answer_manual_criteria(page, trial: Trial) -> None:  # type: ignore[no-untyped-def]
    """Answer every judgement: inclusion criteria met, exclusion criteria do not apply."""
    inclusion = [c.id for c in trial.eligibility.inclusion]
    # A click on each choice, as on screen: it checks it and fires input and change.
    page.evaluate(
        """(inclusion) => {
          for (const group of document.querySelectorAll('#trial-prescreen [role=radiogroup]')) {
            const id = group.closest('fieldset').dataset.criterion;
            group.querySelector(inclusion.includes(id) ? 'input[value=yes]' : 'input[value=no]').click();
          }
        }""",
        inclusion,
    )
    question(page, "Does the patient have congestive heart failure?", "No")
    for event in NEVER:
        page.locator(f"#ps-event-{event}-never").check()


def question(page, text: str, answer: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("group", name=text).get_by_label(answer, exact=True).check()


def overall(page) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    box = page.locator("#trial-prescreen-overall")
    return box.get_attribute("data-state"), squash(box.inner_text())


def state(page, criterion_id: str) -> str:  # type: ignore[no-untyped-def]
    """The badge: Met, Not met, Applies, Does not apply or Unknown."""
    return page.locator(f"#ps-status-{criterion_id} .trial-prescreen__state").inner_text()


def result(page, criterion_id: str) -> str:  # type: ignore[no-untyped-def]
    """The plain-words result beside the badge."""
    return squash(page.locator(f"#ps-status-{criterion_id} .trial-prescreen__result").inner_text())


def error(page, ident: str) -> str:  # type: ignore[no-untyped-def]
    """The message under an input ('' when it is fine)."""
    return page.locator(f"#{ident}-error").inner_text()


def stub_print(page) -> None:  # type: ignore[no-untyped-def]
    """The print dialog cannot be driven headless: count the calls instead."""
    page.evaluate("() => { window.print = () => { window.printCalls = (window.printCalls || 0) + 1; }; }")


# --- reading PDFs ------------------------------------------------------------------------


def poppler() -> None:
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        return
    reason = "poppler-utils (pdftotext, pdfinfo) is not installed"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> tuple[list[str], tuple[float, float]]:
    """The text of each page (whitespace squashed) and the page size in points."""
    poppler()
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    pages = [
        squash(
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True, text=True, check=True,
            ).stdout
        )
        for n in range(1, count + 1)
    ]
    return pages, (float(size.group(1)), float(size.group(2)))
