"""The offline HTML: `make htmlzip` zips the one-page site, readable without a network."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import Article, make_ok, normalise, read_article, sphinx_conf, timeline_titles

ARTICLE = read_article()
CONF = sphinx_conf()
NAME = CONF["DOC_NAME"]


@pytest.fixture(scope="session")
def htmlzip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = make_ok("htmlzip", tmp_path_factory.mktemp("htmlzip-build"))
    return build / f"{NAME}-html.zip"


@pytest.fixture(scope="session")
def page(htmlzip: Path) -> BeautifulSoup:
    with zipfile.ZipFile(htmlzip) as archive:
        return BeautifulSoup(archive.read(f"{NAME}/index.html"), "html.parser")


def test_zip_holds_one_folder_with_the_page(htmlzip: Path) -> None:
    with zipfile.ZipFile(htmlzip) as archive:
        names = archive.namelist()
    assert {n.split("/")[0] for n in names} == {NAME}
    assert f"{NAME}/index.html" in names
    assert f"{NAME}/.buildinfo" not in names


@pytest.mark.parametrize("sentence", ARTICLE.sentences, ids=lambda s: s[:50])
def test_every_sentence_is_in_the_zip(page: BeautifulSoup, sentence: str) -> None:
    text = normalise(page.select_one("article[role=main]").get_text())
    assert sentence in text, f"missing from the offline HTML, word for word: {sentence!r}"


def test_every_heading_in_order(page: BeautifulSoup, article: Article) -> None:
    main = page.select_one("article[role=main]")
    headings = [normalise(h.get_text()).rstrip("#¶ ") for h in main.select("h1, h2, h3")]
    assert [h for h in headings if h in article.headings] == article.headings


def test_credit_and_licence_in_the_footer(page: BeautifulSoup) -> None:
    hrefs = {a["href"] for a in page.select("footer a")}
    assert CONF["SOURCE_ARTICLE_URL"] in hrefs
    assert CONF["LICENCE_URL"] in hrefs


def test_works_offline_every_asset_is_in_the_zip(htmlzip: Path, page: BeautifulSoup) -> None:
    """Stylesheets, scripts and images load from the zip, never from a host."""
    with zipfile.ZipFile(htmlzip) as archive:
        names = set(archive.namelist())
    assets = [tag.get("src") for tag in page.select("[src]")]
    assets += [tag.get("href") for tag in page.select("link[rel~=stylesheet], link[rel~=icon]")]
    assert assets, "no stylesheet or script found: the test reads the wrong page"
    for asset in assets:
        parts = urlsplit(asset)
        assert not parts.scheme and not parts.netloc, f"loads from a host: {asset}"
        assert f"{NAME}/{parts.path}" in names, f"not in the zip: {asset}"


def test_no_link_or_form_leads_out_of_the_zip(htmlzip: Path, page: BeautifulSoup) -> None:
    """Every local link and form a reader can use goes to a page or an anchor in the zip."""
    with zipfile.ZipFile(htmlzip) as archive:
        names = set(archive.namelist())
    ids = {tag["id"] for tag in page.select("[id]")}
    targets = [a["href"] for a in page.select("a[href]")]
    targets += [form.get("action", "") for form in page.select("form")]
    for target in targets:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue  # the web: the credit, the See also links
        if parts.path:
            assert f"{NAME}/{parts.path}" in names, f"leads out of the zip: {target}"
        elif parts.fragment:
            assert parts.fragment in ids, f"no such anchor on the page: {target}"


def test_timeline_events_are_in_the_zip(page: BeautifulSoup) -> None:
    titles = timeline_titles()
    assert titles, "the events file lists no events"
    text = normalise(page.select_one("article[role=main]").get_text())
    missing = [t for t in titles if normalise(t) not in text]
    assert not missing, f"timeline events missing from the offline HTML: {missing}"
