"""The checklist PDF cache: an unchanged checklist starts no browser, a damaged entry is never served.

Chromium is the real one, behind a wrapper script that writes a line for
each launch, so that the tests count launches rather than trust the code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import require_chromium
from conftest import ROOT, Build, build_site
from macros.eligibility import checklist, pdf
from macros.eligibility._pdf_cache import PdfCache

PRINT_FLAG = "--remote-debugging-pipe"


@dataclass
class Printing:
    cache: Path
    launches: Path
    browser: Path
    fresh: Build | None = None  # built with an empty cache
    fresh_launches: list[str] | None = None
    again: Build | None = None  # built again, with the cache the first build filled
    again_launches: list[str] | None = None

    def read_launches(self) -> list[str]:
        """The browser launches since the last call; each line is a launch's arguments."""
        if not self.launches.is_file():
            return []
        lines = self.launches.read_text().splitlines()
        self.launches.unlink()
        return lines

    def build(self, site: Path, **env: str) -> Build:
        build = build_site(site, TRIAL_CHROMIUM=str(self.browser), TRIAL_PDF_CACHE=str(self.cache), **env)
        assert build.returncode == 0, build.stderr
        return build


def _prints(launches: list[str]) -> list[str]:
    """The launches that printed (not those that only told the browser's version)."""
    return [line for line in launches if PRINT_FLAG in line]


def _wrapper(folder: Path, chromium: str) -> tuple[Path, Path]:
    """A Chromium that writes its arguments to a file, then runs the real one."""
    launches = folder / "launches.txt"
    script = folder / "chromium"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{launches}"\nexec "{chromium}" "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, launches


@pytest.fixture(scope="module")
def printing(tmp_path_factory: pytest.TempPathFactory) -> Printing:
    """Two builds of the seed trial's site: the first with an empty cache, the second from it."""
    chromium = require_chromium()
    folder = tmp_path_factory.mktemp("pdf-cache-builds")
    browser, launches = _wrapper(folder, chromium)
    run = Printing(folder / "cache", launches, browser)
    run.fresh = run.build(folder / "fresh")
    run.fresh_launches = run.read_launches()
    run.again = run.build(folder / "again")
    run.again_launches = run.read_launches()
    return run


def _pdfs(build: Build) -> dict[str, bytes]:
    return {name: (build.site / "checklist" / name).read_bytes() for name in checklist.PDF_NAMES.values()}


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.pdf"))


def test_both_papers_are_printed_in_one_browser_launch(printing: Printing) -> None:
    assert len(_prints(printing.fresh_launches)) == 1, printing.fresh_launches
    assert len(_entries(printing.cache)) == 2
    assert "2 printed in one browser launch" in printing.fresh.stderr


def test_a_build_whose_checklist_did_not_change_starts_no_browser(printing: Printing) -> None:
    assert printing.again_launches == []  # not even for `chromium --version`
    assert "all 2 from the cache" in printing.again.stderr


def test_pdfs_from_the_cache_are_those_of_a_fresh_print(printing: Printing) -> None:
    fresh, cached = _pdfs(printing.fresh), _pdfs(printing.again)
    assert fresh == cached
    for data in fresh.values():
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize("damage", ["a flipped byte", "cut short"])
def test_a_damaged_entry_is_printed_again_never_served(
    printing: Printing, tmp_path: Path, damage: str
) -> None:
    entry = _entries(printing.cache)[0]
    data = bytearray(entry.read_bytes())
    if damage == "a flipped byte":
        data[len(data) // 2] ^= 0x01
    else:
        del data[len(data) // 2 :]
    entry.write_bytes(bytes(data))
    printing.read_launches()
    build = printing.build(tmp_path / "site")
    assert len(_prints(printing.read_launches())) == 1
    damaged = [line for line in build.stderr.splitlines() if "is damaged" in line]
    assert len(damaged) == 1 and entry.name in damaged[0], build.stderr
    assert "1 printed in one browser launch, 1 from the cache" in build.stderr
    assert _pdfs(build) == _pdfs(printing.fresh)
    # the entry is whole again, and its hash file says so
    stored = entry.with_suffix(".sha256").read_text().split()[0]
    assert hashlib.sha256(entry.read_bytes()).hexdigest() == stored


def test_each_paper_is_what_a_load_of_its_own_html_prints(
    printing: Printing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build loads the checklist once and prints its second paper with the paper's style
    put in place; that PDF is the one a print of the second paper's own HTML gives."""
    page = printing.fresh.site / "checklist" / "index.html"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for paper, name in checklist.PDF_NAMES.items():
        variant = page.with_name(f".test-{paper}.html")
        style = pdf._SIZE_STYLE % pdf.PAGE_SIZES[paper]
        variant.write_text(page.read_text(encoding="utf-8").replace("</head>", style + "</head>", 1))
        try:
            pdf.print_to_pdf(require_chromium(), variant, tmp_path / name)
        finally:
            variant.unlink()
        pdf.fix_structure_ids(tmp_path / name)
        pdf.fix_dates(tmp_path / name)
        assert (tmp_path / name).read_bytes() == _pdfs(printing.fresh)[name], name


def test_the_dates_of_a_cached_pdf_follow_source_date_epoch(printing: Printing, tmp_path: Path) -> None:
    printing.read_launches()
    build = printing.build(tmp_path / "site", SOURCE_DATE_EPOCH="1800000000")
    assert printing.read_launches() == []
    for name, data in _pdfs(build).items():
        assert b"(D:20270115080000+00'00')" in data, name
        assert data.replace(b"20270115080000", b"20231114221320") == _pdfs(printing.fresh)[name]


def test_earlier_versions_are_printed_in_the_same_launch(
    printing: Printing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = printing.fresh.site / "checklist" / "index.html"
    html = page.read_text(encoding="utf-8")
    earlier = html.replace("</body>", "<p>An earlier version</p></body>", 1)
    monkeypatch.setenv("TRIAL_CHROMIUM", str(printing.browser))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    printing.read_launches()
    done = pdf.print_checklists(
        page,
        [pdf.Checklist(out_dir=tmp_path / "now"), pdf.Checklist(earlier, tmp_path / "then")],
        printing.cache,
    )
    assert done == pdf.Printed(printed=2, cached=2)
    assert len(_prints(printing.read_launches())) == 1
    for name, data in _pdfs(printing.fresh).items():
        assert (tmp_path / "now" / name).read_bytes() == data
        assert (tmp_path / "then" / name).read_bytes() != data
    assert not list(page.parent.glob(".print-*"))


# --- the key ---------------------------------------------------------------------------


def _page(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    (tmp_path / "assets" / "page.js").write_text("void 0;\n", encoding="utf-8")
    page = tmp_path / "checklist" / "index.html"
    page.parent.mkdir()
    html = (
        '<html><head><link rel="stylesheet" href="../assets/style.css">'
        '<link rel="icon" href="../assets/icon.png"></head>'
        '<body><script src="../assets/page.js"></script></body></html>'
    )
    page.write_text(html, encoding="utf-8")
    return page, html


def _key(page: Path, html: str, paper: str = "a4", version: str = "Chromium 1") -> str:
    return pdf.cache_key(html, pdf.linked_files_digest(page, html), paper, version)


def test_the_key_follows_the_style_sheets_scripts_paper_and_browser(tmp_path: Path) -> None:
    page, html = _page(tmp_path)
    key = _key(page, html)
    assert _key(page, html) == key
    assert _key(page, html, paper="letter") != key
    assert _key(page, html, version="Chromium 2") != key
    assert _key(page, html + " ") != key
    style = tmp_path / "assets" / "style.css"
    style.write_text("body { color: navy; }\n", encoding="utf-8")
    changed_style = _key(page, html)
    assert changed_style != key
    (tmp_path / "assets" / "page.js").write_text("void 1;\n", encoding="utf-8")
    assert _key(page, html) != changed_style
    style.unlink()
    assert _key(page, html) != changed_style
    # a file the page does not print with (its icon) is not part of the key
    before = _key(page, html)
    (tmp_path / "assets" / "icon.png").write_bytes(b"\x89PNG")
    assert _key(page, html) == before


def test_a_page_with_a_remote_style_sheet_is_not_cached(tmp_path: Path) -> None:
    page, html = _page(tmp_path)
    remote = html.replace("</head>", '<link rel="stylesheet" href="https://example.org/a.css"></head>')
    assert pdf.linked_files_digest(page, remote) is None


def test_the_cache_folder_is_the_projects_unless_configured(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TRIAL_PDF_CACHE", raising=False)
    monkeypatch.setenv("TRIAL_CACHE_DIR", str(tmp_path / "caches"))
    assert pdf.cache_folder() == tmp_path / "caches" / "checklist-pdf"
    monkeypatch.delenv("TRIAL_CACHE_DIR")
    assert pdf.cache_folder() == ROOT / ".cache" / "checklist-pdf"
    monkeypatch.setenv("TRIAL_PDF_CACHE", str(tmp_path / "elsewhere"))
    assert pdf.cache_folder() == tmp_path / "elsewhere"


# --- the store -------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_an_entry_is_served_only_whole(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.trial.pdf")
    store = PdfCache(tmp_path / "cache")
    store.put("k", PDF)
    assert store.get("k") == PDF
    assert not list((tmp_path / "cache").glob(".tmp-*"))
    assert (tmp_path / "cache" / "k.sha256").read_text() == f"{hashlib.sha256(PDF).hexdigest()}  k.pdf\n"
    entry = tmp_path / "cache" / "k.pdf"
    cases = {
        "its SHA-256 does not match": lambda: entry.write_bytes(PDF.replace(b"1 0", b"2 0")),
        "it is cut short": lambda: entry.write_bytes(PDF[:20]),
        "its SHA-256 is missing": lambda: entry.with_suffix(".sha256").unlink(),
    }
    for problem, damage in cases.items():
        store.put("k", PDF)
        damage()
        caplog.clear()
        assert store.get("k") is None
        assert [r.getMessage() for r in caplog.records if problem in r.getMessage()], problem
        assert not (tmp_path / "cache" / "k.pdf").exists() and not (tmp_path / "cache" / "k.sha256").exists()
    assert store.get("absent") is None


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    store = PdfCache(tmp_path)
    for number in range(5):
        store.put(f"k{number}", PDF)
        os.utime(tmp_path / f"k{number}.pdf", (1000 + number, 1000 + number))
    assert store.get("k0") == PDF  # a hit makes k0 the most recent
    (tmp_path / "orphan.sha256").write_text("0  orphan.pdf\n")
    os.utime(tmp_path / "orphan.sha256", (1000, 1000))
    store.prune(keep=3)
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["k0.pdf", "k3.pdf", "k4.pdf"]
    assert sorted(p.name for p in tmp_path.glob("*.sha256")) == ["k0.sha256", "k3.sha256", "k4.sha256"]


def test_an_unwritable_cache_only_costs_a_print(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder\n")
    store = PdfCache(blocked / "cache")
    store.put("k", PDF)
    assert store.get("k") is None


def test_the_browser_version_is_asked_once_per_browser_file(tmp_path: Path) -> None:
    require_chromium()
    browser, launches = _wrapper(tmp_path, shutil.which("chromium") or "/usr/bin/chromium")
    store = PdfCache(tmp_path / "cache")
    version = pdf.chromium_version(str(browser), store)
    assert version.startswith("Chromium ")
    assert pdf.chromium_version(str(browser), store) == version
    assert launches.read_text().splitlines() == ["--version"]
    # a changed browser file is asked again
    browser.write_text(browser.read_text() + "\n", encoding="utf-8")
    assert pdf.chromium_version(str(browser), store) == version
    assert launches.read_text().splitlines() == ["--version", "--version"]
