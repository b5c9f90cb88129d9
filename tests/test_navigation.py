"""Pages, labels, cross-references and navigation, as designed."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import ROOT

# Each stable label, and the page it must stay on.
LABELS = {
    "lead": "index",
    "background": "background/index",
    "background/proclamation": "background/index",
    "background/referendum": "background/index",
    "background/luhansk": "background/index",
    "background/crimea": "background/index",
    "relations": "relations/index",
    "relations/unofficial": "relations/unofficial-relations",
    "relations/official": "relations/official-relations",
    "relations/official/duma-resolution": "relations/official-relations",
    "relations/official/recognition": "relations/official-relations",
    "relations/official/annexation": "relations/official-relations",
    "see-also": "see-also/index",
}

# The site's pages: Markdown outside dot-folders, build output, tests and docs
# about the repository itself.
SOURCES = sorted(
    p
    for p in ROOT.rglob("*.md")
    if not any(part.startswith((".", "_")) for part in p.relative_to(ROOT).parts)
    and p.relative_to(ROOT).parts[0] not in {"tests", "benchmarks", "node_modules", "README.md"}
)


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def test_labels_are_where_they_belong(site_html: Path) -> None:
    for label, page in LABELS.items():
        anchor = re.sub(r"[^a-z0-9]+", "-", label)
        assert soup(site_html, page).find(id=anchor), f"label ({label})= not on {page}"


def test_sources_declare_their_labels() -> None:
    declared = {
        m.group(1)
        for path in SOURCES
        for m in re.finditer(r"^\(([^)]+)\)=$", path.read_text(encoding="utf-8"), re.M)
    }
    assert set(LABELS) <= declared


def test_no_link_is_written_as_an_html_path() -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\]\((?!https?:)[^)]*\.html", text), (
            f"{path}: link by label, not .html path"
        )


def test_cross_references_between_pages(site_html: Path) -> None:
    """At least eight links in the article bodies lead to another page."""
    crossings = []
    for page in set(LABELS.values()):
        for a in soup(site_html, page).select("article[role=main] p a.reference.internal"):
            href = a["href"]
            if not href.startswith("#"):  # "#..." stays on the same page
                crossings.append((page, href))
    assert len(crossings) >= 8, crossings


def test_sidebar_lists_every_page_under_its_caption(site_html: Path) -> None:
    index = soup(site_html, "index")
    tree = index.select_one(".sidebar-tree")
    assert tree.select_one(".caption").get_text(strip=True) == "Article"
    linked = {a["href"] for a in tree.select("a.reference")}
    for page in set(LABELS.values()) - {"index"}:
        assert f"{page}.html" in linked, page


def test_previous_and_next_links_walk_the_article(site_html: Path) -> None:
    order = [
        "index",
        "background/index",
        "relations/index",
        "relations/unofficial-relations",
        "relations/official-relations",
        "see-also/index",
    ]
    for here, there in itertools.pairwise(order):
        nxt = soup(site_html, here).select_one(".related-pages a.next-page")
        assert nxt is not None, f"{here} has no next link"
        target = (site_html / here).parent / nxt["href"]
        assert target.resolve() == (site_html / f"{there}.html").resolve(), here
