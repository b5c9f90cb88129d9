"""The benchmarks (benchmarks/bench.py, `make bench`) measure what they claim.

They print figures and never fail on them; these tests check what can be wrong:
the page-weight arithmetic, and that the grown projects they time still build.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import yaml

import bench
from conftest import build, copy_project
from publication import EVENTS


def test_page_weight_counts_every_referenced_file_once(tmp_path: Path) -> None:
    fetched = {
        "section/page.html": '<html><head><link rel="stylesheet" href="../_static/main.css?v=1">'
        '<link rel="next" href="other.html"><script src="../_static/app.js"></script>'
        '<script src="../_static/app.js"></script><script src="https://cdn.example.org/r.js">'
        '</script></head><body><img src="../images/map.png" alt="map"><a href="#top">top</a>',
        "_static/main.css": '@import "extra.css";\n@font-face { src: url("../fonts/f.woff2"); }\n'
        ".icon { background: url('data:image/svg+xml,<svg/>'); }\n",
        "_static/extra.css": "body { background: url(bg.svg?v=1); }",
        "_static/bg.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>" * 20,
        "_static/app.js": "console.log('x');" * 10,
        "fonts/f.woff2": bytes(range(256)) * 4,
        "images/map.png": b"\x89PNG" + bytes(200),
    }
    fetched = {p: data.encode() if isinstance(data, str) else data for p, data in fetched.items()}
    for path, data in {**fetched, "_static/unused.js": b"never loaded"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    weight = bench.page_weight(tmp_path / "section/page.html", tmp_path)
    assert sorted(weight.files) == sorted(fetched)
    assert weight.raw == sum(map(len, fetched.values()))
    text = [data for path, data in fetched.items() if not path.endswith((".woff2", ".png"))]
    zipped = sum(len(gzip.compress(data, 6, mtime=0)) for data in text)
    assert weight.gzip == zipped + 1024 + 204  # the font and the PNG, sent as they are
    assert weight.remote == ["https://cdn.example.org/r.js"]
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="_static/gone.css">')
    with pytest.raises(FileNotFoundError, match=r"index\.html: references _static/gone\.css"):
        bench.page_weight(tmp_path / "index.html", tmp_path)


def test_the_grown_site_and_floor_build_strictly(tmp_path: Path) -> None:
    site, floor = copy_project(tmp_path / "site"), bench.make_floor(tmp_path / "floor")
    bench.add_pages(site, 3)
    bench.add_pages(floor, 3)
    events = yaml.safe_load((site / EVENTS).read_text(encoding="utf-8"))
    assert bench.repeat_events(site, 2) == 2 * len(events)
    result = build("html", site, tmp_path / "site-out")  # the site's own build tool
    assert result.returncode == 0, result.stderr
    bench.build("html", floor, tmp_path / "floor-out")  # raises SystemExit if it fails
    for project in ("site", "floor"):
        page = tmp_path / f"{project}-out/html/{bench.SYNTHETIC}/page-3.html"
        assert "Page 3" in page.read_text(encoding="utf-8")
    timeline = (tmp_path / "site-out/html/timeline/index.html").read_text(encoding="utf-8")
    assert f'id="timeline-{events[0]["id"]}-copy-1"' in timeline  # the copy, listed
