"""The site as Read the Docs publishes it: the article, its pages, timelines and metadata.

Every expectation comes from the sources: the article's copy, the toctrees,
the labels, the front matter and the events file.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from article_text import check, read_article
from article_timeline import events as ev
from conftest import Outputs
from publication import EVENTS, LICENCE_URL, ROOT, history_url, pages, source_url

SOURCES = pages()
LABELS = {
    label: docname
    for docname, path in SOURCES.items()
    for label in re.findall(r"^\(([^)]+)\)=$", path.read_text(encoding="utf-8"), re.M)
}
SITE_EVENTS = ev.load(ROOT / EVENTS).events


def toctree_order(docname: str = "index") -> list[str]:
    """The pages in reading order, from the toctrees of the sources."""
    blocks = re.findall(r"```\{toctree\}\n(.*?)```", SOURCES[docname].read_text("utf-8"), re.S)
    entries = [line for block in blocks for line in block.splitlines() if line[:1] not in ":"]
    children = [(Path(docname).parent / e).as_posix().removeprefix("./") for e in entries]
    return [docname, *itertools.chain(*map(toctree_order, children))]


def soup(outputs: Outputs, docname: str) -> BeautifulSoup:
    return BeautifulSoup((outputs.html / f"{docname}.html").read_bytes(), "html.parser")


def target(outputs: Outputs, docname: str, href: str) -> str:
    """The page a link on a page leads to, by name."""
    path = (outputs.html / docname).parent / (
        href.partition("#")[0] or f"{Path(docname).name}.html"
    )
    return path.resolve().relative_to(outputs.html.resolve()).with_suffix("").as_posix()


def anchor(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label)


@pytest.mark.parametrize("kind", ["html", "epub", "htmlzip", "pdf"])
def test_every_paragraph_is_whole_and_in_order_in_every_output(outputs: Outputs, kind: str) -> None:
    problems, count = check(kind, getattr(outputs, kind))
    assert count == sum(len(s.paragraphs) for s in read_article())
    assert not problems, "\n".join(problems)


def test_the_copy_is_the_source_of_record() -> None:
    shared = ROOT.parent / "shared" / "source" / "article.txt"
    if not shared.exists():
        pytest.skip(f"{shared} is not beside the project")
    assert (ROOT / "tests/data/article.txt").read_bytes() == shared.read_bytes(), (
        "tests/data/article.txt differs from ../shared/source/article.txt: see CONTRIBUTING.md"
    )


# -- Pages, labels, navigation --------------------------------------------------------


def test_every_page_is_in_every_pages_navigation_and_next_links_walk_them(outputs: Outputs) -> None:
    order = toctree_order()
    assert sorted(order) == sorted(SOURCES), "a page is in no toctree, or a toctree names no page"
    for docname in order:
        page = soup(outputs, docname)
        linked = {target(outputs, docname, a["href"]) for a in page.select(".sidebar-tree a")}
        assert not set(order[1:]) - linked, f"{docname}: the navigation lacks a page"
    for here, there in itertools.pairwise(order):
        link = soup(outputs, here).select_one(".related-pages a.next-page")
        assert link is not None and target(outputs, here, link["href"]) == there, here


@pytest.mark.parametrize("label", LABELS)
def test_every_label_is_namespaced_and_an_anchor_on_its_page(outputs: Outputs, label: str) -> None:
    assert re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)*", label), label
    assert soup(outputs, LABELS[label]).find(id=anchor(label)), f"({label})= not on {LABELS[label]}"


def test_links_are_never_html_paths() -> None:
    for docname, path in SOURCES.items():
        assert not re.search(r"\]\((?!https?:)[^)]*\.html", path.read_text("utf-8")), docname


# -- Timelines ----------------------------------------------------------------------


def full_timeline(outputs: Outputs) -> str:
    """The page with the entries the section timelines link to."""
    return next(d for d in SOURCES if soup(outputs, d).find(id=f"timeline-{SITE_EVENTS[0].id}"))


def test_the_timeline_page_lists_every_event_linked_to_its_passage(outputs: Outputs) -> None:
    page = full_timeline(outputs)
    items = soup(outputs, page).select("ol.timeline-list > li")
    assert [li.select_one(".tl-date").get_text() for li in items] == [
        e.when.text() for e in SITE_EVENTS
    ]
    for li, event in zip(items, SITE_EVENTS, strict=True):
        href = li.select_one(".tl-item-content a.reference")["href"]
        assert target(outputs, page, href) == LABELS[event.section], event.id
        assert href.endswith(f"#{anchor(event.section)}"), event.id


def test_each_section_timeline_shows_the_events_of_its_passages(outputs: Outputs) -> None:
    shown = []
    for docname, path in SOURCES.items():
        for section in re.findall(r"^:section: (\S+)$", path.read_text("utf-8"), re.M):
            told = [e for e in SITE_EVENTS if f"{e.section}/".startswith(f"{section}/")]
            boxes = soup(outputs, docname).select(".timeline-box li.timeline")
            dates = [li.select_one(".tl-date").get_text() for li in boxes]
            assert dates == [e.when.text() for e in told], docname
            shown += [li.select_one("a")["href"].rpartition("#")[2] for li in boxes]
    assert sorted(shown) == sorted(f"timeline-{e.id}" for e in SITE_EVENTS), "an event in no box"
    svg = soup(outputs, full_timeline(outputs)).select_one("figure.tl-axis svg")
    drawn = [a["href"].removeprefix("#timeline-") for a in svg.select("a")]
    assert sorted(drawn) == sorted(e.id for e in SITE_EVENTS), "an event not in the picture"


def test_the_downloads_hold_the_events_file(outputs: Outputs) -> None:
    raw = yaml.load((ROOT / EVENTS).read_text(encoding="utf-8"), yaml.BaseLoader)
    written = sorted(({k: " ".join(v.split()) for k, v in e.items()} for e in raw), key=str)
    folder = outputs.html / "_downloads" / "timeline"
    data = json.loads((folder / "events.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in data] == [e.id for e in SITE_EVENTS]
    assert sorted(data, key=str) == written
    with (folder / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    assert sorted(rows, key=str) == written


# -- Credit, licence, and what browsers, crawlers and link previews read ------------------


def test_every_page_credits_the_article_its_authors_and_licence(outputs: Outputs) -> None:
    for page in outputs.html.glob("**/*.html"):
        html = BeautifulSoup(page.read_bytes(), "html.parser")
        credit = html.select_one("footer p.credit")
        assert credit is not None, page
        assert {a["href"] for a in credit.select("a")} == {source_url(), history_url(), LICENCE_URL}
        assert "Adapted" in credit.get_text() and "wording is unchanged" in credit.get_text()
        assert html.find("link", rel="license")["href"] == LICENCE_URL, page


def base_url(outputs: Outputs) -> str:
    return soup(outputs, "index").find("link", rel="canonical")["href"].removesuffix("index.html")


@pytest.mark.parametrize("docname", SOURCES)
def test_each_page_describes_itself(outputs: Outputs, docname: str) -> None:
    front = yaml.safe_load(SOURCES[docname].read_text("utf-8").split("---")[1])
    description = front["myst"]["html_meta"]["description"]
    page = soup(outputs, docname)
    assert page.html["lang"] == "en"
    assert page.find("meta", attrs={"name": "description"})["content"] == description
    og = {m["property"]: m["content"] for m in page.find_all("meta", property=True)}
    url = f"{base_url(outputs)}{docname}.html"
    assert og == og | {"og:description": description, "og:url": url, "og:type": "article"}
    assert page.find("link", rel="canonical")["href"] == url


def test_sitemap_and_robots_name_every_page_and_nothing_else(outputs: Outputs) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(outputs.html / "sitemap.xml").getroot()
    locs = sorted(u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns))
    assert locs == sorted(f"{base_url(outputs)}{d}.html" for d in SOURCES)
    robots = (outputs.html / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base_url(outputs)}sitemap.xml" in robots and "Allow: /" in robots


def test_the_404_page_works_at_any_depth(outputs: Outputs) -> None:
    prefix = urlsplit(base_url(outputs)).path
    page = BeautifulSoup((outputs.html / "404.html").read_bytes(), "html.parser")
    local = [t.get("href") or t.get("src") or "" for t in page.find_all(["a", "link", "script"])]
    paths = [urlsplit(u).path.removeprefix(prefix) for u in local if u.startswith("/")]
    assert paths and all((outputs.html / path).is_file() for path in paths), paths
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_the_map_has_its_size_and_nothing_unused_is_published(outputs: Outputs) -> None:
    img = soup(outputs, "index").select_one("aside.infobox img")
    assert img["width"] and img["height"], img
    assert not any((outputs.html / "_sources").iterdir())  # Sphinx makes the folder only
    assert not list(outputs.html.rglob("*sphinx?timeline*"))  # upstream's assets: unused


def test_last_updated_is_the_date_of_each_pages_last_commit(outputs: Outputs) -> None:
    dated = 0
    for docname, path in SOURCES.items():
        git = ["git", "-C", str(ROOT), "log", "-1", "--format=%as", "--", str(path)]
        committed = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()
        shown = soup(outputs, docname).select_one(".last-updated")
        if committed and shown is not None:  # a page changed since its last commit shows none
            day = datetime.strptime(shown.get_text(" ", strip=True).split(" on ")[1], "%d %B %Y")
            assert day.date().isoformat() >= committed, docname
            dated += 1
    assert dated, "no page shows the date of its last commit"
