"""axe-core in a page driven by Playwright: the WCAG 2.2 AA rules, and a reflow check at narrow widths.

axe-core comes from npm at set-up time (`make setup`, pinned in package.json) and is never committed. It is
evaluated into the page through the DevTools protocol (`page.evaluate`), which a Content-Security-Policy does
not govern, so the pages are scanned exactly as served: nothing relaxes their policy for the scan.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 320)  # a desktop, and 1280 px at 400% zoom: WCAG 1.4.10 reflow

# Rules outside the WCAG tags that the GOV.UK way keeps anyway: one main landmark, content in landmarks, a
# skip link that works, one h1 and no skipped heading levels.
STRUCTURE = [
    "landmark-one-main",
    "landmark-unique",
    "region",
    "skip-link",
    "page-has-heading-one",
    "heading-order",
]

# Runs the rules of the WCAG tags plus the structural ones, over the whole document.
_RUN = """async ([tags, extra]) => {
  const rules = axe.getRules(tags).map(rule => rule.ruleId).concat(extra);
  const results = await axe.run(document, {runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""

# Elements that reach past the window's right edge, or whose own text runs out of their box, unless a scrolling
# box holds them: a wide table in a focusable region scrolls on its own, which WCAG 1.4.10 allows for data
# tables. The document itself scrolls (GOV.UK Frontend sets overflow-y on it), so the search stops at the body.
# A glyph's overhang of a pixel or two past its box is not text cut off, so text must spill by more than 3 px.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const HIDDEN = ".govuk-visually-hidden, .govuk-visually-hidden-focusable, .govuk-skip-link";  // clipped until focused
  const scrolls = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
  } return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const right = node => { const text = document.createRange(); text.selectNodeContents(node);
    return text.getBoundingClientRect().right; };
  const spill = (el, box) => Math.max(0, ...[...el.childNodes]
    .filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => right(n) - box.right));
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || scrolls(el) || el.closest(HIDDEN)) continue;
    if (box.right > width + 1) wide.push(name(el) + " reaches " + Math.round(box.right) + " px");
    else if (spill(el, box) > 3) wide.push(name(el) + "'s text runs " + Math.round(spill(el, box)) + " px past it");
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


@dataclass(frozen=True)
class Finding:
    """One page's problem at one width, as a person fixing it needs to read it."""

    where: str
    width: int
    text: str


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: `make setup` fetches axe-core from npm (package.json)")
    return AXE.read_text()


def scan(page: Page, where: str) -> list[Finding]:
    """axe's violations and any horizontal overflow of the page as loaded, at each width in turn. Every
    `<details>` is opened first: axe passes over hidden content, and what they hide must pass too."""
    findings: list[Finding] = []
    page.evaluate("() => document.querySelectorAll('details').forEach(details => { details.open = true; })")
    height = page.viewport_size["height"] if page.viewport_size else 900
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        if not page.evaluate("() => typeof axe === 'object'"):
            page.evaluate(axe_source())
        findings += [Finding(where, width, _described(v)) for v in page.evaluate(_RUN, [TAGS, STRUCTURE])]
        findings += reflow(page, where, width)
    return findings


def _described(violation: dict[str, Any]) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['url']}>"]
    for node in violation["nodes"][:8]:
        lines.append(f"    at {node['target']}: {node['html'][:160]}")
        lines.extend(f"      {line}" for line in node["summary"].splitlines()[1:3])
    if len(violation["nodes"]) > 8:
        lines.append(f"    and {len(violation['nodes']) - 8} more elements")
    return "\n".join(lines)


def reflow(page: Page, where: str, width: int) -> list[Finding]:
    """What is wider than the window at this width (the page is not resized here); sync, so it also runs
    where JavaScript is off and axe cannot."""
    measured = page.evaluate(_OVERFLOW)
    if measured["scrollWidth"] <= measured["width"] and not measured["wide"]:
        return []
    lines = [f"reflow (WCAG 1.4.10): the page is {measured['scrollWidth']} px wide in a {measured['width']} px window"]
    lines += [f"    {element}" for element in measured["wide"]]
    return [Finding(where, width, "\n".join(lines))]


def report(findings: list[Finding]) -> str:
    return "\n".join(f"{f.where} at {f.width} px wide:\n  {f.text}" for f in findings)
