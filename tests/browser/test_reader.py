"""The reader's experience, tested in a real browser.

Headless Chromium (Debian's /usr/bin/chromium, driven by Python Playwright)
reads the built site from a local server on 127.0.0.1 that serves it under the
path of html_baseurl and answers a missing URL with 404.html, as Read the Docs
does. Every page found in the built site is visited on a desktop and a phone,
in light and dark mode; each visit is checked with axe-core and saved as a
screenshot under _build/screenshots/<viewport>-<scheme>/.

Set-up (done by `make test`): `make system-deps` for Chromium and fonts,
`npm ci --prefix tests/browser` for axe-core.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, sphinx_build
from playwright import sync_api as playwright_api

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"

# Chromium quietened: no sandbox (containers, root), no GPU, and none of the
# background traffic (updates, sync, field trials) a fresh profile starts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
SCHEMES = ("light", "dark")
# axe-core rule tags: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What must fit a phone screen whole, not even scrolling inside itself: the
# infobox (an aside with a figure) and the timelines (.tl-item, .timeline-*).
MUST_FIT = "article aside, article figure, article .infobox, article [class*='timeline'], .tl-item"
TIMELINE_ITEM = ".tl-item"
MISSING_PAGE = "no-such-page.html"
LOCAL_SCHEMES = {"data", "blob", "about"}


# -- The site on a local server --------------------------------------------


@dataclass(frozen=True)
class Site:
    root: Path  # the built HTML
    origin: str  # http://127.0.0.1:<port>
    prefix: str  # the path of html_baseurl, e.g. /en/latest/
    pages: list[str]  # every page, relative to root, e.g. relations/index.html

    def url(self, page: str) -> str:
        return f"{self.origin}{self.prefix}{page}"

    def file_of(self, page: str) -> str:
        """The file that answers for a page."""
        return "404.html" if page == MISSING_PAGE else page

    def is_local(self, url: str) -> bool:
        """Served by the local server, or made in the page (data:, blob:)."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin or parts.scheme in LOCAL_SCHEMES

    def page_of(self, url: str) -> str:
        """The page name of a URL on this site ('' when it is not one)."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return ""
        return parts.path.removeprefix(self.prefix)


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site under `prefix`; anything else gets 404.html, status 404."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.prefix):
            return ""
        return super().translate_path("/" + path.removeprefix(self.prefix))

    def send_head(self):  # type: ignore[no-untyped-def]
        target = self.translate_path(self.path)
        if target and (Path(target).is_file() or Path(target, "index.html").is_file()):
            return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: failures are reported by the tests


def base_path(site_root: Path) -> str:
    """The path of html_baseurl, read from the canonical link of the front page."""
    soup = BeautifulSoup((site_root / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.find("link", rel="canonical")
    assert link is not None, "index.html has no canonical link: is html_baseurl set?"
    return urlsplit(link["href"]).path.removesuffix("index.html")


@pytest.fixture(scope="module")
def site(site_html: Path) -> Iterator[Site]:
    prefix = base_path(site_html)
    handler = type("Handler", (SiteHandler,), {"prefix": prefix})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site_html)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages = sorted(
        p.relative_to(site_html).as_posix()
        for p in site_html.rglob("*.html")
        if not p.relative_to(site_html).parts[0].startswith(("_", "."))
    )
    # 404.html is read where readers meet it: at a missing URL.
    pages = [MISSING_PAGE if p == "404.html" else p for p in pages]
    try:
        yield Site(site_html, f"http://127.0.0.1:{server.server_port}", prefix, pages)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- The browser -----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright_api.Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (or set CHROMIUM=/path)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --prefix tests/browser`")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Traffic:
    """Everything the browser asked for and everything that went wrong."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def new_context(
    browser: playwright_api.Browser, site: Site, viewport: str, scheme: str, traffic: Traffic
) -> playwright_api.BrowserContext:
    """A fresh profile at this size and colour scheme, with its traffic recorded."""
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        color_scheme=scheme,  # type: ignore[arg-type]
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        reduced_motion="reduce",
    )
    missing = site.url(MISSING_PAGE)

    def on_response(response: playwright_api.Response) -> None:
        if response.status >= 400 and not (response.url == missing and response.status == 404):
            traffic.failed.append(f"{response.url}: HTTP {response.status}")

    def on_console(message: playwright_api.ConsoleMessage) -> None:
        # Chromium logs the 404 status of the missing page itself as an error.
        expected = message.location.get("url") == missing and "404" in message.text
        if message.type == "error" and not expected:
            where = message.page.url if message.page else "?"
            traffic.console_errors.append(f"{where}: {message.text}")

    context.on("request", lambda request: traffic.requests.append(request.url))
    # A request for another host is recorded, then refused: a test run sends
    # nothing out, with or without a network.
    context.route(lambda url: not site.is_local(url), lambda route: route.abort("blockedbyclient"))
    # net::ERR_ABORTED is the browser cancelling a request itself (the page
    # was left before a late favicon arrived); a server's refusal shows as an
    # HTTP status above, a dead server as another error here.
    context.on(
        "requestfailed",
        lambda r: r.failure == "net::ERR_ABORTED" or traffic.failed.append(f"{r.url}: {r.failure}"),
    )
    context.on("response", on_response)
    context.on("console", on_console)
    context.on("weberror", lambda e: traffic.console_errors.append(f"uncaught: {e.error}"))
    return context


# -- The tour: every page, each viewport and colour scheme -----------------

# Background colour luminance of <body>, to prove the scheme took effect.
LUMINANCE_JS = """() => {
  const [r, g, b] = getComputedStyle(document.body).backgroundColor
    .match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}"""

AXE_JS = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""

# What scrolls sideways: the page, or a box around the article that can
# scroll (furo's content column does, below 46em); and the elements that
# stick out of the viewport. A box inside the article that scrolls or clips on its own (a
# wide code block) keeps what is inside it from moving the text.
OVERFLOW_JS = """(mustFit) => {
  const vw = document.documentElement.clientWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  const article = document.querySelector('article');
  const clipped = el => {
    for (let a = el.parentElement; a && a !== article; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  const scrollers = [document.documentElement];
  for (let a = article?.parentElement; a && a !== document.body; a = a.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) scrollers.push(a);
  }
  for (const box of scrollers) {
    if (box.scrollWidth > box.clientWidth + 1) {
      out.push(`${box === document.documentElement ? 'the page' : name(box)} scrolls sideways: `
        + `${box.scrollWidth} px wide in ${box.clientWidth} px`);
    }
  }
  for (const el of article ? article.querySelectorAll('*') : []) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && (r.left < -1 || r.right > vw + 1) && !clipped(el)) {
      out.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
    }
  }
  for (const el of document.querySelectorAll(mustFit)) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < -1 || r.right > vw + 1 || el.scrollWidth > el.clientWidth + 1)) {
      out.push(`${name(el)} does not fit: ${Math.round(r.left)}..${Math.round(r.right)} px, `
        + `content ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }
  return out;
}"""


@dataclass
class Tour:
    traffic: Traffic = field(default_factory=Traffic)
    violations: list[str] = field(default_factory=list)
    wrong_scheme: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    visits: int = 0


def screenshot_path(viewport: str, scheme: str, page: str) -> Path:
    name = "404.png" if page == MISSING_PAGE else page.removesuffix(".html") + ".png"
    return SCREENSHOTS / f"{viewport}-{scheme}" / name


@pytest.fixture(scope="module")
def tour(browser: playwright_api.Browser, site: Site) -> Tour:
    """Visit every page in every viewport and scheme once; record what is wrong."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    result = Tour()
    for viewport, scheme in itertools.product(VIEWPORTS, SCHEMES):
        context = new_context(browser, site, viewport, scheme, result.traffic)
        page = context.new_page()
        for name in site.pages:
            where = f"{name} ({viewport}, {scheme})"
            page.goto(site.url(name), wait_until="load")
            page.evaluate("document.fonts.ready")
            result.visits += 1
            luminance = page.evaluate(LUMINANCE_JS)
            if (scheme == "dark") != (luminance < 0.2):
                result.wrong_scheme.append(f"{where}: background luminance {luminance:.2f}")
            page.add_script_tag(path=AXE)
            for v in page.evaluate(AXE_JS, WCAG_TAGS):
                result.violations.append(
                    f"{where}: {v['id']} ({v['impact']}) {v['help']}: {', '.join(v['nodes'])}"
                )
            if viewport == "phone":
                result.overflow += [f"{where}: {o}" for o in page.evaluate(OVERFLOW_JS, MUST_FIT)]
            shot = screenshot_path(viewport, scheme, name)
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True, animations="disabled")
            result.screenshots.append(shot)
        context.close()
    return result


def test_every_page_was_visited(tour: Tour, site: Site) -> None:
    assert {"index.html", "search.html", MISSING_PAGE} <= set(site.pages)
    assert tour.visits == len(site.pages) * len(VIEWPORTS) * len(SCHEMES)


def test_light_and_dark_mode_take_effect(tour: Tour) -> None:
    assert not tour.wrong_scheme, "\n".join(tour.wrong_scheme)


def test_axe_finds_no_wcag_21_a_or_aa_violation(tour: Tour) -> None:
    assert not tour.violations, "\n".join(tour.violations)


def foreign_requests(traffic: Traffic, site: Site) -> list[str]:
    return sorted({url for url in traffic.requests if not site.is_local(url)})


def test_no_request_leaves_the_local_server(tour: Tour, site: Site) -> None:
    assert len(tour.traffic.requests) > tour.visits, "requests are not being recorded"
    foreign = foreign_requests(tour.traffic, site)
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)


def test_no_request_fails(tour: Tour) -> None:
    assert not tour.traffic.failed, "\n".join(tour.traffic.failed)


def test_no_console_error(tour: Tour) -> None:
    assert not tour.traffic.console_errors, "\n".join(tour.traffic.console_errors)


def test_nothing_scrolls_sideways_on_a_phone(tour: Tour) -> None:
    """Includes the infobox and the timeline, which must fit whole."""
    assert not tour.overflow, "\n".join(tour.overflow)


def test_the_recording_catches_what_it_must(browser: playwright_api.Browser, site: Site) -> None:
    """A web font from a CDN, a tracking pixel, a missing file and a script
    error, planted in a page, are each caught."""
    traffic = Traffic()
    with new_context(browser, site, "desktop", "light", traffic) as context:
        page = context.new_page()
        page.goto(site.url("index.html"))
        page.evaluate(
            """async (missing) => {
              const font = new FontFace('Planted', 'url(https://fonts.example.com/planted.woff2)');
              await font.load().catch(() => {});
              await new Promise(done => {
                const pixel = new Image();
                pixel.onload = pixel.onerror = done;
                pixel.src = 'http://192.0.2.1/pixel.gif';
              });
              await fetch(missing).catch(() => {});
              setTimeout(() => { throw new Error('planted error'); });
              await new Promise(done => setTimeout(done, 100));
            }""",
            site.url("_static/no-such-file.css"),
        )
    assert foreign_requests(traffic, site) == [
        "http://192.0.2.1/pixel.gif",
        "https://fonts.example.com/planted.woff2",
    ]
    failed = "\n".join(traffic.failed)
    assert "pixel.gif: net::ERR_BLOCKED_BY_CLIENT" in failed
    assert "no-such-file.css: HTTP 404" in failed
    assert any("planted error" in error for error in traffic.console_errors)


def test_screenshots_are_saved(tour: Tour, site: Site) -> None:
    assert len(tour.screenshots) == tour.visits
    for viewport, scheme in itertools.product(VIEWPORTS, SCHEMES):
        for name in site.pages:
            shot = screenshot_path(viewport, scheme, name)
            head = shot.read_bytes()[:24]
            assert head.startswith(b"\x89PNG\r\n\x1a\n"), shot
            width = int.from_bytes(head[16:20], "big")
            assert width == VIEWPORTS[viewport]["width"], f"{shot} is {width} px wide"


# -- Interaction -----------------------------------------------------------

Opener = Callable[..., playwright_api.Page]


@pytest.fixture
def open_page(browser: playwright_api.Browser, site: Site) -> Iterator[Opener]:
    """open_page(viewport, scheme) gives a page in a fresh profile; when the
    test ends, nothing may have failed and no error may have been logged."""
    traffic = Traffic()
    contexts: list[playwright_api.BrowserContext] = []

    def opener(viewport: str, scheme: str = "light") -> playwright_api.Page:
        contexts.append(new_context(browser, site, viewport, scheme, traffic))
        return contexts[-1].new_page()

    yield opener
    for context in contexts:
        context.close()
    assert not traffic.failed + traffic.console_errors


def drawer_left(page: playwright_api.Page) -> float:
    return page.evaluate(
        "() => document.querySelector('.sidebar-drawer').getBoundingClientRect().left"
    )


def in_viewport(page: playwright_api.Page, box: dict | None) -> bool:
    size = page.viewport_size
    return bool(
        box
        and box["width"]
        and box["height"]
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def tab_through(
    page: playwright_api.Page, limit: int = 150
) -> Iterator[playwright_api.ElementHandle]:
    """Press Tab from the top of the page; yield each element that takes focus,
    until focus leaves the page or comes back round."""
    page.evaluate("() => { document.activeElement?.blur(); window.__tabStops = new Set(); }")
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        fresh = page.evaluate(
            """el => el !== document.body && !window.__tabStops.has(el)
                    && !!window.__tabStops.add(el)""",
            focused,
        )
        if not fresh:
            return
        yield focused.as_element()
    raise AssertionError(f"more than {limit} tab stops")


def describe(element: playwright_api.ElementHandle) -> str:
    return element.evaluate("el => el.outerHTML.slice(0, 100)")


def test_navigation_drawer_opens_on_a_phone(open_page: Opener, site: Site) -> None:
    phone = open_page("phone")
    phone.goto(site.url("index.html"))
    link = phone.locator(".sidebar-drawer").get_by_role("link", name="See also")
    assert drawer_left(phone) < 0, "the drawer is open before it is asked for"
    assert not link.is_visible()
    phone.locator("label.nav-overlay-icon").click()
    phone.wait_for_function(
        "() => document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0"
    )
    assert in_viewport(phone, link.bounding_box())
    phone.screenshot(path=SCREENSHOTS / "phone-light" / "navigation-open.png")
    link.click()
    phone.wait_for_load_state()
    assert site.page_of(phone.url) == "see-also/index.html"


def test_keyboard_opens_and_closes_the_navigation_on_a_phone(open_page: Opener, site: Site) -> None:
    phone = open_page("phone")
    phone.goto(site.url("relations/index.html"))
    stops = list(tab_through(phone))
    hidden = [
        describe(s)
        for s in stops
        if s.evaluate("el => !!el.closest('.sidebar-drawer, .toc-drawer')")
    ]
    assert not hidden, "closed drawers take focus:\n" + "\n".join(hidden)
    buttons = [s for s in stops if s.evaluate("el => el.matches('label.nav-overlay-icon')")]
    assert len(buttons) == 1, "the menu button is not a tab stop"
    menu = buttons[0]
    assert menu.get_attribute("role") == "button"
    assert menu.get_attribute("aria-expanded") == "false"
    menu.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_function(
        "() => document.querySelector('.sidebar-drawer').getBoundingClientRect().left >= 0"
    )
    assert menu.get_attribute("aria-expanded") == "true"
    assert phone.evaluate("() => !!document.activeElement.closest('.sidebar-drawer')")
    phone.keyboard.press("Escape")
    phone.wait_for_function(
        "() => document.querySelector('.sidebar-drawer').getBoundingClientRect().right <= 0"
    )
    assert menu.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("() => document.activeElement.matches('label.nav-overlay-icon')")


def test_search_finds_pushilin_and_leads_to_his_page(open_page: Opener, site: Site) -> None:
    for scheme in SCHEMES:
        page = open_page("desktop", scheme)
        page.goto(site.url("index.html"))
        box = page.locator(".sidebar-search")
        box.fill("Pushilin")
        box.press("Enter")
        page.wait_for_url("**/search.html?q=Pushilin*")
        # Sphinx lists the results one by one, then says it has finished.
        summary = page.locator("#search-results .search-summary")
        summary.filter(has_text="Search finished").wait_for()
        results = page.locator("#search-results ul.search > li > a")
        pages = [site.page_of(a.evaluate("a => a.href")).split("?")[0] for a in results.all()]
        # The page that tells of him comes first (the timeline, which names
        # him in an event, may follow).
        assert pages and pages[0] == "relations/official-relations.html", pages
        page.screenshot(
            path=SCREENSHOTS / f"desktop-{scheme}" / "search-pushilin.png", full_page=True
        )
        results.first.click()
        page.wait_for_load_state()
        assert site.page_of(page.url).startswith("relations/official-relations.html")
        assert "Denis Pushilin" in page.locator("article").inner_text()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_skip_link_comes_first_and_jumps_to_the_content(
    open_page: Opener, site: Site, viewport: str
) -> None:
    page = open_page(viewport)
    for name in site.pages:
        page.goto(site.url(name))
        page.keyboard.press("Tab")
        skip = page.locator(".skip-to-content")
        assert page.evaluate("() => document.activeElement.matches('.skip-to-content')"), name
        assert skip.inner_text().strip() == "Skip to content"
        page.wait_for_function(
            "() => document.querySelector('.skip-to-content').getBoundingClientRect().top >= 0"
        )
        assert in_viewport(page, skip.bounding_box()), f"{name}: the focused skip link is unseen"
        page.keyboard.press("Enter")
        page.wait_for_url("**#furo-main-content")
        page.keyboard.press("Tab")
        inside = page.evaluate("() => !!document.activeElement.closest('.main')")
        assert inside, f"{name}: after the skip link, Tab does not land in the content"


# Pages whose every tab stop is checked for a visible focus: the front page,
# the page with the most links, and the page with the longest timeline.
FOCUS_PAGES = ["index.html", "relations/official-relations.html"]


def focus_pages(site: Site) -> list[str]:
    def items(name: str) -> int:
        return (site.root / site.file_of(name)).read_text(encoding="utf-8").count('"tl-item')

    longest = max(pages_with_timeline(site), key=items, default=None)
    return FOCUS_PAGES + ([longest] if longest and longest not in FOCUS_PAGES else [])


@pytest.mark.parametrize(("viewport", "scheme"), list(itertools.product(VIEWPORTS, SCHEMES)))
def test_keyboard_focus_is_always_seen(
    open_page: Opener, site: Site, viewport: str, scheme: str
) -> None:
    """Every tab stop is on screen when focused, and its focus is drawn: the
    pixels around it change when it loses focus."""
    page = open_page(viewport, scheme)
    unseen = []
    for name in focus_pages(site):
        page.goto(site.url(name))
        for element in tab_through(page):
            element.evaluate(
                """async el => {
                  el.scrollIntoView({block: 'center', behavior: 'instant'});
                  const frame = () => new Promise(done => requestAnimationFrame(done));
                  await frame(); await frame();
                  await Promise.all(document.getAnimations().map(a => a.finished));
                }"""
            )
            box = element.bounding_box()
            if not in_viewport(page, box):
                unseen.append(f"{name}: off screen: {describe(element)}")
                continue
            size = page.viewport_size
            clip = {"x": max(box["x"] - 4, 0), "y": max(box["y"] - 4, 0)}
            clip["width"] = min(box["width"] + 8, size["width"] - clip["x"])
            clip["height"] = min(box["height"] + 8, size["height"] - clip["y"])
            focused = page.screenshot(clip=clip, animations="disabled")
            element.evaluate("el => el.blur()")
            blurred = page.screenshot(clip=clip, animations="disabled")
            element.evaluate("el => el.focus({focusVisible: true})")
            if focused == blurred:
                unseen.append(f"{name}: focus not drawn: {describe(element)}")
    assert not unseen, "\n".join(unseen)


def pages_with_timeline(site: Site) -> list[str]:
    return [
        name
        for name in site.pages
        if '"tl-item' in (site.root / site.file_of(name)).read_text(encoding="utf-8")
    ]


# Timeline items out of reading order: along the axis the timeline runs
# (left to right when its ends are further apart sideways, else top to
# bottom), each item must come after the one before it in the page.
TIMELINE_ORDER_JS = """(selector) => {
  const items = [...document.querySelectorAll(selector)];
  const pos = items.map(i => {
    const r = i.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY];
  });
  if (items.length < 2) return [];
  const [first, last] = [pos[0], pos[pos.length - 1]];
  const axis = Math.abs(last[0] - first[0]) > Math.abs(last[1] - first[1]) ? 0 : 1;
  const out = [];
  for (let k = 1; k < items.length; k++) {
    if (pos[k][axis] < pos[k - 1][axis]) out.push(`item ${k + 1} is shown before item ${k}`);
  }
  return out;
}"""


def timeline_problems(page: playwright_api.Page) -> list[str]:
    """What keeps a keyboard or screen-reader user from reading the page's
    timeline as it is seen: items shown out of their reading order, or links
    that Tab misses or reaches out of order."""
    problems = page.evaluate(TIMELINE_ORDER_JS, TIMELINE_ITEM)
    count = page.evaluate(
        """(selector) => {
          const links = document.querySelectorAll(selector + ' a[href]');
          links.forEach((a, k) => { a.dataset.timelineLink = k; });
          return links.length;
        }""",
        TIMELINE_ITEM,
    )
    reached = [s.get_attribute("data-timeline-link") for s in tab_through(page)]
    order = [int(k) for k in reached if k is not None]
    if order != list(range(count)):
        problems.append(f"Tab reaches the timeline's links as {order}, not 0..{count - 1}")
    return problems


def test_timeline_is_reached_by_keyboard_and_read_in_order(open_page: Opener, site: Site) -> None:
    with_timeline = pages_with_timeline(site)
    if not with_timeline:
        pytest.skip("no page of the site has a timeline (.tl-item) yet")
    page = open_page("desktop")
    problems = []
    for name in with_timeline:
        page.goto(site.url(name))
        problems += [f"{name}: {problem}" for problem in timeline_problems(page)]
    assert not problems, "\n".join(problems)


# A throwaway site with a timeline as sphinx-timeline draws it by default
# (sideways, scrolling), to show the timeline checks above can fail.
TIMELINE_DEMO = """\
# Timeline demo

```{timeline}
- start: 2014-04-07
  name: First
- start: 2017-02-18
  name: Second
- start: 2022-02-21
  name: Third
---
[{{ e.name }}](#demo-target)
```

(demo-target)=
## Target
"""


@pytest.fixture(scope="module")
def timeline_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("timeline-demo")
    (src / "conf.py").write_text(
        'extensions = ["myst_parser", "sphinx_timeline"]\nhtml_theme = "furo"\n'
    )
    (src / "index.md").write_text(TIMELINE_DEMO)
    result = sphinx_build(src, src / "_build")
    assert result.returncode == 0, result.stderr
    return src / "_build" / "index.html"


def test_timeline_and_fit_checks_catch_what_they_must(
    browser: playwright_api.Browser, timeline_demo: Path
) -> None:
    with browser.new_context(viewport=VIEWPORTS["desktop"]) as desktop:
        page = desktop.new_page()
        page.goto(timeline_demo.as_uri())
        assert page.locator(TIMELINE_ITEM).count() == 3
        assert timeline_problems(page) == []
        # Shown backwards: the items no longer read as they are seen.
        page.add_style_tag(content="ol.timeline-default { display: flex; flex-flow: row-reverse; }")
        assert page.evaluate(TIMELINE_ORDER_JS, TIMELINE_ITEM)
        # Tab order broken: the last link is reached first.
        page.reload()
        page.evaluate("() => { document.querySelectorAll('.tl-item a')[2].tabIndex = 1; }")
        assert any("Tab reaches" in problem for problem in timeline_problems(page))
    with browser.new_context(viewport=VIEWPORTS["phone"], is_mobile=True) as phone:
        page = phone.new_page()
        page.goto(timeline_demo.as_uri())
        overflow = page.evaluate(OVERFLOW_JS, MUST_FIT)
        assert any("timeline-default does not fit" in problem for problem in overflow), overflow
        # Something wide in the text makes the whole page scroll sideways.
        page.evaluate(
            """() => document.querySelector('article').insertAdjacentHTML(
                 'beforeend', '<div id="planted" style="width: 600px; height: 1em"></div>')"""
        )
        overflow = page.evaluate(OVERFLOW_JS, MUST_FIT)
        assert any(problem.startswith("div.content scrolls sideways") for problem in overflow)
        assert any(problem.startswith("div#planted spans") for problem in overflow), overflow
