"""The article is the record: every sentence, heading and link is on the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, Article, normalise, read_article

ARTICLE = read_article()
SHARED_SOURCE = ROOT.parent / "shared" / "source" / "article.txt"


def pages(site: Path) -> dict[str, BeautifulSoup]:
    """Every content page of the built site (not search or the index)."""
    skip = {"genindex.html", "search.html", "404.html"}
    return {
        str(p.relative_to(site)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(site.rglob("*.html"))
        if p.name not in skip and not p.relative_to(site).parts[0].startswith("_")
    }


def main_text(soup: BeautifulSoup) -> str:
    return normalise(soup.select_one("article[role=main]").get_text())


def h1_text(soup: BeautifulSoup) -> str:
    """The page's H1 as a reader sees it (without the "¶" permalink)."""
    h1 = soup.select_one("article[role=main] h1")
    return normalise("".join(h1.find_all(string=True, recursive=False)))


def test_repo_copy_matches_the_source_of_record() -> None:
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} is not beside the project")
    assert (ROOT / "tests/data/article.txt").read_bytes() == SHARED_SOURCE.read_bytes(), (
        "tests/data/article.txt differs from ../shared/source/article.txt: copy it again"
    )


def test_sentence_split_loses_nothing() -> None:
    text = normalise(" ".join(ARTICLE.sentences))
    source = (ROOT / "tests/data/article.txt").read_text(encoding="utf-8")
    for sentence in ARTICLE.sentences:
        assert sentence in source
    assert len(text) > 2000 and len(ARTICLE.sentences) >= 20


@pytest.mark.parametrize("sentence", ARTICLE.sentences, ids=lambda s: s[:50])
def test_every_sentence_is_on_the_site(site_html: Path, sentence: str) -> None:
    everything = " ".join(main_text(s) for s in pages(site_html).values())
    assert sentence in everything, f"missing from the site, word for word: {sentence!r}"


def test_title_is_the_front_page_h1(site_html: Path, article: Article) -> None:
    soup = pages(site_html)["index.html"]
    assert h1_text(soup) == article.title


@pytest.mark.parametrize("heading", ARTICLE.headings)
def test_every_heading_is_the_h1_of_one_page(site_html: Path, heading: str) -> None:
    owners = [name for name, soup in pages(site_html).items() if h1_text(soup) == heading]
    assert len(owners) == 1, f"heading {heading!r} is the H1 of {owners or 'no page'}"


def test_every_page_has_one_h1(site_html: Path) -> None:
    for name, soup in pages(site_html).items():
        assert len(soup.select("article[role=main] h1")) == 1, name


@pytest.mark.parametrize("entry", ARTICLE.see_also)
def test_see_also_entries_link_to_wikipedia(site_html: Path, entry: str) -> None:
    soup = pages(site_html)["see-also/index.html"]
    links = [a for a in soup.select("article[role=main] li a") if a.get_text() == entry]
    assert links, f"See also entry {entry!r} is not a link"
    assert links[0]["href"].startswith("https://en.wikipedia.org/wiki/")


def test_footer_credits_source_and_licence_on_every_page(site_html: Path) -> None:
    for name, soup in pages(site_html).items():
        footer = soup.select_one("footer")
        hrefs = {a.get("href") for a in footer.select("a")}
        text = normalise(footer.get_text(" "))
        assert "Wikipedia article" in text and "CC BY-SA 4.0" in text, name
        assert any(h and "wikipedia.org/wiki/Donetsk_People" in h for h in hrefs), name
        assert "https://creativecommons.org/licenses/by-sa/4.0/" in hrefs, name
