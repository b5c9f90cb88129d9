"""The events file: read it with line numbers, check it, date it honestly.

Nothing here depends on Sphinx, so the rules can be tested directly.

Every value is read as the text written in the file (YAML's own typing would
turn ``2017`` into an int and ``2022-02-16`` into a date): a date is exactly
as precise as its ``precision`` says, and never more.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PRECISIONS = ("day", "month", "year", "range", "none")
QUALIFIERS = ("since", "after", "as of")
REQUIRED = ("id", "precision", "title", "summary", "section")
OPTIONAL = ("date", "qualifier", "after")
FIELDS = ("id", "date", "precision", "qualifier", "after", "title", "summary", "section")

# libyaml's loader where PyYAML has it (its wheels do): the same nodes, line
# marks and errors as the pure-Python one, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_SHAPES = {
    "day": re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "year": re.compile(r"(\d{4})"),
}


@dataclass(frozen=True)
class DataError:
    """One problem in the events file, where it is and what it is."""

    line: int  # 1-based line in the events file
    event: str | None  # the event's id, when it has one
    field: str | None
    message: str

    def describe(self) -> str:
        where = [
            f"event {self.event!r}" if self.event else "",
            f"field {self.field!r}" if self.field else "",
        ]
        prefix = ", ".join(w for w in where if w)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    @property
    def iso(self) -> str:
        """ISO 8601 at the known precision: 2014, 2014-04 or 2014-04-30."""
        parts = [
            f"{self.year:04d}",
            self.month and f"{self.month:02d}",
            self.day and f"{self.day:02d}",
        ]
        return "-".join(p for p in parts if p)

    def text(self, *, year: bool = True, month: bool = True) -> str:
        """English, as the article writes it: 30 September 2022, April 2014, 2017."""
        parts = [
            str(self.day) if self.day else "",
            calendar.month_name[self.month] if self.month and month else "",
            str(self.year) if year else "",
        ]
        return " ".join(p for p in parts if p)


def parse_date(text: str) -> PartialDate:
    """2014, 2014-04 or 2014-04-30 (a real calendar day); ValueError otherwise."""
    for shape, pattern in _SHAPES.items():
        match = pattern.fullmatch(text)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        if shape == "year":
            return PartialDate(numbers[0])
        if not 1 <= numbers[1] <= 12:
            raise ValueError(f"{text!r} has no month {numbers[1]}")
        if shape == "month":
            return PartialDate(numbers[0], numbers[1])
        try:
            dt.date(*numbers)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a calendar day ({exc})") from None
        return PartialDate(*numbers)
    raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")


@dataclass(frozen=True)
class When:
    """The date of an event, exactly as precise as the article."""

    precision: str
    start: PartialDate | None = None
    end: PartialDate | None = None  # ranges only
    qualifier: str | None = None

    @property
    def iso(self) -> str:
        """The date as ISO 8601 text; a range as an ISO interval, start/end."""
        if self.start is None:
            return ""
        return f"{self.start.iso}/{self.end.iso}" if self.end else self.start.iso

    def text(self) -> str:
        """April 2014, 2017, February–March 2014, Since 2017, Date not stated."""
        if self.start is None:
            return "Date not stated"
        if self.end is None:
            shown = self.start.text()
        elif self.start.precision == "year":
            shown = f"{self.start.year}–{self.end.year}"
        elif self.start.year != self.end.year:
            shown = f"{self.start.text()} – {self.end.text()}"
        elif self.start.month != self.end.month:  # same year
            sep = "–" if self.start.precision == "month" else " – "
            shown = f"{self.start.text(year=False)}{sep}{self.end.text()}"
        else:  # days of one month
            shown = f"{self.start.text(year=False, month=False)}–{self.end.text()}"
        if self.qualifier:
            return f"{self.qualifier.capitalize()} {shown}"
        return shown

    def sort_date(self) -> dt.date:
        """Where the event sits: the start of its period ("after 2014": 2015)."""
        assert self.start is not None
        if self.qualifier == "after":
            return (self.end or self.start).last_day + dt.timedelta(days=1)
        return self.start.first_day


@dataclass(frozen=True)
class Event:
    """One valid event from the file."""

    id: str
    when: When
    title: str
    summary: str
    section: str
    line: int
    after: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # the fields as written
    lines: dict[str, int] = field(default_factory=dict)  # field -> line


@dataclass
class EventsFile:
    """The events of one file in chronological order, and what is wrong with it."""

    path: Path
    events: list[Event]
    errors: list[DataError]

    def by_id(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load(path: Path) -> EventsFile:
    """Read and check the events file; never raises for bad content.

    A build reads the file for every timeline, to check it and to export it:
    the same text is parsed once (profiled by `make bench`: parsing it again
    and again was half the build time of a long timeline). Callers share the
    result and must not change it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        return EventsFile(path, [], [DataError(1, None, None, f"cannot be read: {exc}")])
    return _parse(path, text)


@functools.lru_cache(maxsize=8)
def _parse(path: Path, text: str) -> EventsFile:
    errors: list[DataError] = []
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return EventsFile(path, [], [DataError(line, None, None, f"not valid YAML: {exc.problem}")])
    except yaml.YAMLError as exc:
        return EventsFile(path, [], [DataError(1, None, None, f"cannot be read: {exc}")])
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = _line(root) if root else 1
        return EventsFile(path, [], [DataError(line, None, None, "must be a list of events")])

    events: list[Event] = []
    seen: dict[str, int] = {}  # id -> line, of every event, valid or not
    for item in root.value:
        event_id, event = _read_event(item, errors)
        if event_id is None:
            continue
        if event_id in seen:
            line = _id_line(item)
            message = f"duplicate id, already used by the event on line {seen[event_id]}"
            errors.append(DataError(line, event_id, "id", message))
            continue
        seen[event_id] = _id_line(item)
        if event is not None:
            events.append(event)
    return EventsFile(path, _in_order(events, errors), errors)


def _id_line(item: yaml.MappingNode) -> int:
    return next(_line(v) for k, v in item.value if getattr(k, "value", None) == "id")


def _read_event(item: yaml.Node, errors: list[DataError]) -> tuple[str | None, Event | None]:
    """The event's id (if it has one) and the event (if it is valid)."""
    if not isinstance(item, yaml.MappingNode):
        errors.append(DataError(_line(item), None, None, "an event must be a mapping of fields"))
        return None, None
    raw: dict[str, str] = {}
    lines: dict[str, int] = {}
    bad: list[DataError] = []
    for key_node, value_node in item.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
        if key in raw:
            bad.append(DataError(_line(key_node), None, key, "given twice"))
        elif key not in FIELDS:
            allowed = ", ".join(FIELDS)
            bad.append(DataError(_line(key_node), None, key, f"unknown field (allowed: {allowed})"))
        elif not isinstance(value_node, yaml.ScalarNode) or not str(value_node.value).strip():
            bad.append(DataError(_line(value_node), None, key, "must be a non-empty text"))
        else:
            # Folded: a summary is one line of running text, however it is wrapped.
            raw[key] = " ".join(str(value_node.value).split())
        lines[key] = _line(value_node)
    event_id = raw.get("id")
    line = _line(item)

    def error(name: str, message: str) -> None:
        bad.append(DataError(lines.get(name, line), event_id, name, message))

    for name in REQUIRED:
        if name not in raw and name not in lines:
            error(name, "missing")
    if event_id is not None and not _ID.fullmatch(event_id):
        error("id", f"{event_id!r} is not a lowercase-hyphenated id")
    section = raw.get("section")
    if section is not None and not _LABEL.fullmatch(section):
        error("section", f"{section!r} is not a label like 'relations/official'")
    when = _read_when(raw, error)
    # Errors found before the id was known get it now.
    errors.extend(DataError(e.line, event_id, e.field, e.message) for e in bad)
    if bad or when is None:
        return event_id, None
    return event_id, Event(
        id=raw["id"],
        when=when,
        title=raw["title"],
        summary=raw["summary"],
        section=raw["section"],
        line=line,
        after=raw.get("after"),
        raw=raw,
        lines=lines,
    )


def _read_when(raw: dict[str, str], error: Callable[[str, str], None]) -> When | None:
    precision, text = raw.get("precision"), raw.get("date")
    qualifier, after = raw.get("qualifier"), raw.get("after")
    if precision is None:
        return None
    if precision not in PRECISIONS:
        error("precision", f"{precision!r} is not one of {', '.join(PRECISIONS)}")
        return None
    if qualifier is not None and qualifier not in QUALIFIERS:
        error("qualifier", f"{qualifier!r} is not one of {', '.join(QUALIFIERS)}")
        return None
    if precision == "none":
        if text is not None:
            error("date", "an event with precision 'none' has no date")
        if qualifier is not None:
            error("qualifier", "an event with precision 'none' has no date to qualify")
        if after is None:
            error("after", "an undated event names the event it follows, for ordering")
        return When("none") if text is None and qualifier is None and after else None
    if after is not None:
        error("after", "only an undated event (precision 'none') takes 'after'")
    if text is None:
        error("date", f"missing (precision {precision!r} needs a date)")
        return None
    try:
        if precision == "range":
            first, sep, last = text.partition("/")
            if not sep:
                raise ValueError(f"{text!r} is not a range: write start/end, e.g. 2014-02/2014-03")
            start, end = parse_date(first), parse_date(last)
            if start.precision != end.precision:
                raise ValueError(f"{text!r}: both ends must be equally precise")
            if start.first_day >= end.first_day:
                raise ValueError(f"{text!r}: the end must come after the start")
            return When("range", start, end, qualifier)
        start = parse_date(text)
    except ValueError as exc:
        error("date", str(exc))
        return None
    if start.precision != precision:
        error("precision", f"{precision!r} does not match the {start.precision} {text!r}")
        return None
    return When(precision, start, None, qualifier)


def _in_order(events: list[Event], errors: list[DataError]) -> list[Event]:
    """Chronological; an undated event right after the event it follows.

    Ties keep the order of the file, so equally dated events read as written.
    """
    by_id = {e.id: e for e in events}
    index = {e.id: i for i, e in enumerate(events)}
    keys: dict[str, tuple] = {}

    def key(event: Event, chain: tuple[str, ...] = ()) -> tuple | None:
        if event.id in keys:
            return keys[event.id]
        if event.when.start is not None:
            keys[event.id] = (event.when.sort_date(), index[event.id])
            return keys[event.id]
        target = by_id.get(event.after or "")
        if target is None or target.id in chain or target.id == event.id:
            problem = "is not the id of a valid event" if target is None else "makes a loop"
            errors.append(
                DataError(event.lines["after"], event.id, "after", f"{event.after!r} {problem}")
            )
            return None
        base = key(target, (*chain, event.id))
        if base is None:
            return None
        keys[event.id] = (*base, 1, index[event.id])  # right after its predecessor
        return keys[event.id]

    ordered = [(k, e) for e in events if (k := key(e)) is not None]
    return [e for _, e in sorted(ordered, key=lambda t: t[0])]
