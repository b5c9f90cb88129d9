"""What browsers, search engines and link previews read from the built site:
language, descriptions, OpenGraph, canonical links, sitemap, favicon, the 404
page and "last updated" dates."""

from __future__ import annotations

import re
import runpy
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, copy_site, sphinx_build
from test_navigation import SOURCES

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
DATE_FORMAT = "%d %B %Y"  # html_last_updated_fmt


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def conf() -> dict[str, object]:
    """conf.py's settings, as it makes them in this environment."""
    return runpy.run_path(str(ROOT / "conf.py"))


def baseurl() -> str:
    return str(conf()["html_baseurl"])


def docname(source: Path) -> str:
    return source.relative_to(ROOT).with_suffix("").as_posix()


def front_matter_description(source: Path) -> str:
    match = re.match(r"---\n(.*?)\n---\n", source.read_text(encoding="utf-8"), re.S)
    assert match, f"{source}: no front matter"
    return yaml.safe_load(match.group(1))["myst"]["html_meta"]["description"]


def meta(soup: BeautifulSoup, **attrs: str) -> str:
    tags = soup.find_all("meta", attrs=attrs)
    assert len(tags) == 1, f"{attrs}: {len(tags)} tags"
    return tags[0]["content"]


def last_updated(soup: BeautifulSoup) -> str | None:
    div = soup.select_one(".last-updated")
    return div.get_text(" ", strip=True).removeprefix("Last updated on ") if div else None


def test_every_page_declares_its_language(site_html: Path) -> None:
    for page in site_html.rglob("*.html"):
        if not page.relative_to(site_html).parts[0].startswith("_"):
            assert soup_of(page).html["lang"] == "en", page


def test_every_page_has_its_own_description_and_opengraph_tags(site_html: Path) -> None:
    base = baseurl()
    descriptions = set()
    for source in SOURCES:
        page = f"{docname(source)}.html"
        soup = soup_of(site_html / page)
        description = front_matter_description(source)
        # A sentence, short enough that link previews do not cut it.
        assert 20 <= len(description) <= 200, f"{source}: description of {len(description)} chars"
        assert meta(soup, name="description") == description, page
        assert meta(soup, property="og:description") == description, page
        assert meta(soup, property="og:url") == base + page
        assert meta(soup, property="og:title") == soup.h1.get_text(strip=True).rstrip("¶")
        assert meta(soup, property="og:site_name") == conf()["project"]
        assert meta(soup, property="og:type") == "article"
        assert soup.find("link", rel="canonical")["href"] == base + page
        descriptions.add(description)
    assert len(descriptions) == len(SOURCES), "two pages share a description"


def test_favicon_is_linked_and_is_a_plain_svg(site_html: Path) -> None:
    for page in ("index.html", "relations/official-relations.html"):
        icon = soup_of(site_html / page).find("link", rel="icon")
        assert icon is not None, page
        assert (site_html / page).parent.joinpath(icon["href"]).resolve().is_file(), page
    svg = ET.parse(site_html / "_static" / "favicon.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    text = (site_html / "_static" / "favicon.svg").read_text(encoding="utf-8")
    # Self-contained: no script, no linked image or font, no external URL.
    assert not re.search(r"<script|<image|href=|@import|url\(", text)


def test_sitemap_lists_every_page_and_nothing_else(site_html: Path) -> None:
    root = ET.parse(site_html / "sitemap.xml").getroot()
    locs = [u.findtext("s:loc", namespaces=SITEMAP_NS) for u in root.findall("s:url", SITEMAP_NS)]
    expected = {f"{baseurl()}{docname(s)}.html" for s in SOURCES}
    assert sorted(locs) == sorted(expected)


def test_404_page_works_at_any_depth(site_html: Path) -> None:
    """Read the Docs serves 404.html for any missing URL, so every link in it
    is an absolute path under the base URL, and leads to a file that exists."""
    prefix = urlsplit(baseurl()).path
    soup = soup_of(site_html / "404.html")
    assert soup.title.get_text().startswith("Page not found")
    assert meta(soup, name="robots") == "noindex"
    local = [
        tag.get("href") or tag.get("src")
        for tag in soup.find_all(["a", "link", "script", "img"])
        if (tag.get("href") or tag.get("src") or "").startswith("/")
    ]
    assert len(local) > 10, local
    for url in local:
        path = urlsplit(url).path
        assert path.startswith(prefix), url
        assert (site_html / path.removeprefix(prefix)).is_file(), url
    relative = [
        a["href"]
        for a in soup.find_all("a", href=True)
        if not a["href"].startswith(("/", "#", "http://", "https://"))
    ]
    assert not relative, f"relative links break below the top folder: {relative}"


def git(*args: str) -> str:
    """git's output in the project ("" when git fails or is missing)."""
    try:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return run.stdout.strip() if run.returncode == 0 else ""


def git_date(path: Path) -> datetime | None:
    """The date of the last commit that changed `path`."""
    out = git("log", "-1", "--format=%at", "--", str(path))
    return datetime.fromtimestamp(int(out), UTC) if out else None


def test_last_updated_dates_come_from_git(site_html: Path) -> None:
    if git_date(ROOT / "conf.py") is None:
        pytest.skip("not a git checkout: the dates come from SOURCE_DATE_EPOCH (tested below)")
    # In a shallow clone a page unchanged since the oldest commit fetched
    # cannot be dated: it shows no date (the build warns, git.too_shallow).
    shallow = git("rev-parse", "--is-shallow-repository") == "true"
    dated = 0
    for source in SOURCES:
        shown = last_updated(soup_of(site_html / f"{docname(source)}.html"))
        committed = git_date(source)
        if committed is None:  # a new page, not committed yet
            assert shown is None, source
            continue
        if shallow and shown is None:
            continue
        # The page's last commit, or a later one of a file it includes.
        assert shown is not None, source
        assert datetime.strptime(shown, DATE_FORMAT).date() >= committed.date(), source
        dated += 1
    assert dated or shallow, "no page is committed"


@pytest.fixture(scope="module")
def site_outside_git(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with no .git, as in a source tarball."""
    return copy_site(tmp_path_factory.mktemp("tarball") / "site")


def test_outside_git_the_date_is_source_date_epoch_or_none(
    site_outside_git: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1664496000")  # 30 September 2022, UTC
    result = sphinx_build(site_outside_git, tmp_path / "with-epoch")
    assert result.returncode == 0, result.stderr
    assert last_updated(soup_of(tmp_path / "with-epoch" / "index.html")) == "30 September 2022"

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    result = sphinx_build(site_outside_git, tmp_path / "without")
    assert result.returncode == 0, result.stderr
    assert last_updated(soup_of(tmp_path / "without" / "index.html")) is None


def test_read_the_docs_canonical_url_drives_every_link(
    site_outside_git: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://docs.example.org/fr/stable/"
    monkeypatch.setenv("READTHEDOCS_CANONICAL_URL", url)
    out = tmp_path / "rtd"
    result = sphinx_build(site_outside_git, out)
    assert result.returncode == 0, result.stderr
    page = soup_of(out / "relations" / "index.html")
    assert page.find("link", rel="canonical")["href"] == f"{url}relations/index.html"
    assert meta(page, property="og:url") == f"{url}relations/index.html"
    assert f"<loc>{url}index.html</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    styles = soup_of(out / "404.html").find_all("link", rel="stylesheet")
    assert styles and all(s["href"].startswith("/fr/stable/_static/") for s in styles)


def test_page_without_description_fails_naming_the_file(
    site_outside_git: Path, tmp_path: Path
) -> None:
    page = site_outside_git / "see-also" / "index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"\A---\n.*?\n---\n", "", original, flags=re.S), encoding="utf-8")
    try:
        result = sphinx_build(site_outside_git, tmp_path / "out")
    finally:
        page.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "see-also/index.md" in result.stderr, result.stderr
    assert "page has no description" in result.stderr
    assert "[description.missing]" in result.stderr
