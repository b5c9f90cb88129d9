"""The EPUB: `make epub` builds it strictly, epubcheck passes, the article is whole."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from conftest import Article, make_ok, normalise, read_article, sphinx_conf, timeline_titles

ARTICLE = read_article()
CONF = sphinx_conf()
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck package
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
Chapters = list[tuple[str, BeautifulSoup]]


@pytest.fixture(scope="session")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = make_ok("epub", tmp_path_factory.mktemp("epub-build"))
    return build / "epub" / f"{CONF['DOC_NAME']}.epub"


def read_spine(epub: Path) -> Chapters:
    """The book's documents in reading order, parsed."""
    with zipfile.ZipFile(epub) as book:
        opf = ElementTree.fromstring(book.read("content.opf"))
        hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
        order = [hrefs[ref.get("idref")] for ref in opf.iter(f"{OPF}itemref")]
        return [(href, BeautifulSoup(book.read(href), "html.parser")) for href in order]


@pytest.fixture(scope="session")
def chapters(epub: Path) -> Chapters:
    return read_spine(epub)


@pytest.fixture(scope="session")
def text(chapters: Chapters) -> str:
    return " ".join(body_text(soup) for _, soup in chapters)


def metadata(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as book:
        opf = ElementTree.fromstring(book.read("content.opf"))
    return {el.tag.removeprefix(DC): el.text or "" for el in opf.iter() if el.tag.startswith(DC)}


def body_text(soup: BeautifulSoup) -> str:
    return normalise(soup.select_one("div.body").get_text())


def test_epubcheck_reports_nothing(epub: Path) -> None:
    # Debian's /usr/bin/epubcheck wrapper needs binfmt_misc; the jar does not.
    result = subprocess.run(
        ["java", "-jar", str(EPUBCHECK), str(epub)], capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No errors or warnings detected" in output, output
    assert re.search(r"Messages: 0 fatals / 0 errors / 0 warnings", output), output


@pytest.mark.parametrize("sentence", ARTICLE.sentences, ids=lambda s: s[:50])
def test_every_sentence_is_in_the_epub(text: str, sentence: str) -> None:
    assert sentence in text, f"missing from the EPUB, word for word: {sentence!r}"


def test_chapters_follow_the_site_order(chapters: Chapters, article: Article) -> None:
    titles = [normalise(soup.select_one("h1").get_text()) for _, soup in chapters]
    assert titles[0] == article.title
    # Every heading of the article, in order, each in the book once.
    headings = [
        normalise(h.get_text())
        for _, soup in chapters
        for h in soup.select("div.body h1, div.body h2, div.body h3")
    ]
    assert [h for h in headings if h in article.headings] == article.headings


def test_no_index_or_search_page(epub: Path) -> None:
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
    assert not [n for n in names if re.search(r"(genindex|search|py-modindex)\.x?html$", n)]


def test_metadata_credits_the_article(epub: Path, article: Article) -> None:
    meta = metadata(epub)
    assert meta["title"] == article.title
    assert meta["creator"] == "Wikipedia contributors"
    assert "CC BY-SA 4.0" in meta["rights"]
    assert meta["language"] == "en"


def test_every_chapter_shows_the_credit(chapters: Chapters) -> None:
    for href, soup in chapters:
        footer = soup.select_one("div.footer.credit")
        assert footer is not None, f"{href} has no credit"
        links = {a["href"] for a in footer.select("a")}
        assert links == {CONF["SOURCE_ARTICLE_URL"], CONF["LICENCE_URL"]}, href
        assert "Wikipedia contributors" in footer.get_text()


def test_see_also_links_stay_links(chapters: Chapters, article: Article) -> None:
    soup = dict(chapters)["see-also/index.xhtml"]
    links = {normalise(a.get_text()): a["href"] for a in soup.select("div.body a")}
    for item in article.see_also:
        assert links[item].startswith("https://en.wikipedia.org/wiki/"), links


def test_timeline_events_are_in_the_epub(text: str) -> None:
    titles = timeline_titles()
    assert titles, "the events file lists no events"
    missing = [t for t in titles if normalise(t) not in text]
    assert not missing, f"timeline events missing from the EPUB: {missing}"
