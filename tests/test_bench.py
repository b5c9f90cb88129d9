"""What the benchmarks, which never fail on a figure, can get wrong: weights; grown projects."""

import gzip
from pathlib import Path

import pytest
import yaml

import bench


def test_page_weight_counts_every_referenced_file_once(tmp_path: Path) -> None:
    fetched = {  # by a first visit to section/page.html, once each
        "section/page.html": b'<link rel="stylesheet" href="../_static/main.css?v=1">'
        b'<link rel="next" href="other.html"><script src="../_static/app.js"></script>'
        b'<script src="../_static/app.js"></script><script src="https://cdn.example/r.js">'
        b'</script><img src="../images/map.png" alt="map"><a href="#top">top</a>',
        "_static/main.css": b'@import "extra.css";\n@font-face { src: url("../fonts/f.woff2"); }\n',
        "_static/extra.css": b"body { background: url(bg.svg?v=1); } a { b: url('data:,<svg/>'); }",
        "_static/bg.svg": b"<svg/>" * 50, "_static/app.js": b"console.log('x');" * 10,
        "fonts/f.woff2": bytes(range(256)) * 4, "images/map.png": b"\x89PNG" + bytes(200),
    }  # fmt: skip
    for path, data in {**fetched, "_static/unused.js": b"never loaded"}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    weight = bench.page_weight(tmp_path / "section/page.html", tmp_path)
    assert (sorted(weight.files), weight.remote) == (sorted(fetched), ["https://cdn.example/r.js"])
    assert weight.raw == sum(map(len, fetched.values()))
    compressible = [data for path, data in fetched.items() if not path.endswith((".woff2", ".png"))]
    assert weight.gzip == sum(len(gzip.compress(d, 6, mtime=0)) for d in compressible) + 1024 + 204
    (tmp_path / "images/map.png").unlink()
    with pytest.raises(FileNotFoundError, match=r"page\.html: references \.\./images/map\.png"):
        bench.page_weight(tmp_path / "section/page.html", tmp_path)


def test_the_grown_site_and_floor_build_strictly(tmp_path: Path) -> None:
    site = bench.pub.copy_project(tmp_path / "site")
    events = yaml.safe_load((site / bench.pub.EVENTS).read_text(encoding="utf-8"))
    assert bench.repeat_events(site, 2) == 2 * len(events)
    for project in (site, bench.make_floor(tmp_path / "floor")):
        bench.add_pages(project, 3)
        bench.build("html", project, out := tmp_path / f"{project.name}-out")  # exits if it fails
        assert "Page 3" in (out / f"html/{bench.SYNTHETIC}/page-3.html").read_text(encoding="utf-8")
    timeline = (tmp_path / "site-out/html/timeline/index.html").read_text(encoding="utf-8")
    assert f'id="timeline-{events[0]["id"]}-copy-1"' in timeline  # the copy, listed


def test_a_ratio_is_judged_only_when_it_measures_something() -> None:
    for ratio, target, verdict in [(1.2, 1.5, "met"), (2.0, 1.5, "**missed**"), (-4.5, 1.5, "")]:
        bench.row("events", "site", "", ratio, target)
        assert bench.ROWS.pop()[-1] == verdict, ratio
