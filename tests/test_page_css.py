"""Pages download only the stylesheets and scripts they use (_ext/page_css.py).

Page weight counts against the bare furo page (`make bench`): the infobox's
CSS belongs on the front page, the timelines' CSS on pages with a timeline,
sphinx-timeline's own CSS/JS (for its horizontal strip) on no page that
shows a vertical list, and Sphinx's pygments.css only where code is shown.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import copy_site, sphinx_build


def assets(page: Path) -> list[str]:
    """The stylesheets and scripts that a built page links."""
    html = page.read_text(encoding="utf-8")
    found = re.findall(r'<link rel="stylesheet"[^>]*href="([^"?]+)', html)
    return found + re.findall(r'<script src="([^"?]+)', html)


def names(page: Path) -> set[str]:
    return {Path(href).name for href in assets(page)}


def test_infobox_css_only_on_the_page_with_the_infobox(site_html: Path) -> None:
    with_infobox = {
        p.relative_to(site_html).as_posix()
        for p in site_html.rglob("*.html")
        if 'class="infobox sidebar' in p.read_text(encoding="utf-8")
    }
    assert with_infobox == {"index.html"}
    for page in site_html.rglob("*.html"):
        linked = "infobox.css" in names(page)
        assert linked == (page.relative_to(site_html).as_posix() in with_infobox), page


def test_timeline_css_only_on_pages_with_a_timeline(site_html: Path) -> None:
    for page in site_html.rglob("*.html"):
        has_timeline = 'class="article-timeline' in page.read_text(encoding="utf-8")
        assert ("timeline.css" in names(page)) == has_timeline, page
    assert "timeline.css" in names(site_html / "timeline" / "index.html")
    assert "timeline.css" not in names(site_html / "see-also" / "index.html")


def test_no_sphinx_timeline_strip_assets_on_list_timelines(site_html: Path) -> None:
    strip_assets = re.compile(r"_static/(default|datetime)\.[0-9a-f]{32}\.(css|js)$")
    for page in site_html.rglob("*.html"):
        assert not [a for a in assets(page) if strip_assets.search(a)], page


def test_pygments_css_only_on_pages_with_code(site_html: Path) -> None:
    # The article has no code block; Sphinx's own search page keeps the file.
    for page in site_html.glob("**/*.html"):
        has_code = 'class="highlight' in page.read_text(encoding="utf-8")
        if page.name not in {"search.html", "404.html"}:
            assert ("pygments.css" in names(page)) == has_code, page


def test_strip_timeline_and_code_get_their_assets(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    page = site / "timeline" / "index.md"
    text = page.read_text(encoding="utf-8")
    text = text.replace(":reversed:\n", ":reversed:\n:style: default\n")
    page.write_text(text + "\n```python\nprint('a code block')\n```\n", "utf-8")
    out = tmp_path / "html"
    result = sphinx_build(site, out, "html", "-d", str(tmp_path / "doctrees"))
    assert result.returncode == 0, result.stderr
    linked = " ".join(assets(out / "timeline" / "index.html"))
    assert re.search(r"_static/default\.[0-9a-f]{32}\.css", linked)
    assert re.search(r"_static/datetime\.[0-9a-f]{32}\.js", linked)
    assert "default." not in " ".join(assets(out / "index.html"))
    assert "pygments.css" in names(out / "timeline" / "index.html")
    assert "pygments.css" not in names(out / "index.html")
