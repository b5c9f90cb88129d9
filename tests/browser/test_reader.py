"""The reader's experience, tested in a real browser.

Headless Chromium (/usr/bin/chromium, driven by Playwright) reads the site as Read the Docs
builds it (``outputs``), served on 127.0.0.1 under the path of html_baseurl, 404.html for a
missing URL. Every page is toured on a desktop and a phone, light and dark (axe-core, requests,
console, sideways scrolling, the timeline picture, keyboard focus, the timelines' reading order;
screenshots in _build/screenshots/); then what only hands show: the navigation drawer, search,
the skip link.
Set-up (done by `make test`): `make system-deps`; `npm ci --prefix tests/browser` (axe-core).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright import sync_api as pw
from sphinx.cmd.build import build_main

from conftest import Outputs, local_server
from publication import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# No sandbox (containers, root), no GPU, none of a fresh profile's background traffic.
CHROMIUM_ARGS = [
    *("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"),
    *("--disable-component-update", "--disable-default-apps", "--no-first-run"),
    "--no-default-browser-check",
]
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
}
MODES = list(itertools.product(DEVICES, ("light", "dark")))
KEYBOARD = [("desktop", "light"), ("phone", "dark")]  # the modes the keyboard is tried in
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # axe-core: WCAG 2.0 and 2.1, A and AA
# What must fit a phone whole, not even scrolling inside itself: the infobox and the
# timelines; but the timeline picture scrolls in its own box (.tl-axis-scroll).
MUST_FIT = "article aside, article figure:not(.tl-axis), article [class*='timeline'], .tl-item"
FRONT, PICTURE, MISSING = "index.html", "timeline/index.html", "no-such-page.html"
Record = defaultdict[str, list[str]]  # what the browser asked for and what went wrong, by kind
Opener = Callable[..., pw.Page]

# JavaScript run in the pages. lum(): the relative luminance of a colour, "rgb(r, g, b)",
# defined in every page new_context opens.
LUM = """window.lum = css => {
  const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(lin);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };"""
AXE_JS = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations']})).violations.map(v => `${v.id} (${v.impact}) ${v.help}: `
  + v.nodes.map(n => n.target.join(' ')).join(', '))"""
# What scrolls sideways: the page, or a box around the article that can scroll (furo's
# content column does below 46em); what in the article sticks out of the viewport, unless a box
# inside the article scrolls or clips it (the picture's); what in mustFit does not fit whole.
OVERFLOW_JS = """(mustFit) => {
  const page = document.documentElement, article = document.querySelector('article'), out = [];
  const name = el => el === page ? 'the page' : el.tagName.toLowerCase()
    + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join('');
  const overflow = el => getComputedStyle(el).overflowX;
  const wide = el => el.scrollWidth > el.clientWidth + 1;
  const outside = r => r.left < -1 || r.right > page.clientWidth + 1;
  const at = r => `${Math.round(r.left)}..${Math.round(r.right)} px`;
  const boxed = el => { for (let a = el.parentElement; a && a !== article; a = a.parentElement)
    if (['auto', 'scroll', 'hidden', 'clip'].includes(overflow(a))) return true; };
  for (let a = article.parentElement; a; a = a.parentElement)
    if ((a === page || ['auto', 'scroll'].includes(overflow(a))) && wide(a))
      out.push(`${name(a)} scrolls sideways: ${a.scrollWidth} px wide in ${a.clientWidth} px`);
  for (const el of article.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && outside(r) && !boxed(el)) out.push(`${name(el)} spans ${at(r)}`);
  }
  for (const el of document.querySelectorAll(mustFit)) {
    const r = el.getBoundingClientRect();
    if (r.width && (outside(r) || wide(el)))
      out.push(`${name(el)} does not fit: ${at(r)}, ${el.scrollWidth} px in ${el.clientWidth}`);
  }
  return out; }"""
# The timeline picture: labels that overlap, links to no id or with no name, colours of
# too little contrast with the page (text 4.5:1, marks 3:1), a box that does not scroll.
PICTURE_JS = """(narrow) => {
  const svg = document.querySelector('svg.tl-ax'), out = [];
  let bg = svg;
  while (getComputedStyle(bg).backgroundColor.match(/, 0\\)$|transparent/)) bg = bg.parentElement;
  const back = lum(getComputedStyle(bg).backgroundColor);
  const contrast = el => { const l = lum(getComputedStyle(el).fill);
    return (Math.max(l, back) + 0.05) / (Math.min(l, back) + 0.05); };
  const labels = [...svg.querySelectorAll('text.tl-ax-label')], links = svg.querySelectorAll('a');
  const boxes = labels.map(t => t.getBoundingClientRect());
  boxes.forEach((a, i) => boxes.forEach((b, k) => k > i && a.left < b.right && b.left < a.right
    && a.top < b.bottom && b.top < a.bottom && out.push(`label ${i} overlaps label ${k}`)));
  for (const a of links) {
    const href = a.getAttribute('href'), id = href?.match(/^#(.+)/)?.[1];
    if (!id || !document.getElementById(decodeURIComponent(id))) out.push(`${href} is to no id`);
    if (!a.getAttribute('aria-label')?.trim()) out.push(`${href} has no name`);
  }
  for (const [what, least] of [['.tl-ax-label', 4.5], ['.tl-ax-year', 4.5], ['.tl-ax-mark', 3]]) {
    const c = Math.min(...[...svg.querySelectorAll(what)].map(contrast));
    if (!(c >= least)) out.push(`${what}: contrast ${c.toFixed(2)}:1, below ${least}:1`);
  }
  const box = svg.closest('.tl-axis-scroll');
  if (narrow && !(box.scrollWidth > box.clientWidth)) out.push('its box does not scroll');
  return labels.length && links.length ? out : ['no labels or links']; }"""
# Scrolled to, then each animation finished, so that its pixels can be compared; the box
# it scrolls in, if any.
SHOW_JS = """async el => {
  el.scrollIntoView({block: 'center', inline: 'start', behavior: 'instant'});
  for (const _ of [1, 2]) await new Promise(done => requestAnimationFrame(done));
  await Promise.all(document.getAnimations().map(a => a.finished));
  for (let a = el.parentElement; a; a = a.parentElement)
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX))
      return a.getBoundingClientRect().toJSON(); }"""
# A tab stop's kind: its tag and classes, and those of its parent and of the box it is in.
KIND_JS = """el => [el, el.parentElement, el.closest('aside, nav, footer, header, svg, ol, dl')]
  .map(e => e ? e.tagName + '.' + [...e.classList].sort().join('.') : '').join(' ')"""
# Timeline items out of reading order: along the axis the timeline runs (sideways when its
# ends are further apart sideways, else down), each must come after the one before it.
TIMELINE_ORDER_JS = """() => {
  const pos = [...document.querySelectorAll('.tl-item')].map(i => i.getBoundingClientRect())
    .map(r => [r.left + scrollX, r.top + scrollY]);
  if (pos.length < 2) return [];
  const [first, last] = [pos[0], pos[pos.length - 1]];
  const axis = Math.abs(last[0] - first[0]) > Math.abs(last[1] - first[1]) ? 0 : 1;
  return pos.slice(1).flatMap((p, k) => p[axis] < pos[k][axis]
    ? [`item ${k + 2} is shown before item ${k + 1}`] : []); }"""


class Site(NamedTuple):
    origin: str  # http://127.0.0.1:<port>
    base: str  # the origin and the path of html_baseurl: where pages are found by name
    pages: list[str]  # every page, e.g. relations/index.html; 404.html as MISSING
    timelines: dict[str, int]  # the pages with a timeline, and its number of items


@pytest.fixture(scope="module")
def site(outputs: Outputs) -> Iterator[Site]:
    root = outputs.html
    link = BeautifulSoup((root / FRONT).read_bytes(), "html.parser").find(rel="canonical")
    assert link is not None, "index.html has no canonical link: is html_baseurl set?"
    prefix = urlsplit(link["href"]).path.removesuffix(FRONT)

    class Handler(SimpleHTTPRequestHandler):
        """The site under `prefix`; anything else is missing: 404, with the site's 404.html."""

        error_message_format = (root / "404.html").read_text("utf-8").replace("%", "%%")

        def translate_path(self, path: str) -> str:
            inside = path.startswith(prefix)
            return super().translate_path(path.removeprefix(prefix[:-1])) if inside else ""

        def list_directory(self, path: str) -> None:  # a folder without index.html is missing
            self.send_error(404)

        def log_message(self, *args: object) -> None:  # quiet: the tests report failures
            pass

    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    pages = [p for p in found if not p.startswith(("_", ".", "404.html"))]
    items = {p: (root / p).read_text("utf-8").count('"tl-item') for p in pages}
    timelines = {p: n for p, n in items.items() if n}
    with local_server(partial(Handler, directory=str(root))) as server:
        origin = f"http://127.0.0.1:{server.server_port}"
        yield Site(origin, origin + prefix, [MISSING, *pages], timelines)


@pytest.fixture(scope="module")
def browser() -> Iterator[pw.Browser]:
    for need, fix in ((CHROMIUM, "make system-deps"), (AXE, "npm ci --prefix tests/browser")):
        if not need.exists():
            pytest.fail(f"{need} is missing: run `{fix}`")
    with pw.sync_playwright() as playwright:
        yield playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_context(
    browser: pw.Browser, site: Site, device: str, scheme: str, record: Record
) -> pw.BrowserContext:
    """A fresh profile on this device in this colour scheme, opening pages by their name in
    the site; requests to other hosts ("foreign"), failures ("failed") and console errors
    ("errors") go in `record`."""
    context = browser.new_context(
        base_url=site.base, color_scheme=scheme, reduced_motion="reduce", **DEVICES[device]
    )
    local = (f"{site.origin}/", "data:", "blob:", "about:")  # served here, or made in the page
    missing = site.base + MISSING

    def refuse(route: pw.Route) -> None:  # a run sends nothing out
        record["foreign"].append(route.request.url)
        route.abort("blockedbyclient")

    def on_failed(request: pw.Request) -> None:
        # net::ERR_ABORTED is the browser cancelling a request itself (a page left before
        # a late favicon came); a server's refusal shows as an HTTP status.
        if request.failure != "net::ERR_ABORTED":
            record["failed"].append(f"{request.url}: {request.failure}")

    def on_response(response: pw.Response) -> None:
        if response.status >= 400 and (response.url, response.status) != (missing, 404):
            record["failed"].append(f"{response.url}: HTTP {response.status}")

    def on_console(message: pw.ConsoleMessage) -> None:
        # Chromium logs the 404 status of the missing page itself as an error.
        expected = message.location.get("url") == missing and "404" in message.text
        if message.type == "error" and not expected:
            record["errors"].append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.route(lambda url: not url.startswith(local), refuse)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    context.on("console", on_console)
    context.on("weberror", lambda e: record["errors"].append(f"uncaught: {e.error}"))
    context.add_init_script(LUM)
    return context


def in_viewport(page: pw.Page, box: dict | None) -> bool:
    size = page.viewport_size
    return bool(box and box["width"] and box["height"] and box["x"] >= 0 and box["y"] >= 0) and (
        box["x"] + box["width"] <= size["width"] and box["y"] + box["height"] <= size["height"]
    )


def tab_through(page: pw.Page, limit: int = 150) -> Iterator[pw.ElementHandle]:
    """Each element that Tab focuses from the top, until focus leaves or comes back round."""
    page.evaluate("() => { document.activeElement?.blur(); window.__stops = new Set(); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        el = page.evaluate_handle("document.activeElement").as_element()
        if not el.evaluate("el => el !== document.body && !__stops.has(el) && !!__stops.add(el)"):
            return
        yield el
    raise AssertionError(f"more than {limit} tab stops")


def describe(element: pw.ElementHandle) -> str:
    return element.evaluate("el => el.outerHTML.slice(0, 100)")


def screenshot(device: str, scheme: str, page: str) -> Path:
    name = "404" if page == MISSING else page.removesuffix(".html")
    return SCREENSHOTS / f"{device}-{scheme}" / f"{name}.png"


def focus_problems(page: pw.Page, drawn: set[str]) -> list[str]:
    """Tab stops off screen when focused, or whose focus is not drawn: the pixels around one
    do not change when it loses focus (tried for the first of each kind, then added to
    `drawn`); links of the timeline picture that Tab does not reach."""
    problems, in_picture = [], 0
    for element in tab_through(page):
        in_picture += element.evaluate("el => el.closest('svg.tl-ax') ? 1 : 0")
        room, box = element.evaluate(SHOW_JS), element.bounding_box()
        # Too wide for the box it scrolls in (a row of the timeline picture, label to
        # mark): seen from its start, as far as the box shows.
        if box and room and box["width"] > room["width"] and box["x"] >= room["x"] - 1:
            box["width"] = room["x"] + room["width"] - box["x"]
        if not in_viewport(page, box):
            problems.append(f"off screen: {describe(element)}")
            continue
        kind = element.evaluate(KIND_JS)  # the same CSS draws the focus of one kind
        if kind in drawn:
            continue
        # The tab stop and 4 px around it, where an outline is drawn (Playwright trims
        # the clip to the viewport).
        x, y, width, height = box["x"] - 4, box["y"] - 4, box["width"] + 8, box["height"] + 8
        clip = {"x": x, "y": y, "width": width, "height": height}
        focused = page.screenshot(clip=clip, animations="disabled")
        element.evaluate("el => el.blur()")
        if focused == page.screenshot(clip=clip, animations="disabled"):
            problems.append(f"focus not drawn: {describe(element)}")
        element.evaluate("el => el.focus({focusVisible: true})")
        drawn.add(kind)
    links = page.locator("svg.tl-ax a").count()
    if in_picture != links:
        problems.append(f"Tab reaches {in_picture} of the timeline picture's {links} links")
    return problems


def timeline_problems(page: pw.Page) -> list[str]:
    """What keeps a keyboard or screen-reader user from reading the timeline as it is seen:
    items shown out of reading order; links Tab reaches out of order (one Tab a link)."""
    problems, links = page.evaluate(TIMELINE_ORDER_JS), page.query_selector_all(".tl-item a[href]")
    focused = "links => links.indexOf(document.activeElement)"
    if links:
        links[0].focus()
    order = [page.evaluate(focused, links)]
    for _ in links[1:]:
        page.keyboard.press("Tab")
        order.append(page.evaluate(focused, links))
    if order != list(range(len(links))):
        problems.append(f"Tab reaches the timeline's links as {order}, not 0..{len(links) - 1}")
    return problems


@pytest.fixture(scope="module")
def tour(browser: pw.Browser, site: Site) -> Record:
    """Every page on every device in each scheme, visited once: what is wrong, by check. The
    keyboard is tried on the front page, the Timeline page and the page with the longest
    timeline (every other page has the same theme around fewer links), and on each timeline."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    tour: Record = defaultdict(list)
    longest = max(site.timelines, key=site.timelines.get)
    for device, scheme in MODES:
        page = new_context(browser, site, device, scheme, tour).new_page()
        keyboard, drawn = (device, scheme) in KEYBOARD, set()
        for name in site.pages:
            page.goto(name)
            page.evaluate("document.fonts.ready")
            tour["visits"].append(name)
            found: dict[str, list[str]] = {}  # what is wrong with this page, by check
            luminance = page.evaluate("lum(getComputedStyle(document.body).backgroundColor)")
            if (scheme == "dark") != (luminance < 0.2):
                found["scheme"] = [f"background luminance {luminance:.2f}"]
            page.add_script_tag(path=AXE)
            found["axe"] = page.evaluate(AXE_JS, WCAG_TAGS)
            found["overflow"] = page.evaluate(OVERFLOW_JS, MUST_FIT)
            shot = screenshot(device, scheme, name)
            page.screenshot(path=shot, full_page=True, animations="disabled")
            if name == PICTURE:
                found["picture"] = page.evaluate(PICTURE_JS, device == "phone")
                shot = screenshot(device, scheme, "timeline-picture")
                page.locator("figure.tl-axis").screenshot(path=shot)
            if keyboard and name in (FRONT, PICTURE, longest):
                found["focus"] = focus_problems(page, drawn)
            if keyboard and name in site.timelines:
                found["order"] = timeline_problems(page)
            for check, problems in found.items():
                tour[check] += [f"{name} ({device}, {scheme}): {p}" for p in problems]
        page.context.close()
    return tour


def test_every_page_was_visited_and_saved(tour: Record, site: Site) -> None:
    assert {FRONT, "search.html", PICTURE, MISSING} <= set(site.pages)
    assert PICTURE in site.timelines, "the Timeline page has no timeline (.tl-item)"
    assert tour["visits"] == site.pages * len(MODES)
    for (device, scheme), name in itertools.product(MODES, [*site.pages, "timeline-picture"]):
        assert screenshot(device, scheme, name).read_bytes().startswith(b"\x89PNG"), name


# scheme: light and dark take effect; axe: no WCAG 2.1 A or AA violation of any impact;
# overflow: nothing scrolls sideways but the picture's own box; picture: its labels apart, its
# links named and leading into the page, its contrast; focus: every tab stop seen and its focus
# drawn, Tab reaches the picture's links; order: timelines read as they are seen; foreign: no
# request to another host; failed: no request fails; errors: none in the console.
CHECKS = ["scheme", "axe", "overflow", "picture", "focus", "order", "foreign", "failed", "errors"]


@pytest.mark.parametrize("check", CHECKS)
def test_the_tour_finds_nothing_wrong(tour: Record, check: str) -> None:
    assert not tour[check], "\n".join(tour[check])


def test_the_recording_catches_what_it_must(browser: pw.Browser, site: Site) -> None:
    """A web font from a CDN, a tracking pixel, a missing file and a script error are caught."""
    record: Record = defaultdict(list)
    with new_context(browser, site, "desktop", "light", record) as context:
        page = context.new_page()
        page.goto(FRONT)
        page.evaluate("""async () => {
          const font = new FontFace('P', 'url(https://fonts.example.com/planted.woff2)');
          await font.load().catch(() => {});
          await new Promise(done => Object.assign(new Image(),
            {onload: done, onerror: done, src: 'http://192.0.2.1/pixel.gif'}));
          await fetch('_static/no-such-file.css').catch(() => {});
          setTimeout(() => { throw new Error('planted error'); });
          await new Promise(done => setTimeout(done, 100)); }""")
    planted = ["http://192.0.2.1/pixel.gif", "https://fonts.example.com/planted.woff2"]
    assert sorted(record["foreign"]) == planted
    failed = "\n".join(record["failed"])
    assert "pixel.gif: net::ERR_BLOCKED_BY_CLIENT" in failed, failed
    assert "no-such-file.css: HTTP 404" in failed, failed
    assert any("planted error" in error for error in record["errors"])


@pytest.fixture
def open_page(browser: pw.Browser, site: Site) -> Iterator[Opener]:
    """open_page(device, scheme, name): a page of the site in a fresh profile; when the test
    ends, nothing may have failed and no error may have been logged."""
    record: Record = defaultdict(list)
    contexts: list[pw.BrowserContext] = []

    def opener(device: str, scheme: str = "light", name: str = FRONT) -> pw.Page:
        contexts.append(new_context(browser, site, device, scheme, record))
        page = contexts[-1].new_page()
        page.goto(name)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert not record["failed"] + record["errors"]


def test_navigation_drawer_by_touch_and_by_keyboard(open_page: Opener) -> None:
    """furo's menu control is a <label>; reader.js makes it a real <button>. (That the closed
    drawers take no focus, the tour's focus check shows: their links would be off screen.)"""
    phone = open_page("phone")
    drawer, menu = phone.locator(".sidebar-drawer"), phone.locator("button.nav-overlay-icon")
    link = drawer.get_by_role("link", name="See also")
    pw.expect(drawer).not_to_be_in_viewport()  # closed before it is asked for
    pw.expect(link).to_be_hidden()
    menu.tap()
    pw.expect(drawer).to_be_in_viewport(ratio=1)
    assert in_viewport(phone, link.bounding_box())
    phone.screenshot(path=screenshot("phone", "light", "navigation-open"))
    link.tap()
    phone.wait_for_url("see-also/index.html")

    phone.goto("relations/index.html")
    assert phone.locator("label[role], label.nav-overlay-icon, label.toc-overlay-icon").count() == 0
    is_menu = "el => el.matches('button.nav-overlay-icon')"
    assert sum(stop.evaluate(is_menu) for stop in tab_through(phone)) == 1, "not one tab stop"
    assert menu.get_attribute("type") == "button" and menu.get_attribute("aria-label")
    pw.expect(menu).to_have_attribute("aria-expanded", "false")
    for key in ("Enter", "Space"):
        menu.press(key)
        pw.expect(drawer).to_be_in_viewport(ratio=1)
        pw.expect(menu).to_have_attribute("aria-expanded", "true")
        pw.expect(drawer.locator(":focus")).to_have_count(1)  # focus moved into the drawer
        phone.keyboard.press("Escape")
        pw.expect(drawer).not_to_be_in_viewport()
        pw.expect(menu).to_have_attribute("aria-expanded", "false")
        pw.expect(menu).to_be_focused()  # focus returned


def test_search_finds_pushilin_and_leads_to_his_page(open_page: Opener) -> None:
    for scheme in ("light", "dark"):
        page = open_page("desktop", scheme)
        page.locator(".sidebar-search").fill("Pushilin")
        page.locator(".sidebar-search").press("Enter")
        page.wait_for_url("search.html?q=Pushilin*")
        # Sphinx lists the results one by one, then says it has finished.
        page.locator("#search-results .search-summary", has_text="Search finished").wait_for()
        results = page.locator("#search-results ul.search > li > a")
        pages = [urlsplit(a.get_attribute("href")).path for a in results.all()]
        # The page that tells of him comes first (the timeline, naming him, may follow).
        assert pages and pages[0] == "relations/official-relations.html", pages
        page.screenshot(path=screenshot("desktop", scheme, "search-pushilin"), full_page=True)
        results.first.click()
        page.wait_for_url("relations/official-relations.html*")
        assert "Denis Pushilin" in page.locator("article").inner_text()


@pytest.mark.parametrize("device", DEVICES)
def test_skip_link_comes_first_and_jumps_to_the_content(open_page: Opener, device: str) -> None:
    """The theme's skip link, the same on every page: on the front and Timeline pages. (That
    it is seen when focused, the tour's focus check shows.)"""
    for name in (FRONT, PICTURE):
        page = open_page(device, name=name)
        page.keyboard.press("Tab")
        pw.expect(page.locator(".skip-to-content")).to_be_focused()
        pw.expect(page.locator(".skip-to-content")).to_have_text("Skip to content")
        page.keyboard.press("Enter")
        page.wait_for_url("**#furo-main-content")
        page.keyboard.press("Tab")
        pw.expect(page.locator(".main :focus")).to_have_count(1)  # Tab lands in the content


@pytest.mark.filterwarnings("ignore:.*Use files:DeprecationWarning")  # sphinx-timeline's
def test_timeline_and_fit_checks_catch_what_they_must(browser: pw.Browser, tmp_path: Path):
    """On a timeline as sphinx-timeline draws it by default (sideways, scrolling), and on
    faults planted in it, the timeline and fit checks above fail."""
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "sphinx_timeline"]\n')
    (tmp_path / "index.md").write_text("""# Demo
```{timeline}
- {start: 2014-04-07, name: First}
- {start: 2017-02-18, name: Second}
- {start: 2022-02-21, name: Third}
---
[{{ e.name }}](#target)
```
(target)=
## Target
""")
    out = tmp_path / "out"
    assert build_main(["-q", "-b", "html", "-D", "html_theme=furo", str(tmp_path), str(out)]) == 0
    with browser.new_context(**DEVICES["desktop"]) as desktop:
        page = desktop.new_page()
        page.goto((out / FRONT).as_uri())
        assert page.locator(".tl-item").count() == 3
        assert timeline_problems(page) == []
        # Shown backwards: the items no longer read as they are seen.
        page.add_style_tag(content="ol.timeline-default { display: flex; flex-flow: row-reverse; }")
        assert page.evaluate(TIMELINE_ORDER_JS)
        # Tab order broken: the last link is reached first.
        page.reload()
        page.evaluate("() => { document.querySelectorAll('.tl-item a')[2].tabIndex = 1; }")
        assert any("Tab reaches" in problem for problem in timeline_problems(page))
    with browser.new_context(**DEVICES["phone"]) as phone:
        page = phone.new_page()
        page.goto((out / FRONT).as_uri())
        overflow = page.evaluate(OVERFLOW_JS, MUST_FIT)
        assert any("timeline-default does not fit" in problem for problem in overflow), overflow
        # Something wide in the text makes the whole page scroll sideways.
        page.evaluate("""() => document.querySelector('article').insertAdjacentHTML(
            'beforeend', '<div id="planted" style="width: 600px; height: 1em"></div>')""")
        overflow = page.evaluate(OVERFLOW_JS, MUST_FIT)
        assert any(problem.startswith("div.content scrolls sideways") for problem in overflow)
        assert any(problem.startswith("div#planted spans") for problem in overflow), overflow
