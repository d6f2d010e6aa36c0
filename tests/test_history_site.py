"""Whole-site tests of the protocol's versions: the Changes page, the archive, the lookup data, the feed.

Each site is built from a trial file in a temporary git repository (see
history_repo.py), as ``mkdocs build --strict`` in a fresh process.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from browser import require_chromium
from conftest import Build, build_site
from history_repo import FILE, base_data, commit, git, invalid_old_version, new_repo, three_versions
from macros.eligibility.pdf import find_chromium

ATOM = "{http://www.w3.org/2005/Atom}"
NO_PDFS = {"TRIAL_CHROMIUM": "/nonexistent", "CI": ""}


def article_text(build: Build, page: str) -> str:
    article = BeautifulSoup(build.page(page), "html.parser").select_one("article")
    return " ".join(article.get_text(" ").split())


def versions(build: Build) -> dict[str, str]:
    """The text of each version's section on the Changes page, by its id."""
    page = BeautifulSoup(build.page("changes"), "html.parser")
    return {s["id"]: " ".join(s.get_text(" ").split()) for s in page.select("section.trial-version")}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return three_versions(tmp_path_factory.mktemp("versions") / "repo")


@pytest.fixture(scope="module")
def site(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = build_site(tmp_path_factory.mktemp("versions-site") / "site", trial=repo / FILE)
    assert build.returncode == 0, build.stderr
    return build


# --- the Changes page --------------------------------------------------------------------


def test_the_changes_page_lists_every_version_newest_first(site: Build) -> None:
    found = versions(site)
    assert list(found) == ["version-3.0", "version-2.0", "version-1.0"]
    three, two, one = found.values()
    assert three.startswith("Protocol version 3.0 of 2024-09-15 Current The version in force.")
    assert "Status Overall status Recruiting → Active not recruiting" in three
    assert "Affects: Everyone who refers or enrols patients." in three
    assert "Sites Site added: Example Clinic West, Lisbon, Portugal Affects: Sites list." in three
    assert two.startswith("Protocol version 2.0 of 2024-06-01 Superseded by version 3.0 on 2024-09-15.")
    assert "Raises the blood pressure threshold to 140 mmHg." in two
    assert "Amendment A1 Approved 2024-05-20" in two
    assert "Changes from version 1.0 Eligibility criteria IN-2 reworded" in two
    assert "Computable rules (pre-screen) IN-2 threshold 130 → 140 mmHg" in two
    assert one.startswith("Protocol version 1.0 of 2024-01-10 Superseded by version 2.0 on 2024-06-01.")
    assert one.endswith("The earliest version known.")
    assert "IN-2 reworded" not in one and "Changes from" not in three.split("Changes from version 2.0")[1]


def test_a_reworded_criterion_shows_its_words_escaped_and_its_fingerprints(site: Build) -> None:
    html = site.page("changes")
    assert (
        '<span class="trial-diff">Resting systolic blood pressure ≥ <del>130</del><ins>140</ins> '
        "mmHg &amp; &lt; 160 mmHg</span>"
    ) in html
    index = json.loads((site.site / "versions" / "index.json").read_text(encoding="utf-8"))
    old, new = index["versions"][2]["fingerprint"], index["versions"][0]["fingerprint"]
    assert (
        f"Affects: Checklist reprinted, fingerprint {old} → {new}; patients screened under the "
        "old version may need re-screening."
    ) in versions(site)["version-2.0"]


def test_the_changes_page_is_in_the_navigation_and_links_the_feed(site: Build) -> None:
    page = BeautifulSoup(site.page("changes"), "html.parser")
    nav = [a.get_text(" ", strip=True) for a in page.select(".md-nav--primary .md-nav__link")]
    assert "Changes" in nav
    links = {a.get_text(): a["href"] for a in page.select(".trial-changes__follow a")}
    assert links == {"Atom feed": "../feed.xml", "versions/index.json": "../versions/index.json"}
    archive = page.select_one("#version-1\\.0 .trial-version__files")
    hrefs = [a["href"] for a in archive.select("a")]
    assert hrefs[0] == "../versions/1.0/trial.yaml"
    for href in hrefs:
        assert (site.site / "changes" / href).resolve().is_file() or not find_chromium(), href


def test_every_page_shows_the_protocol_version_and_links_the_feed(site: Build) -> None:
    for html_file in sorted(site.site.rglob("*.html")):
        page = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        feed = page.select('head link[rel="alternate"][type="application/atom+xml"]')
        assert len(feed) == 1, html_file
        if html_file.name == "404.html":
            # served for any missing path, so its links start at the site's root
            assert feed[0]["href"] == "/feed.xml"
            continue
        target = (html_file.parent / feed[0]["href"]).resolve()
        assert target == (site.site / "feed.xml").resolve(), html_file
        identity = " ".join(page.select_one(".trial-identity").get_text(" ").split())
        assert "Protocol version 3.0 of 2024-09-15 · Registry record of 2026-01-15" in identity
        footer = " ".join(page.select_one("footer .trial-footer").get_text().split())
        assert "· Protocol version 3.0 of 2024-09-15 · Registry record of 2026-01-15" in footer


# --- the archive -------------------------------------------------------------------------


def test_each_version_has_its_trial_file_as_git_holds_it(site: Build, repo: Path) -> None:
    fix = git(repo, "log", "--format=%H", "--grep", "fix a typo").strip()
    first = git(repo, "log", "--format=%H", "--grep", "Protocol 1.0").strip()
    expected = {
        "1.0": git(repo, "show", f"{first}:{FILE}"),
        "2.0": git(repo, "show", f"{fix}:{FILE}"),
        "3.0": (repo / FILE).read_text(encoding="utf-8"),
    }
    for number, text in expected.items():
        assert (site.site / "versions" / number / "trial.yaml").read_text(encoding="utf-8") == text


def test_the_lookup_data_maps_every_fingerprint(site: Build) -> None:
    index = json.loads((site.site / "versions" / "index.json").read_text(encoding="utf-8"))
    current = index["current"]["fingerprint"]
    superseded = index["versions"][2]["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{8}", current) and re.fullmatch(r"[0-9a-f]{8}", superseded)
    assert index["fingerprints"][superseded] | {"titles": None} == {
        "versions": ["1.0"], "titles": None, "first_version": "1.0", "since": "2024-01-10",
        "state": "superseded", "superseded_by": "2.0", "superseded_on": "2024-06-01",
    }
    assert index["fingerprints"][current]["state"] == "current"
    assert index["fingerprints"][current]["versions"] == ["2.0", "3.0"]
    # the checklist page carries the same data in its head, and prints the current fingerprint
    checklist = BeautifulSoup(site.page("checklist"), "html.parser")
    embedded = json.loads(checklist.select_one("head script#trial-versions-data").string)
    assert embedded == index
    identity = " ".join(checklist.select_one(".trial-checklist__identity").get_text(" ").split())
    assert f"Checklist version {current}" in identity


def test_old_checklists_keep_their_own_words_version_and_fingerprint(site: Build) -> None:
    require_chromium()  # skips locally without Chromium, fails under CI=true
    index = json.loads((site.site / "versions" / "index.json").read_text(encoding="utf-8"))
    prints = {v["version"]: v["fingerprint"] for v in index["versions"]}
    for number, words in (("1.0", "≥ 130 mmHg"), ("2.0", "≥ 140 mmHg"), ("3.0", "≥ 140 mmHg")):
        for name in ("checklist-a4.pdf", "checklist-letter.pdf"):
            pdf = site.site / "versions" / number / name
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
            pages = text.split("\f")[:-1]
            assert pages, pdf
            for page in pages:
                assert f"Protocol version {number} of" in page, (pdf, page[:200])
                assert f"Checklist version {prints[number]}" in page, pdf
            assert words in " ".join(text.split()), pdf
    for name in ("checklist-a4.pdf", "checklist-letter.pdf"):
        current = site.site / "versions" / "3.0" / name
        assert filecmp.cmp(current, site.site / "checklist" / name, shallow=False)


# --- the feed ------------------------------------------------------------------------------


def _rfc3339(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", text or ""):
        return False
    datetime.fromisoformat(text.replace("Z", "+00:00"))
    return True


def atom_problems(data: bytes) -> list[str]:
    """What makes ``data`` not a valid Atom 1.0 feed (RFC 4287, sections 4.1 and 4.2)."""
    problems = []
    root = ET.fromstring(data)
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}"]

    def check(element: ET.Element, where: str) -> None:
        for name in ("id", "title", "updated"):
            found = element.findall(f"{ATOM}{name}")
            if len(found) != 1:
                problems.append(f"{where}: {len(found)} <{name}> elements")
        ident = element.findtext(f"{ATOM}id") or ""
        if not urlsplit(ident).scheme:
            problems.append(f"{where}: id {ident!r} is not an absolute IRI")
        if not _rfc3339(element.findtext(f"{ATOM}updated") or ""):
            problems.append(f"{where}: updated is not an RFC 3339 date-time")
        for text in element.findall(f"{ATOM}title") + element.findall(f"{ATOM}summary"):
            if text.get("type", "text") not in ("text", "html", "xhtml") or list(text):
                problems.append(f"{where}: bad text construct {text.tag}")
        alternates = [(lk.get("type"), lk.get("hreflang")) for lk in element.findall(f"{ATOM}link")
                      if lk.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            problems.append(f"{where}: two alternate links of one type")
        for link in element.findall(f"{ATOM}link"):
            if not link.get("href"):
                problems.append(f"{where}: a link without href")
        for author in element.findall(f"{ATOM}author"):
            if not (author.findtext(f"{ATOM}name") or "").strip():
                problems.append(f"{where}: an author without a name")

    check(root, "feed")
    entries = root.findall(f"{ATOM}entry")
    if not root.findall(f"{ATOM}author") and not all(e.findall(f"{ATOM}author") for e in entries):
        problems.append("feed: no author, and not every entry has one")
    for i, entry in enumerate(entries):
        check(entry, f"entry {i}")
        alternate = [lk for lk in entry.findall(f"{ATOM}link") if lk.get("rel", "alternate") == "alternate"]
        if not entry.findall(f"{ATOM}content") and not alternate:
            problems.append(f"entry {i}: neither content nor an alternate link")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    if len(ids) != len(set(ids)):
        problems.append("two entries share an id")
    return problems


def test_the_feed_is_valid_atom_with_an_entry_per_version_and_status_change(site: Build) -> None:
    data = (site.site / "feed.xml").read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')
    assert atom_problems(data) == []
    root = ET.fromstring(data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == [
        "Overall status Recruiting → Active not recruiting",
        "Protocol version 3.0 of 2024-09-15",
        "Protocol version 2.0 of 2024-06-01",
        "Protocol version 1.0 of 2024-01-10",
    ]
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    assert links[-1] == "changes/#version-1.0"
    page = BeautifulSoup(site.page("changes"), "html.parser")
    for link in links:
        assert page.find(id=link.split("#")[1]) is not None
    assert root.findtext(f"{ATOM}updated") == "2024-09-15T00:00:00Z"


def test_the_atom_checks_can_fail() -> None:
    bad = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
        b"<updated>2024-01-01</updated><entry><id>urn:a</id><title>a</title>"
        b"<updated>2024-01-01T00:00:00Z</updated></entry></feed>"
    )
    assert atom_problems(bad) == [
        "feed: id 'x' is not an absolute IRI",
        "feed: updated is not an RFC 3339 date-time",
        "feed: no author, and not every entry has one",
        "entry 0: neither content nor an alternate link",
    ]


# --- determinism ---------------------------------------------------------------------------


def test_two_builds_of_the_same_commit_are_byte_identical(site: Build, repo: Path, tmp_path: Path) -> None:
    again = build_site(tmp_path / "site", trial=repo / FILE)
    assert again.returncode == 0, again.stderr
    first = sorted(p.relative_to(site.site) for p in site.site.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again.site) for p in again.site.rglob("*") if p.is_file())
    assert first == second
    assert any(p.parts[0] == "versions" and p.suffix == ".pdf" for p in first) or not find_chromium()
    _, mismatch, errors = filecmp.cmpfiles(site.site, again.site, first, shallow=False)
    assert mismatch == [] and errors == []


# --- without history, and with an old version that no longer validates ----------------------


def test_without_git_history_only_the_current_version_is_known(repo: Path, tmp_path: Path) -> None:
    # as from a tarball: the same file, no repository around it
    copy = tmp_path / "unpacked" / FILE
    copy.parent.mkdir()
    shutil.copyfile(repo / FILE, copy)
    build = build_site(tmp_path / "site", trial=copy, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    text = article_text(build, "changes")
    assert "Only the current version is known: this copy of the source has no git history" in text
    assert list(versions(build)) == ["version-3.0"]
    assert "The earliest version known: earlier ones are not in this copy of the source." in text
    index = json.loads((build.site / "versions" / "index.json").read_text(encoding="utf-8"))
    assert index["history_known"] is False and len(index["versions"]) == 1
    assert sorted(p.name for p in (build.site / "versions").iterdir()) == ["3.0", "index.json"]
    feed = (build.site / "feed.xml").read_bytes()
    assert atom_problems(feed) == [] and len(ET.fromstring(feed).findall(f"{ATOM}entry")) == 1


def test_an_old_version_that_fails_todays_model_is_shown_as_a_text_diff(tmp_path: Path) -> None:
    repo = invalid_old_version(tmp_path / "repo")
    build = build_site(tmp_path / "site", trial=repo / FILE, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    two, one = versions(build).values()
    assert "Changes from version 1.0, as text Version 1.0 does not pass today's checks" in two
    assert "This version does not pass today's checks of the trial file" in one
    line = next(
        i for i, t in enumerate((build.site / "versions/1.0/trial.yaml").read_text().splitlines(), 1)
        if "recruitment:" in t
    )
    assert f"line {line}, column 3: status.recruitment : unknown key 'recruitment'" in one
    assert "Checklist version unknown" in one
    page = BeautifulSoup(build.page("changes"), "html.parser")
    diff = page.select_one("#version-2\\.0 pre.trial-textdiff")
    assert {"-  recruitment: open", "-  version: '1.0'"} <= {d.get_text() for d in diff.select("del")}
    assert "+  version: '2.0'" in [i.get_text() for i in diff.select("ins")]
    index = json.loads((build.site / "versions" / "index.json").read_text(encoding="utf-8"))
    assert [v["valid"] for v in index["versions"]] == [True, False]
    assert index["versions"][1]["fingerprint"] is None and len(index["fingerprints"]) == 1
    first = git(repo, "show", f"HEAD~1:{FILE}").encode()
    assert (build.site / "versions/1.0/trial.yaml").read_bytes() == first
    assert atom_problems((build.site / "feed.xml").read_bytes()) == []


def test_the_trial_without_a_protocol_version_says_only_its_record_is_known(built_site: Build) -> None:
    text = article_text(built_site, "changes")
    assert (
        "Only the current registry record is known. The trial file states no protocol version, "
        "so there are no versions to compare; this site shows the registry record of 2025-08-05."
    ) in text
    index = json.loads((built_site.site / "versions" / "index.json").read_text(encoding="utf-8"))
    assert index["versioned"] is False and index["current"]["version"] is None
    assert atom_problems((built_site.site / "feed.xml").read_bytes()) == []


def test_hostile_version_numbers_and_summaries_stay_text(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    payload = '"</script><script>window.__pwned = 1</script> {{ 7*7 }} **bold** &amp;'
    old = base_data()
    old["protocol"] = {"version": "1.0 <b>old</b>", "summary": f"Summary {payload}"}
    commit(repo, old, "1", "2024-01-01T10:00:00+00:00")
    new = base_data()
    new["protocol"] = {"version": f"2.0 {payload}", "date": "2024-02-01"}
    commit(repo, new, "2", "2024-02-01T10:00:00+00:00")
    build = build_site(tmp_path / "site", trial=repo / FILE, **NO_PDFS)
    assert build.returncode == 0, build.stderr
    assert sorted(p.name for p in (build.site / "versions").iterdir()) == [
        "1.0-b-old-b", "2.0-script-script-window.__pwned-1-script-7-7-bold-amp", "index.json",
    ]
    for html_file in build.site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in html, html_file
        assert "<b>old</b>" not in html, html_file
    text = article_text(build, "changes")
    assert f"Protocol version 2.0 {payload} of 2024-02-01" in text
    assert f"Summary {payload}" in text and " 49 " not in text
    checklist = BeautifulSoup(build.page("checklist"), "html.parser")
    data = json.loads(checklist.select_one("head script#trial-versions-data").string)
    assert data["current"]["version"] == f"2.0 {payload}"
    feed = ET.fromstring((build.site / "feed.xml").read_bytes())
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == [
        f"Protocol version 2.0 {payload} of 2024-02-01", "Protocol version 1.0 <b>old</b> of 2024-01-01"
    ]
