"""The benchmark scripts (benchmarks/, `make bench`) measure what they claim.

The benchmarks themselves print figures and never fail on them; these tests
check the parts that can be wrong: the page-weight arithmetic, and that the
grown sites they time still build strictly as the site changes.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest
from conftest import ROOT, sphinx_build

sys.path.insert(0, str(ROOT / "benchmarks"))
from projects import add_synthetic_pages, copy_site, read_events, set_timeline_events
from weight import page_weight


def write(path: Path, data: str | bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    path.write_bytes(raw)
    return raw


def test_page_weight_follows_every_reference_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    css = write(
        site / "_static" / "main.css",
        '@import "extra.css";\n@font-face { src: url("../fonts/f.woff2") format("woff2"); }\n'
        ".icon { background: url('data:image/svg+xml,<svg/>'); }\n",
    )
    extra = write(site / "_static" / "extra.css", "body { background: url(bg.svg?v=1); }")
    svg = write(site / "_static" / "bg.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>" * 20)
    font = write(site / "fonts" / "f.woff2", bytes(range(256)) * 4)
    js = write(site / "_static" / "app.js", "console.log('x');" * 10)
    png = write(site / "images" / "map.png", b"\x89PNG" + bytes(200))
    write(site / "_static" / "unused.js", "never loaded")
    page = write(
        site / "section" / "page.html",
        '<html><head><link rel="stylesheet" href="../_static/main.css?v=abc">'
        '<link rel="next" href="other.html">'
        '<script src="../_static/app.js"></script><script src="../_static/app.js"></script>'
        '<script src="https://cdn.example.org/remote.js"></script></head>'
        '<body><img src="../images/map.png" alt="map"><a href="#top">top</a></body></html>',
    )
    weight = page_weight(site / "section" / "page.html", site)

    assert sorted(weight.files) == sorted(
        [
            "section/page.html",
            "_static/main.css",
            "_static/extra.css",
            "_static/bg.svg",
            "fonts/f.woff2",
            "_static/app.js",
            "images/map.png",
        ]
    )
    assert weight.raw == sum(map(len, [page, css, extra, svg, font, js, png]))
    # Text is counted gzipped; the font and the PNG are counted as they are.
    zipped = sum(len(gzip.compress(b, 6, mtime=0)) for b in [page, css, extra, svg, js])
    assert weight.gzip == zipped + len(font) + len(png)
    assert weight.remote == ["https://cdn.example.org/remote.js"]


def test_page_weight_names_a_missing_file(tmp_path: Path) -> None:
    write(tmp_path / "index.html", '<link rel="stylesheet" href="_static/gone.css">')
    with pytest.raises(FileNotFoundError, match=r"index\.html: references _static/gone\.css"):
        page_weight(tmp_path / "index.html", tmp_path)


def test_grown_site_builds_strictly(tmp_path: Path) -> None:
    """A small version of what `make bench` grows: more pages, more events."""
    site = copy_site(tmp_path / "site")
    add_synthetic_pages(site, 3)
    events = len(read_events(site))
    assert set_timeline_events(site, 2) == 2 * events
    out = tmp_path / "html"
    result = sphinx_build(site, out, "html", "-d", str(tmp_path / "doctrees"))
    assert result.returncode == 0, result.stderr
    assert "Synthetic page 3" in (out / "synthetic" / "page-0003.html").read_text()
    copied = read_events(site)[events]
    assert copied["id"].endswith("-copy-1")
    timeline = (out / "timeline" / "index.html").read_text()
    assert timeline.count(copied["title"]) == 2
