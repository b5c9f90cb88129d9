"""The timeline extension (_ext/article_timeline), in-process on a small test project.

tests/roots/test-timeline has a full timeline, a picture (:style: axis), a
section timeline and four events; each test builds a copy, some with a fault
planted. Expectations come from the test project's own events file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx.util import texescape
from sphinx.util.console import strip_escape_sequences

from article_timeline import axis
from article_timeline import events as ev
from publication import ROOT

ROOT_EVENTS = Path(__file__).parent / "roots" / "test-timeline" / "events.yaml"
EVENTS = ev.load(ROOT_EVENTS).events
Build = Callable[..., SphinxTestApp]


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp], rootdir: Path, tmp_path: Path) -> Build:
    """build(builder, {file: text}) -> the app, built from a copy with those files replaced."""
    count = iter(range(100))

    def run(
        builder: str = "html", files: dict[str, str] | None = None, parallel: int = 0
    ) -> SphinxTestApp:
        src = tmp_path / f"src-{next(count)}"
        shutil.copytree(rootdir / "test-timeline", src)
        for name, text in (files or {}).items():
            (src / name).write_text(text, encoding="utf-8")
        app = make_app(builder, srcdir=src, parallel=parallel)
        app.build()
        return app

    return run


def warnings(app: SphinxTestApp) -> str:
    return strip_escape_sequences(app.warning.getvalue())


def page(app: SphinxTestApp, name: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def test_lists_dates_anchors_and_links(build: Build) -> None:
    app = build()
    assert warnings(app) == ""
    items = page(app, "index").select("ol.timeline-list > li")
    assert [li.select_one(".tl-date").get_text() for li in items] == [e.when.text() for e in EVENTS]
    assert [li.select_one("[id^=timeline-]")["id"] for li in items] == [
        f"timeline-{e.id}" for e in EVENTS
    ]
    dated = {t["datetime"]: t.get_text() for t in page(app, "index").select("time.tl-date")}
    assert dated["2014-04-07"] == "7 April 2014" and "2014-04-01" not in dated  # no invented day
    box = page(app, "page").select_one(".admonition.timeline-box")
    assert box.select_one(".admonition-title").get_text() == "Timeline"
    told = [e for e in EVENTS if e.section == "part" or e.section.startswith("part/")]
    links = [a["href"] for a in box.select("a.reference")]
    assert links == [f"index.html#timeline-{e.id}" for e in told]


def test_the_picture_links_every_event_to_its_entry(build: Build) -> None:
    app = build()
    svg = page(app, "index").select_one("figure.tl-axis svg")
    hrefs = [a["href"] for a in svg.select("a")]
    assert hrefs == [f"#timeline-{e.id}" for e in axis_order(EVENTS)]
    assert svg.select_one("title").get_text() and svg.select_one("desc").get_text()
    assert all(a["aria-label"] for a in svg.select("a"))


def axis_order(events: list[ev.Event]) -> list[ev.Event]:
    return [e for e in events if e.when.start] + [e for e in events if not e.when.start]


@pytest.mark.parametrize("builder", ["latex", "text", "epub"])
def test_outside_the_web_a_list_has_dates_as_terms_and_the_picture_is_an_image(
    build: Build, builder: str
) -> None:
    app = build(builder)
    assert warnings(app) == ""
    files = [p for p in app.outdir.rglob("*.*") if p.suffix in {".tex", ".txt", ".xhtml"}]
    text = "\n".join(p.read_text("utf-8") for p in files)
    escape = texescape.escape if builder == "latex" else str
    assert all(escape(event.when.text()) in text for event in EVENTS)
    assert "events.json" not in text  # the downloads are the web's
    if builder != "text":
        images = [p.name for p in app.outdir.rglob("timeline-*.*")]
        assert images, "the picture is not an image"


def test_bad_data_and_an_unknown_label_are_reported_at_their_lines(build: Build) -> None:
    text = ROOT_EVENTS.read_text(encoding="utf-8")
    text = text.replace("date: 2014-02/2014-03", "date: 2014-03/2014-02").replace(
        "section: other", "section: nowhere", 1
    )
    app = build(files={"events.yaml": text}, parallel=2)
    lines = text.splitlines()
    found = warnings(app)
    date_line = lines.index("  date: 2014-03/2014-02") + 1
    label_line = lines.index("  section: nowhere") + 1
    assert f"events.yaml:{date_line}: WARNING: timeline data: event 'first', field 'date'" in found
    assert (
        f"events.yaml:{label_line}: WARNING: timeline data: event 'third', field 'section'" in found
    )
    assert found.count("timeline data") == 2, found  # once each, though -j 2
    assert "Traceback" not in found


TEMPLATE_FAULTS = {
    "syntax": ("[{{ e.title }}](#{{ link }})\n{% if %}\n", "Expected an expression"),
    "unknown field": ("[{{ e.title }}](#{{ link }})\n{{ e.titel }}\n", "has no attribute 'titel'"),
    "an exception": ("[{{ e.title }}](#{{ link }})\n{{ 1 / 0 }}\n", "ZeroDivisionError"),
}


@pytest.mark.parametrize("fault", TEMPLATE_FAULTS)
def test_a_failing_template_is_reported_at_its_line_and_page(build: Build, fault: str) -> None:
    template, expected = TEMPLATE_FAULTS[fault]
    page_md = (Path(__file__).parent / "roots/test-timeline/page.md").read_text("utf-8")
    app = build(
        files={
            "item.jinja": template,
            "page.md": page_md.replace(":reversed:", ":reversed:\n:template: item.jinja"),
        }
    )
    found = warnings(app)
    line = next((w for w in found.splitlines() if "item.jinja:2:" in w), "")
    assert expected in line and "used by" in line and "page.md" in line, found
    assert "Traceback" not in found


def test_event_text_is_text_in_every_output(build: Build) -> None:
    planted = (
        '<script>alert(1)</script> {raw}`html <b id="x">x</b>` '
        "```{raw} latex\\n\\\\textbf{PLANTED}\\n```"
    )
    text = ROOT_EVENTS.read_text("utf-8").replace(
        "summary: The first event.", f"summary: {json.dumps(planted)}"
    )
    html = build(files={"events.yaml": text})
    main = page(html, "index").select_one("div.body, div[role=main]") or page(html, "index")
    assert not main.select("script, b#x") and "<script>alert(1)</script>" in main.get_text()
    latex = build("latex", {"events.yaml": text})
    tex = next(latex.outdir.glob("*.tex")).read_text("utf-8")
    assert "\\textbf{PLANTED}" not in tex and "textbf\\{PLANTED\\}" in tex


def test_paths_stay_inside_the_project(build: Build) -> None:
    index = (
        "# Events\n\n```{toctree}\npage\n```\n\n```{timeline}\n:events: ../../../etc/passwd\n```\n"
    )
    app = build(files={"index.md": index})
    assert "etc/passwd is outside the project" in warnings(app)


def test_upstream_data_and_styles_keep_working_and_load_only_where_used(build: Build) -> None:
    index = (Path(__file__).parent / "roots/test-timeline/index.md").read_text("utf-8")
    upstream = "```{timeline}\n:style: default\n- start: 2014-04-07\n  name: Upstream\n"
    upstream += "---\n{{ e.name }}\n```\n"  # sphinx-timeline's inline data and template
    app = build(files={"index.md": index + upstream})
    assert warnings(app) == ""
    assert "Upstream" in page(app, "index").get_text()
    assert "sphinx-timeline/default.css" in str(page(app, "index"))
    assert "sphinx-timeline" not in str(page(app, "page"))
    assert (app.outdir / "_static/sphinx-timeline/default.css").is_file()
    plain = build()
    assert not (plain.outdir / "_static/sphinx-timeline").exists()  # nothing unused is published


# -- The picture's geometry (axis.py), on the project's own events --------------------

SITE_EVENTS = ev.load(ROOT / "_data" / "events.yaml").events


def test_positions_are_proportional_to_time() -> None:
    picture = axis.layout(SITE_EVENTS)
    points = {r.id: r.shapes[0] for r in picture.rows if r.shapes and r.shapes[0].kind == "point"}
    (a, day_a), (b, day_b) = [
        (i, e.when.start.first_day) for e in SITE_EVENTS for i in points if i == e.id
    ][:2]
    per_day = (picture.x(dt.date(2020, 1, 1)) - picture.x(dt.date(2019, 1, 1))) / 365
    assert points[b].x0 - points[a].x0 == pytest.approx((day_b - day_a).days * per_day, abs=0.02)
    for row, event in zip(picture.rows, axis_order(SITE_EVENTS), strict=True):
        when = event.when
        if when.precision == "range" and not when.qualifier:  # a bar over its months
            bar = row.shapes[0]
            assert bar.x0 == pytest.approx(picture.x(when.start.first_day), abs=0.01)
            assert bar.x1 == pytest.approx(
                picture.x(when.end.last_day + dt.timedelta(days=1)), abs=0.01
            )
        if when.qualifier in ("since", "after"):  # open to the right: an arrowhead at the edge
            assert row.shapes[-1].kind == "arrow" and row.shapes[-1].x0 == axis.WIDTH - axis.RIGHT
        if not when.start:
            assert row.shapes == () and row.label.startswith(axis.NOT_STATED)


def test_no_two_labels_overlap_and_every_label_fits() -> None:
    boxes = [row.label_box() for row in axis.layout(SITE_EVENTS).rows]
    for i, (l1, t1, r1, b1) in enumerate(boxes):
        assert l1 >= 0 and r1 <= axis.WIDTH, boxes[i]
        for l2, t2, r2, b2 in boxes[i + 1 :]:
            assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, (boxes[i], (l2, t2, r2, b2))


def test_a_new_event_moves_the_picture_and_the_picture_is_deterministic() -> None:
    before = axis.svg(axis.layout(SITE_EVENTS), {}, themed=False)
    assert before == axis.svg(axis.layout(SITE_EVENTS), {}, themed=False)
    later = ev.Event("later", ev.When("year", ev.PartialDate(2024)), "Later", "s", "lead", 1)
    after = axis.layout([*SITE_EVENTS, later])
    assert after.last_year == 2024 and "Later" in axis.svg(after, {}, themed=False)
    assert re.findall(r'<text class="tl-ax-year"', axis.svg(after, {}, themed=False)) != re.findall(
        r'<text class="tl-ax-year"', before
    )
