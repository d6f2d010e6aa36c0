"""Accessibility of the checklist, eligibility and design pages, in Chromium, in
both palettes: axe-core, focus that is seen and never hidden, tap targets, and
a result that a screen reader hears when it changes.

Contrast ratios follow WCAG 2.2 (relative luminance of sRGB colours): text
4.5:1 (axe's color-contrast rule), focus indicators 3:1 against what is behind
them (non-text contrast).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser import launch, require_chromium, serve
from conftest import ROOT, Build
from macros.site.loading import load_trial
from prescreen_page import ELIGIBLE, answer_manual_criteria, fill, open_tab, overall

playwright_api = pytest.importorskip("playwright.sync_api")

PAGES = ["checklist", "eligibility", "design"]
SCHEMES = {"light": "default", "dark": "slate"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 740}


@pytest.fixture(scope="module")
def base_url(built_site: Build) -> Iterator[str]:
    with serve(built_site.site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_page(browser, base_url: str, name: str, scheme: str, viewport=DESKTOP):  # type: ignore[no-untyped-def]
    tab = open_tab(browser, base_url + f"{name}/", color_scheme=scheme, viewport=viewport)
    page = tab.page
    # The palette follows the system setting: make sure the one under test is on.
    assert page.evaluate("document.body.dataset.mdColorScheme") == SCHEMES[scheme]
    return tab


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=".md-content")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]} "
        f"{v['nodes'][0].get('failureSummary', '')}"
        for v in results.response["violations"]
    ]


# --- axe-core ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation_of_any_impact_in_the_content(browser, base_url, name, scheme) -> None:
    tab = open_page(browser, base_url, name, scheme)
    if name == "design":
        # The figure's table is in a closed <details>: open it so that axe checks it too.
        tab.page.locator("details.trial-curve__data summary").click()
    assert axe_violations(tab.page) == []
    assert tab.errors == []
    tab.page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_in_a_pre_screen_in_use(browser, base_url, scheme) -> None:
    """Results, refused values, flagged dates and an added row, all on screen at once."""
    tab = open_page(browser, base_url, "checklist", scheme)
    page = tab.page
    fill(page, {**ELIGIBLE, "ps-age_years-0-value": "200", "ps-platelets-1-date": "2024-06-10",
                "ps-alt-0-value": "2,1", "ps-alt-0-uln": "0,7", "ps-lvef-0-value": "1,000"})
    answer_manual_criteria(page, load_trial(ROOT / "data" / "trial.yaml"))
    page.get_by_role("button", name="Add another platelet count").click()
    assert page.locator("[aria-invalid=true]").count() == 3
    assert axe_violations(page) == []
    tab.page.context.close()


# --- focus: seen, and never under the header -----------------------------------------------

# Where the focused element is, what covers the top of the page, and how its
# focus indicator contrasts with what is behind it.
FOCUS = """() => {
  const e = document.activeElement;
  const inContent = !!e.closest('.md-content');
  const r = e.getBoundingClientRect();
  const header = document.querySelector('.md-header').getBoundingClientRect();
  const top = document.querySelector('.md-top');
  const t = top.getBoundingClientRect();
  const topShown = !top.hidden && getComputedStyle(top).display !== 'none' &&
    getComputedStyle(top).visibility !== 'hidden' && +getComputedStyle(top).opacity > 0 && t.height > 0;
  const rgba = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const over = (a, b) => [0, 1, 2].map((i) => a[i] * a[3] + b[i] * (1 - a[3])).concat([1]);
  // What is painted behind an element: its ancestors' backgrounds, composited.
  const behind = (node) => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => (
      v /= 255, v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(e);
  const back = behind(e.parentElement);
  const ring = over(rgba(style.outlineColor), back);
  const [hi, lo] = [lum(ring), lum(back)].sort((a, b) => b - a);
  return {
    id: e.id || (e.tagName + ' ' + (e.getAttribute('href') || e.className || e.textContent.slice(0, 30))),
    inContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    header: header.bottom, height: innerHeight,
    cover: topShown ? [t.top, t.bottom, t.left, t.right] : null,
    outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
    contrast: (hi + 0.05) / (lo + 0.05),
  };
}"""


def stops(page, key: str, limit: int = 400) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every keyboard stop in the page content, pressing ``key`` from where focus is."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = page.evaluate(FOCUS)
        if stop["inContent"]:
            seen.append(stop)
        elif seen:
            return seen
    raise AssertionError(f"{key} did not leave the content after {limit} stops")


def hidden(stop: dict) -> bool:
    if stop["top"] < stop["header"] - 0.5 or stop["bottom"] > stop["height"] + 0.5:
        return True
    cover = stop["cover"]
    return bool(cover) and stop["top"] < cover[1] and stop["bottom"] > cover[0] and (
        stop["left"] < cover[3] and stop["right"] > cover[2]
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_shift_tab_and_tab_never_leave_the_focus_under_the_sticky_header(browser, base_url, viewport) -> None:
    tab = open_page(browser, base_url, "checklist", "light", viewport)
    page = tab.page
    page.locator("#ps-clear").focus()
    backwards = stops(page, "Shift+Tab")
    assert len(backwards) > 80
    assert [s["id"] for s in backwards if hidden(s)] == []
    page.locator(".md-content a").first.focus()
    forwards = stops(page, "Tab")
    assert [s["id"] for s in forwards if hidden(s)] == []
    tab.page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_every_focus_indicator_has_3_to_1_contrast(browser, base_url, name, scheme) -> None:
    tab = open_page(browser, base_url, name, scheme)
    page = tab.page
    if name == "design":
        page.locator("details.trial-curve__data summary").click()
    page.keyboard.press("Tab")  # keyboard use makes :focus-visible apply
    page.locator(".md-content").evaluate("(content) => content.querySelector('a, input, button').focus()")
    found = stops(page, "Tab")
    assert len(found) >= 3
    weak = [
        (s["id"], s["outline"], s["width"], round(s["contrast"], 2))
        for s in found
        if s["outline"] in ("none", "auto") or s["width"] < 2 or s["contrast"] < 3
    ]
    assert weak == [], "\n".join(map(str, weak))
    tab.page.context.close()


# --- tap targets, button text --------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_control_of_the_pre_screen_is_at_least_24_by_24_px(browser, base_url, viewport) -> None:
    tab = open_page(browser, base_url, "checklist", "light", viewport)
    small = tab.page.locator("#trial-prescreen input, #trial-prescreen button").evaluate_all(
        """(controls) => controls.map((c) => [c.id || c.textContent, c.getBoundingClientRect()])
            .filter(([, r]) => r.width < 24 || r.height < 24)
            .map(([id, r]) => `${id}: ${r.width} x ${r.height}`)"""
    )
    assert small == []
    assert tab.page.locator("#trial-prescreen input[type=radio]").count() > 20
    tab.page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_secondary_buttons_read_at_4_5_to_1(browser, base_url, scheme) -> None:
    tab = open_page(browser, base_url, "checklist", scheme)
    ratios = tab.page.evaluate(
        """() => [...document.querySelectorAll('#trial-prescreen button')].map((b) => {
          const rgba = (c) => c.match(/[\\d.]+/g).map(Number);
          const lum = (c) => {
            const [r, g, bl] = c.slice(0, 3).map((v) => (
              v /= 255, v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
            return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
          };
          let back = b;
          while (rgba(getComputedStyle(back).backgroundColor)[3] === 0) back = back.parentElement;
          const text = lum(rgba(getComputedStyle(b).color));
          const [hi, lo] = [text, lum(rgba(getComputedStyle(back).backgroundColor))].sort((x, y) => y - x);
          return [b.textContent, (hi + 0.05) / (lo + 0.05)];
        })"""
    )
    names = [name for name, _ in ratios]
    assert {"Clear all", "Add another platelet count", "Print filled checklist"} <= set(names)
    assert [(name, round(r, 2)) for name, r in ratios if r < 4.5] == []
    tab.page.context.close()


# --- the result, announced -------------------------------------------------------------------


def test_the_overall_result_is_a_polite_live_region_that_changes_only_with_the_result(
    browser, base_url
) -> None:
    tab = open_page(browser, base_url, "checklist", "light")
    page = tab.page
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#trial-prescreen-live"})["nodeId"]
    [ax, *_] = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
    properties = {p["name"]: p["value"]["value"] for p in ax.get("properties", [])}
    assert ax["role"]["value"] == "status"
    assert properties.get("live") == "polite" and properties.get("atomic") is True
    # Nothing else in the pre-screen is live: the per-criterion lines would chatter.
    assert page.locator("#trial-prescreen [aria-live]").count() == 1
    page.evaluate(
        """() => {
          window.announced = [];
          new MutationObserver(() => window.announced.push(
            document.getElementById('trial-prescreen-live').textContent))
            .observe(document.getElementById('trial-prescreen-live'),
                     {childList: true, characterData: true, subtree: true});
        }"""
    )
    field = page.locator("#ps-age_years-0-value")
    field.press_sequentially("17")  # "1" makes the patient not eligible; "7" changes nothing
    field.press("End")
    page.locator("#ps-nyha_class-0-value").press_sequentially("2")
    field.fill("")
    page.wait_for_timeout(50)
    assert page.evaluate("window.announced") == [
        "Pre-screen: not eligible (I2)",
        "Pre-screen: incomplete, 24 criteria unknown",
    ]
    assert overall(page)[0] == "incomplete"
    tab.page.context.close()
