"""The timelines as built: pages, links both ways, honest dates, downloads,
other builders, and incremental rebuilds."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, copy_site, sphinx_build, sphinx_conf
from sphinx.util import texescape

sys.path.insert(0, str(ROOT / "_ext"))
from article_timeline import events as ev

EVENTS = ev.load(ROOT / "_data" / "events.yaml").events
# An invented day or a weekday, as sphinx-timeline 0.2.1 writes them.
INVENTED = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b|\b\d+(st|nd|rd|th)\b")
SECTION_PAGES = {
    "index": "lead",
    "background/index": "background",
    "relations/unofficial-relations": "relations/unofficial",
    "relations/official-relations": "relations/official",
}
# The page each section label is on (see test_navigation.LABELS).
LABEL_PAGE = {
    "lead": "index",
    "background/": "background/index",
    "relations/unofficial": "relations/unofficial-relations",
    "relations/official": "relations/official-relations",
}


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def page_of(label: str) -> str:
    return next(page for prefix, page in LABEL_PAGE.items() if label.startswith(prefix))


def items(site: Path, page: str) -> list:
    return soup(site, page).select("article[role=main] ol.timeline-list > li.timeline")


# -- The Timeline page --------------------------------------------------------


def test_timeline_page_shows_every_event_in_order(site_html: Path) -> None:
    shown = items(site_html, "timeline/index")
    assert [li.select_one(".tl-date").get_text() for li in shown] == [e.when.text() for e in EVENTS]
    titles = [li.select_one(".tl-item-content a.reference").get_text() for li in shown]
    assert titles == [e.title for e in EVENTS]
    years = [int(e.when.iso[:4]) for e in EVENTS if e.when.iso]
    assert years == sorted(years)


def test_timeline_page_is_in_the_navigation(site_html: Path) -> None:
    tree = soup(site_html, "index").select_one(".sidebar-tree")
    assert "timeline/index.html" in {a["href"] for a in tree.select("a.reference")}
    assert len(soup(site_html, "timeline/index").select("article[role=main] h1")) == 1


def test_each_event_links_to_the_passage_that_tells_it(site_html: Path) -> None:
    for li, event in zip(items(site_html, "timeline/index"), EVENTS, strict=True):
        href = li.select_one(".tl-item-content a.reference")["href"]
        path, _, anchor = href.partition("#")
        target = (site_html / "timeline" / path).resolve()
        assert target == (site_html / f"{page_of(event.section)}.html").resolve(), event.id
        assert anchor == event.section.replace("/", "-")
        assert BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser").find(id=anchor)


@pytest.mark.parametrize("page", SECTION_PAGES)
def test_each_section_page_shows_its_events_linked_to_the_timeline(
    site_html: Path, page: str
) -> None:
    label = SECTION_PAGES[page]
    expected = [e for e in EVENTS if e.section == label or e.section.startswith(f"{label}/")]
    shown = soup(site_html, page).select(".timeline-box ol.timeline-list > li.timeline")
    assert [li.select_one(".tl-date").get_text() for li in shown] == [
        e.when.text() for e in expected
    ]
    timeline = soup(site_html, "timeline/index")
    for li, event in zip(shown, expected, strict=True):
        path, _, anchor = li.select_one("a.reference")["href"].partition("#")
        target = (site_html / page).parent / path
        assert target.resolve() == (site_html / "timeline/index.html").resolve()
        assert anchor == f"timeline-{event.id}" and timeline.find(id=anchor), event.id


def test_every_event_shows_on_exactly_one_section_page(site_html: Path) -> None:
    ids = [
        a["href"].rpartition("#timeline-")[2]
        for page in SECTION_PAGES
        for a in soup(site_html, page).select(".timeline-box a.reference")
    ]
    assert sorted(ids) == sorted(e.id for e in EVENTS)


def test_html_dates_are_honest(site_html: Path) -> None:
    for page in ["timeline/index", *SECTION_PAGES]:
        for li in items(site_html, page):
            text = li.select_one(".tl-date").get_text()
            assert not INVENTED.search(text), (page, text)
    timeline = soup(site_html, "timeline/index")
    # Machine-readable too, at the same precision: <time datetime="2014-04">April 2014</time>.
    times = {t["datetime"]: t.get_text() for t in timeline.select("time.tl-date")}
    assert times["2014-04"] == "April 2014"
    assert times["2017"] == "Since 2017"
    assert times["2022-09-30"] == "30 September 2022"
    assert not any(len(iso) == 10 and iso.endswith("-01") for iso in times), times


def test_timeline_css_is_loaded_and_follows_the_theme(site_html: Path) -> None:
    links = [link["href"] for link in soup(site_html, "timeline/index").select("link")]
    assert any("timeline.css" in href for href in links)
    css = (site_html / "_static" / "timeline.css").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", css), "colours come from furo variables"
    assert "--tl-line-color: var(--color-" in css and "@media (max-width" in css


# -- Downloads ------------------------------------------------------------------


def written_events() -> list[dict[str, str]]:
    """The events file as written: every value a string, line breaks folded."""
    raw = yaml.load((ROOT / "_data/events.yaml").read_text(encoding="utf-8"), yaml.BaseLoader)
    return [{k: " ".join(v.split()) for k, v in item.items()} for item in raw]


def download(site: Path, suffix: str) -> Path:
    links = soup(site, "timeline/index").select("p.timeline-downloads a")
    (href,) = [a["href"] for a in links if a["href"].endswith(f".{suffix}")]
    return site / "timeline" / href


def test_json_download_matches_the_events_file(site_html: Path) -> None:
    data = json.loads(download(site_html, "json").read_text(encoding="utf-8"))
    assert sorted(data, key=lambda e: e["id"]) == sorted(written_events(), key=lambda e: e["id"])
    assert [e["id"] for e in data] == [e.id for e in EVENTS]  # chronological


def test_csv_download_matches_the_events_file(site_html: Path) -> None:
    with download(site_html, "csv").open(encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    assert sorted(rows, key=lambda e: e["id"]) == sorted(written_events(), key=lambda e: e["id"])


# -- Other builders ---------------------------------------------------------------


@pytest.fixture(scope="module")
def other_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("builders")
    built = {}
    # EPUB3 wants a version, which the project does not set (yet): give one here.
    for builder, extra in (("latex", []), ("text", []), ("epub", ["-D", "version=test"])):
        doctrees = str(out / f"{builder}-doctrees")
        result = sphinx_build(ROOT, out / builder, builder, "-d", doctrees, *extra)
        assert result.returncode == 0, result.stderr
        built[builder] = out / builder
    return built


def test_latex_has_a_dated_list_with_honest_dates(other_builds: dict[str, Path]) -> None:
    (tex,) = other_builds["latex"].glob("*.tex")
    text = tex.read_text(encoding="utf-8")
    terms = re.findall(r"\\sphinxlineitem\{(.*?)\}(?:\\phantomsection|\n)", text)
    engine = sphinx_conf()["latex_engine"]
    latex = [texescape.escape(e.when.text(), engine) for e in EVENTS]
    assert terms[-len(EVENTS) :] == latex  # the Timeline chapter, in order
    assert sorted(terms[: -len(EVENTS)]) == sorted(latex)  # the section pages
    assert not INVENTED.search(" ".join(terms))
    # A section in the PDF's howto class (a chapter in a manual).
    timeline = text[re.search(r"\\(chapter|section)\{Timeline\}", text).start() :]
    assert "\\begin{enumerate}" not in timeline and "timeline-downloads" not in timeline


def test_text_has_a_dated_list(other_builds: dict[str, Path]) -> None:
    text = (other_builds["text"] / "timeline" / "index.txt").read_text(encoding="utf-8")
    for event in EVENTS:
        entry = rf"^{re.escape(event.when.text())}\n   \*\*{re.escape(event.title)}\*\*$"
        assert re.search(entry, text, re.M), event.id
    assert not re.search(r"^\d+\. ", text, re.M), "not a bare numbered list"


def test_epub_has_a_dated_list(other_builds: dict[str, Path]) -> None:
    page = BeautifulSoup(
        (other_builds["epub"] / "timeline" / "index.xhtml").read_text(encoding="utf-8"),
        "html.parser",
    )
    terms = [dt.get_text() for dt in page.select("dl.timeline > dt")]
    assert terms == [e.when.text() for e in EVENTS]
    assert not list((other_builds["epub"]).rglob("events.json")), "downloads stay on the web"


# -- Incremental builds -----------------------------------------------------------

SHOWS_EVENTS = {*SECTION_PAGES, "timeline/index"}


def read_docs(output: str) -> set[str]:
    return set(re.findall(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)$", output, re.M))


def test_editing_the_events_file_rereads_exactly_the_pages_that_show_events(
    tmp_path: Path,
) -> None:
    site = copy_site(tmp_path / "site")
    out, doctrees = tmp_path / "out", str(tmp_path / "doctrees")
    first = sphinx_build(site, out, "html", "-d", doctrees)
    assert first.returncode == 0, first.stderr

    noop = sphinx_build(site, out, "html", "-d", doctrees)
    assert noop.returncode == 0, noop.stderr
    assert "0 added, 0 changed, 0 removed" in noop.stdout, noop.stdout
    assert read_docs(noop.stdout) == set()
    # sphinx-timeline's static folder no longer makes the configuration "change".
    assert "html_static_path" not in noop.stdout

    events = site / "_data" / "events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("Security Council meeting", "Meeting"),
        encoding="utf-8",
    )
    edited = sphinx_build(site, out, "html", "-d", doctrees)
    assert edited.returncode == 0, edited.stderr
    assert read_docs(edited.stdout) == SHOWS_EVENTS, edited.stdout
    assert "Meeting" in (out / "timeline" / "index.html").read_text(encoding="utf-8")
