"""The timeline extension (_ext/article_timeline): the events file's rules (events.py)
and the picture (axis.py), then builds of a small test project.

tests/roots/test-timeline has a full timeline, a picture (:style: axis), a section
timeline and four events; each build is of a copy, some with a fault planted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx.testing.util import SphinxTestApp
from sphinx.util import texescape
from sphinx.util.console import strip_escape_sequences

import publication as pub
from article_text import read_article
from article_timeline import axis
from article_timeline import events as ev

SITE = ev.load(pub.ROOT / pub.EVENTS)
PARAGRAPHS = [(s.heading, p) for s in read_article() for p in s.paragraphs]


def test_the_events_file_is_valid() -> None:
    assert SITE.errors == []
    assert SITE.events


@pytest.mark.parametrize("event", SITE.events, ids=lambda e: e.id)
def test_each_summary_is_the_articles_words_and_its_date_is_in_them(event: ev.Event) -> None:
    holding = [f"{heading} {p}" for heading, p in PARAGRAPHS if event.summary in p]
    assert holding, f"{event.id}: the summary is not the article's words: {event.summary!r}"
    for date in filter(None, (event.when.start, event.when.end)):
        for part in date.text().split():  # the day, the month's name, the year
            assert part in event.summary or part in holding[0], f"{event.id}: no {part} in the text"
    if event.when.qualifier:
        assert event.when.qualifier in event.summary.lower(), event.id


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "events.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def event(event_id: str, date: str | None, precision: str, extra: str = "") -> str:
    lines = [f"- id: {event_id}", f"  date: {date}" if date else "", f"  precision: {precision}"]
    return "\n".join(filter(None, [*lines, extra, "  title: T", "  summary: S", "  section: lead"]))


@pytest.mark.parametrize(
    ("precision", "date", "qualifier", "shown"),
    [
        ("day", "2022-09-30", None, "30 September 2022"),
        ("month", "2014-04", None, "April 2014"),
        ("year", "2017", "since", "Since 2017"),
        ("year", "2014", "after", "After 2014"),
        ("month", "2022-10", "as of", "As of October 2022"),
        ("range", "2014-02/2014-03", None, "February–March 2014"),
        ("range", "2014-04/2022-09", None, "April 2014 – September 2022"),
        ("range", "2022-02-20/2022-02-21", None, "20–21 February 2022"),
        ("range", "2014/2016", None, "2014–2016"),
    ],
)
def test_dates_read_as_precisely_as_written(
    tmp_path: Path, precision: str, date: str, qualifier: str | None, shown: str
) -> None:
    extra = f"  qualifier: {qualifier}" if qualifier else ""
    loaded = ev.load(write(tmp_path, event("x", date, precision, extra)))
    assert loaded.errors == []
    assert loaded.events[0].when.text() == shown


def test_sorting_across_precisions(tmp_path: Path) -> None:
    text = "\n".join(
        [
            event("after-2014", "2014", "year", "  qualifier: after"),
            event("april", "2014-04", "month"),
            event("undated", None, "none", "  after: march-31"),
            event("march-31", "2014-03-31", "day"),
            event("year-2014", "2014", "year"),
            event("jan-2015", "2015-01", "month"),
        ]
    )
    loaded = ev.load(write(tmp_path, text))
    # A year sorts at its start; an undated event right after the one it follows;
    # "after 2014" after all of 2014; ties keep the file's order.
    order = ["year-2014", "march-31", "undated", "april", "after-2014", "jan-2015"]
    assert [e.id for e in loaded.events] == order


def titled(title: str) -> str:
    return event("a", "2014", "year").replace("title: T", f"title: {title}")


# Each bad value: the text, the line, the event and the field it is reported at.
BAD = {
    "not a calendar day": (event("a", "2022-02-30", "day"), 2, "a", "date"),
    "year 0": (event("a", "'0000'", "year"), 2, "a", "date"),
    "year 9999, after": (event("a", "9999", "year", "  qualifier: after"), 2, "a", "date"),
    "a date with a time": (event("a", "2022-02-16 10:00:00", "day"), 2, "a", "date"),
    "precision mismatch": (event("a", "2014-04", "day"), 3, "a", "precision"),
    "unknown field": (event("a", "2014", "year", "  source: x"), 4, "a", "source"),
    "missing field": (event("a", "2014", "year").replace("  summary: S\n", ""), 1, "a", "summary"),
    "null value": (titled(""), 4, "a", "title"),
    "a list": (titled("[x]"), 4, "a", "title"),
    "a tab inside": (titled('"a\\tb"'), 4, "a", "title"),
    "a control character": (titled('"a\\x07"'), 4, "a", "title"),
    "bad id": (event("A b", "2014", "year"), 1, "A b", "id"),
    "range backwards": (event("a", "2014-03/2014-02", "range"), 2, "a", "date"),
    "undated without after": (event("a", None, "none"), 1, "a", "after"),
    "after an unknown id": (event("a", None, "none", "  after: zzz"), 3, "a", "after"),
    "duplicate id": (event("a", "2014", "year") + "\n" + event("a", "2015", "year"), 7, "a", "id"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_value_is_reported_at_its_line_event_and_field(tmp_path: Path, case: str) -> None:
    text, line, event_id, field = BAD[case]
    errors = ev.load(write(tmp_path, text)).errors
    assert (line, event_id, field) in [(e.line, e.event, e.field) for e in errors], errors


# Eleven layers of ten aliases: 10**12 nodes, were it expanded.
LAYERS = "".join(f"- &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12))
BOMB = f"- &a0 [x, x, x, x, x, x, x, x, x, x]\n{LAYERS}- {{*a11 : x}}\n"
SYNTAX = {
    "a tab": ("- id: a\n\ttitle: x\n", 2, "tab"),
    "a missing colon": ("- id: a\n  title x\n  summary: y\n", 2, "without a colon"),
    "an unexpected colon": ("- id: a\n  title: a: b\n", 2, "unexpected colon"),
    "bad indentation": ("- id: a\n  title: x\n summary: y\n", 3, "indentation"),
    "an unclosed quote": ('- id: a\n  title: "abc\n  summary: y\n', 2, "quote"),
    "a raw control character": ("- id: a\n  title: a\x07b\n", 2, "control character U+0007"),
    "not UTF-8": (b"- id: a\n  title: ok\n  summary: caf\xe9\n", 3, "not UTF-8"),
    "an alias bomb as a key": ("- &a [x, x]\n- {*a : 1}\n", 1, "anchor or alias"),
    "a billion laughs": (BOMB, 1, "anchor or alias"),  # refused before it is expanded
    "too large": ("#" * ev.MAX_BYTES + "\n", 1, "larger than"),
    "too many nodes": (f"- [{'x, ' * ev.MAX_NODES}]\n", 1, "YAML nodes"),
    "not a list": ("id: a\n", 1, "list of events"),
}


@pytest.mark.parametrize("case", SYNTAX)
def test_a_broken_file_is_reported_at_its_line_in_an_editors_words(
    tmp_path: Path, case: str
) -> None:
    text, line, words = SYNTAX[case]
    (error,) = ev.load(write(tmp_path, text)).errors
    assert error.line == line and words in error.message, error


# -- Whatever the file holds, the loader only reports ------------------------------

VALUES = st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.text(max_size=5)))
FIELD_NAMES = st.sampled_from([*ev.FIELDS, "other", "", "- x", "&a", "*a", "{", "[x]"])
ITEMS = st.lists(st.dictionaries(FIELD_NAMES, VALUES, max_size=9), max_size=4)


@settings(max_examples=150, deadline=None)
@given(items=ITEMS)
def test_random_yaml_is_only_ever_reported(
    tmp_path_factory: pytest.TempPathFactory, items: list[dict]
) -> None:
    fields = [
        "\n  ".join(f"{key}: {'' if v is None else repr(v)}" for key, v in i.items()) for i in items
    ]
    text = "\n".join(f"- {f or '{}'}" for f in fields)
    loaded = ev.load(write(tmp_path_factory.getbasetemp(), text))
    assert all(isinstance(e.line, int) and e.line >= 1 and e.message for e in loaded.errors)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=25),
        st.from_regex(r"\d{1,5}(-\d{1,3}){0,2}(/\d{4}(-\d\d)?)?", fullmatch=True),
    )
)
def test_random_dates_are_only_ever_reported(text: str) -> None:
    errors: list[str] = []
    for precision in ev.PRECISIONS:
        errors.clear()
        when = ev._read_when({"precision": precision, "date": text}, lambda f, m: errors.append(m))
        assert when is not None or errors
        if when is not None and when.start is not None:
            assert re.search(r"\d{4}", when.text())


# -- The picture's geometry (axis.py), on the project's own events --------------------


def axis_order(events: list[ev.Event]) -> list[ev.Event]:
    return [e for e in events if e.when.start] + [e for e in events if not e.when.start]


def test_positions_are_proportional_to_time() -> None:
    picture = axis.layout(SITE.events)
    per_day = (picture.x(dt.date(2020, 1, 1)) - picture.x(dt.date(2019, 1, 1))) / 365
    points = []  # (x, day) of each event dated to the day
    for row, event in zip(picture.rows, axis_order(SITE.events), strict=True):
        when = event.when
        if row.shapes and row.shapes[0].kind == "point":
            points.append((row.shapes[0].x0, when.start.first_day))
        if when.precision == "range" and not when.qualifier:  # a bar over its months
            bar, end = row.shapes[0], when.end.last_day + dt.timedelta(days=1)
            assert bar.x0 == pytest.approx(picture.x(when.start.first_day), abs=0.01)
            assert bar.x1 == pytest.approx(picture.x(end), abs=0.01)
        if when.qualifier in ("since", "after"):  # open to the right: an arrowhead at the edge
            assert row.shapes[-1].kind == "arrow" and row.shapes[-1].x0 == axis.WIDTH - axis.RIGHT
        if not when.start:
            assert row.shapes == () and row.label.startswith(axis.NOT_STATED)
    assert len(points) > 2
    for (x_a, day_a), (x_b, day_b) in itertools.pairwise(points):
        assert x_b - x_a == pytest.approx((day_b - day_a).days * per_day, abs=0.02)


def test_no_two_labels_overlap_and_every_label_fits() -> None:
    boxes = [row.label_box() for row in axis.layout(SITE.events).rows]
    for i, (l1, t1, r1, b1) in enumerate(boxes):
        assert l1 >= 0 and r1 <= axis.WIDTH, boxes[i]
        for l2, t2, r2, b2 in boxes[i + 1 :]:
            assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, (boxes[i], (l2, t2, r2, b2))


def test_a_new_event_moves_the_picture_and_the_picture_is_deterministic() -> None:
    before = axis.svg(axis.layout(SITE.events), {}, themed=False)
    assert before == axis.svg(axis.layout(SITE.events), {}, themed=False)
    later = ev.Event("later", ev.When("year", ev.PartialDate(2024)), "Later", "s", "lead", 1)
    after = axis.svg(axis.layout([*SITE.events, later]), {}, themed=False)
    assert "Later" in after and ">2024</text>" in after and ">2024</text>" not in before


# -- Builds of the test project --------------------------------------------------

TEST_ROOT = Path(__file__).parent / "roots" / "test-timeline"
EVENTS = ev.load(TEST_ROOT / "events.yaml").events
Build = Callable[..., SphinxTestApp]


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp], rootdir: Path, tmp_path: Path) -> Build:
    """build(builder, {file: text}) -> the app, built from a copy with those files replaced."""
    count = itertools.count()

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


def test_lists_and_picture_have_dates_anchors_and_links(build: Build) -> None:
    app = build()
    assert warnings(app) == ""
    index = page(app, "index")
    items = index.select("ol.timeline-list > li")
    assert [li.select_one(".tl-date").get_text() for li in items] == [e.when.text() for e in EVENTS]
    ids = [li.select_one("[id^=timeline-]")["id"] for li in items]
    assert ids == [f"timeline-{e.id}" for e in EVENTS]
    dated = {t["datetime"]: t.get_text() for t in index.select("time.tl-date")}
    main = index.select_one("div.body")  # event text is text: no markup in it survives
    assert not main.select("script, b#x") and "<script>alert(1)</script>" in main.get_text()
    assert dated["2014-04-07"] == "7 April 2014" and "2014-04-01" not in dated  # no invented day
    box = page(app, "page").select_one(".admonition.timeline-box")
    assert box.select_one(".admonition-title").get_text() == "Timeline"
    told = [e for e in EVENTS if e.section == "part" or e.section.startswith("part/")]
    links = [a["href"] for a in box.select("a.reference")]
    assert links == [f"index.html#timeline-{e.id}" for e in told]
    svg = index.select_one("figure.tl-axis svg")
    hrefs = [a["href"] for a in svg.select("a")]
    assert hrefs == [f"#timeline-{e.id}" for e in axis_order(EVENTS)]
    assert svg.select_one("title").get_text() and svg.select_one("desc").get_text()
    assert all(a["aria-label"] for a in svg.select("a"))
    assert not (app.outdir / "_static/sphinx-timeline").exists()  # nothing unused is published


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
    if builder == "latex":  # event text is text
        assert "\\textbf{PLANTED}" not in text and "textbf\\{PLANTED\\}" in text
    assert "events.json" not in text  # the downloads are the web's
    if builder != "text":
        images = [p.name for p in app.outdir.rglob("timeline-*.*")]
        assert images, "the picture is not an image"


def test_bad_data_and_an_unknown_label_are_reported_at_their_lines(build: Build) -> None:
    text = (TEST_ROOT / "events.yaml").read_text(encoding="utf-8")
    text = text.replace("date: 2014-02/2014-03", "date: 2014-03/2014-02")
    text = text.replace("section: other", "section: nowhere", 1)
    found = warnings(build(files={"events.yaml": text}, parallel=2))
    for value, event, field in [("2014-03/", "first", "date"), ("nowhere", "third", "section")]:
        line = text[: text.index(value)].count("\n") + 1
        where = f"events.yaml:{line}: WARNING: timeline data: event '{event}', field '{field}'"
        assert where in found, found
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
    page_md = (TEST_ROOT / "page.md").read_text("utf-8")
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


def test_paths_stay_inside_the_project(build: Build) -> None:
    index = (
        "# Events\n\n```{toctree}\npage\n```\n\n```{timeline}\n:events: ../../../etc/passwd\n```\n"
    )
    app = build(files={"index.md": index})
    assert "etc/passwd is outside the project" in warnings(app)


def test_upstream_data_and_styles_keep_working_and_load_only_where_used(build: Build) -> None:
    index = (TEST_ROOT / "index.md").read_text("utf-8")
    upstream = "```{timeline}\n:style: default\n- start: 2014-04-07\n  name: Upstream\n"
    upstream += "---\n{{ e.name }}\n```\n"  # sphinx-timeline's inline data and template
    app = build(files={"index.md": index + upstream})
    assert warnings(app) == ""
    assert "Upstream" in page(app, "index").get_text()
    assert "sphinx-timeline/default.css" in str(page(app, "index"))
    assert "sphinx-timeline" not in str(page(app, "page"))
    assert (app.outdir / "_static/sphinx-timeline/default.css").is_file()
