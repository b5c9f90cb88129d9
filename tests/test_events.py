"""The events file and its rules (_ext/article_timeline/events.py), without a build."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from article_text import read_article
from article_timeline import events as ev
from publication import EVENTS, ROOT

SITE_EVENTS = ev.load(ROOT / EVENTS)
PARAGRAPHS = [(s.heading, p) for s in read_article() for p in s.paragraphs]


def test_the_events_file_is_valid() -> None:
    assert SITE_EVENTS.errors == []
    assert SITE_EVENTS.events


@pytest.mark.parametrize("event", SITE_EVENTS.events, ids=lambda e: e.id)
def test_each_summary_is_the_articles_words_and_its_date_is_in_them(event: ev.Event) -> None:
    holding = [f"{heading} {p}" for heading, p in PARAGRAPHS if event.summary in p]
    assert holding, f"{event.id}: the summary is not the article's words: {event.summary!r}"
    for date in filter(None, (event.when.start, event.when.end)):
        parts = [
            str(date.year),
            date.month and calendar.month_name[date.month],
            date.day and str(date.day),
        ]
        for part in filter(None, parts):
            assert part in event.summary or part in holding[0], (
                f"{event.id}: {part} is not in the text"
            )
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


SYNTAX = {
    "a tab": ("- id: a\n\ttitle: x\n", 2, "tab"),
    "a missing colon": ("- id: a\n  title x\n  summary: y\n", 2, "without a colon"),
    "an unexpected colon": ("- id: a\n  title: a: b\n", 2, "unexpected colon"),
    "bad indentation": ("- id: a\n  title: x\n summary: y\n", 3, "indentation"),
    "an unclosed quote": ('- id: a\n  title: "abc\n  summary: y\n', 2, "quote"),
    "a raw control character": ("- id: a\n  title: a\x07b\n", 2, "control character U+0007"),
    "not UTF-8": (b"- id: a\n  title: ok\n  summary: caf\xe9\n", 3, "not UTF-8"),
    "an alias bomb as a key": ("- &a [x, x]\n- {*a : 1}\n", 1, "anchor or alias"),
    "not a list": ("id: a\n", 1, "list of events"),
}


@pytest.mark.parametrize("case", SYNTAX)
def test_a_broken_file_is_reported_at_its_line_in_an_editors_words(
    tmp_path: Path, case: str
) -> None:
    text, line, words = SYNTAX[case]
    (error,) = ev.load(write(tmp_path, text)).errors
    assert error.line == line and words in error.message, error


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    layers = ["- &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"- &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    bomb = "\n".join(layers) + "\n- {*a11 : x}\n"
    (error,) = ev.load(write(tmp_path, bomb)).errors  # 10**12 nodes, were it expanded
    assert "anchor or alias" in error.message and error.line == 1


# -- Whatever the file holds, the loader only reports ------------------------------

VALUES = st.one_of(st.text(max_size=30), st.integers(), st.none(), st.lists(st.text(max_size=5)))
FIELD_NAMES = st.sampled_from([*ev.FIELDS, "other", "", "- x", "&a", "*a", "{", "[x]"])
ITEMS = st.lists(st.dictionaries(FIELD_NAMES, VALUES, max_size=9), max_size=4)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=ITEMS)
def test_random_yaml_is_only_ever_reported(tmp_path: Path, items: list[dict]) -> None:
    fields = [
        "\n  ".join(f"{key}: {'' if v is None else repr(v)}" for key, v in i.items()) for i in items
    ]
    loaded = ev.load(write(tmp_path, "\n".join(f"- {f or '{}'}" for f in fields)))
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
