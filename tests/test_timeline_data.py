"""The events file and its rules (no Sphinx build: _ext/article_timeline/events.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE, ROOT, normalise

sys.path.insert(0, str(ROOT / "_ext"))
from article_timeline import events as ev

EVENTS = ROOT / "_data" / "events.yaml"
WEEKDAYS = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b|\b\d+(st|nd|rd|th)\b")


@pytest.fixture(scope="module")
def events() -> ev.EventsFile:
    return ev.load(EVENTS)


def test_the_events_file_is_valid(events: ev.EventsFile) -> None:
    assert events.errors == []


def test_every_event_the_issue_names_is_there(events: ev.EventsFile) -> None:
    ids = [e.id for e in events.events]
    assert ids == [
        "crimea-annexed",
        "dpr-proclaimed",
        "dpr-referendum",
        "lpr-created",
        "dpr-self-portrayal",
        "pensions-stopped",
        "documents-valid",
        "passports-issued",
        "duma-resolution",
        "security-council-meeting",
        "recognition-signed",
        "minsk-statement",
        "dpr-annexed",
        "extent-of-control",
    ]


def paragraph_of(summary: str) -> str:
    """The article's paragraph holding the summary, with the heading above it."""
    heading = ""
    for block in ARTICLE.read_text(encoding="utf-8").split("\n\n"):
        for line in block.splitlines():
            if line.startswith("="):
                heading = line
        if summary in normalise(block):
            return f"{heading} {normalise(block)}"
    raise AssertionError(f"not in the article, word for word: {summary!r}")


def test_summaries_are_the_articles_words_and_dates_come_from_them(
    events: ev.EventsFile,
) -> None:
    for event in events.events:
        context = paragraph_of(event.summary)
        start = event.when.start
        if start is None:  # undated: the article gives no date, so no date is invented
            assert "date" not in event.raw, event.id
            continue
        for end in filter(None, (start, event.when.end)):
            parts = [str(end.year), end.month and ev.calendar.month_name[end.month]]
            parts.append(end.day and str(end.day))
            for part in filter(None, parts):
                assert part in context, f"{event.id}: {part!r} is not in {context!r}"
        if event.when.qualifier:
            assert event.when.qualifier in event.summary, event.id


@pytest.mark.parametrize(
    ("precision", "date", "qualifier", "shown"),
    [
        ("day", "2022-09-30", None, "30 September 2022"),
        ("month", "2014-04", None, "April 2014"),
        ("year", "2017", None, "2017"),
        ("year", "2017", "since", "Since 2017"),
        ("year", "2014", "after", "After 2014"),
        ("month", "2022-10", "as of", "As of October 2022"),
        ("range", "2014-02/2014-03", None, "February–March 2014"),
        ("range", "2014-04/2022-09", None, "April 2014 – September 2022"),
        ("range", "2022-02-20/2022-02-21", None, "20–21 February 2022"),
        ("range", "2022-02-16/2022-03-01", None, "16 February – 1 March 2022"),
        ("range", "2014/2016", None, "2014–2016"),
    ],
)
def test_dates_read_as_precisely_as_written(
    tmp_path: Path, precision: str, date: str, qualifier: str | None, shown: str
) -> None:
    extra = f"\n  qualifier: {qualifier}" if qualifier else ""
    path = write(tmp_path, event("x", date, precision) + extra)
    loaded = ev.load(path)
    assert loaded.errors == []
    assert loaded.events[0].when.text() == shown
    assert not WEEKDAYS.search(shown)


def event(event_id: str, date: str | None, precision: str, after: str | None = None) -> str:
    lines = [f"- id: {event_id}"]
    lines += [f"  date: {date}"] if date else []
    lines += [f"  precision: {precision}"]
    lines += [f"  after: {after}"] if after else []
    lines += ["  title: T", "  summary: S", "  section: lead"]
    return "\n".join(lines)


def write(tmp_path: Path, *events: str) -> Path:
    path = tmp_path / "events.yaml"
    path.write_text("\n".join(events) + "\n", encoding="utf-8")
    return path


def test_sorting_across_precisions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        event("after-2014", "2014", "year") + "\n  qualifier: after",
        event("april", "2014-04", "month"),
        event("undated", None, "none", after="march-31"),
        event("march-31", "2014-03-31", "day"),
        event("feb-march", "2014-02/2014-03", "range"),
        event("year-2014", "2014", "year"),
        event("jan-2015", "2015-01", "month"),
    )
    loaded = ev.load(path)
    assert loaded.errors == []
    assert [e.id for e in loaded.events] == [
        "year-2014",  # a year sorts at its start
        "feb-march",
        "march-31",
        "undated",  # right after the event it follows
        "april",
        "after-2014",  # "after 2014" is after all of 2014; ties keep the file's order
        "jan-2015",
    ]


# Each bad-data case: what to write, and the (line, event, field) it is reported at.
BAD = {
    "malformed date": ("- id: a\n  date: 2022-02-30\n  precision: day", 2, "a", "date"),
    "missing field": ("- id: a\n  date: 2022-02-28\n  precision: day", 1, "a", "summary"),
    "precision mismatch": ("- id: a\n  date: 2014-04\n  precision: day", 3, "a", "precision"),
    "unknown precision": ("- id: a\n  date: 2014-04\n  precision: decade", 3, "a", "precision"),
    "unknown key": ("- id: a\n  date: 2014-04\n  precision: month\n  source: x", 4, "a", "source"),
    "bad id": ("- id: A b\n  date: 2014\n  precision: year", 1, "A b", "id"),
    "range backwards": ("- id: a\n  date: 2014-03/2014-02\n  precision: range", 2, "a", "date"),
    "undated without after": ("- id: a\n  precision: none", 1, "a", "after"),
    "after unknown id": ("- id: a\n  precision: none\n  after: zzz", 3, "a", "after"),
    "list as title": ("- id: a\n  date: 2014\n  precision: year\n  title: [x]", 4, "a", "title"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_data_is_reported_at_its_line_event_and_field(tmp_path: Path, case: str) -> None:
    text, line, event_id, field = BAD[case]
    rest = "\n".join(
        f"  {k}: x"
        for k in ("title", "summary", "section")
        if f"  {k}:" not in text and not (case == "missing field" and k == "summary")
    )
    path = tmp_path / "events.yaml"
    path.write_text(f"{text}\n{rest}\n", encoding="utf-8")
    errors = ev.load(path).errors
    assert (line, event_id, field) in [(e.line, e.event, e.field) for e in errors], errors


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, event("a", "2014", "year"), event("a", "2015", "year"))
    (error,) = ev.load(path).errors
    assert (error.line, error.event, error.field) == (7, "a", "id")
    assert "line 1" in error.message


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text("- id: a\n  title: [unclosed\n", encoding="utf-8")
    (error,) = ev.load(path).errors
    assert error.line in (2, 3) and "YAML" in error.message


def test_sphinx_timeline_0_2_1_needs_this_extension() -> None:
    """The upstream facts the local extension exists for (if one changes, revisit)."""
    from sphinx_timeline import __version__, dtime

    assert __version__ == "0.2.1"
    for partial in ("2014-04", "2017"):
        with pytest.raises((ValueError, TypeError)):
            dtime.to_datetime(partial)
    # It would invent a day and a weekday for "April 2014".
    assert dtime.fmt_daterange(dtime.to_datetime("2014-04-01")) == "Tue 1st Apr 2014"
