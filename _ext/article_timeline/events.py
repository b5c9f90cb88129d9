"""The events file: read it with line numbers, check it, date it honestly.

Nothing here depends on Sphinx, so the rules are tested directly. ``load``
never raises for bad content: every problem becomes a ``DataError`` at its
line. Every value is read as the text written in the file (YAML would turn
``2017`` into an int and ``2022-02-16`` into a date): a date is exactly as
precise as its ``precision`` says, and never more.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PRECISIONS = ("day", "month", "year", "range", "none")
QUALIFIERS = ("since", "after", "as of")
REQUIRED = ("id", "precision", "title", "summary", "section")
FIELDS = ("id", "date", "precision", "qualifier", "after", "title", "summary", "section")
YEARS = (1000, 2999)  # the years a date may name (no calendar arithmetic overflows)
MAX_BYTES = 1_000_000  # a bound on the work a file can cause, whatever its YAML does
MAX_NODES = 100_000

# libyaml's parser where PyYAML has it (its wheels do): the same events, marks
# and errors as the pure-Python one, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class DataError:
    """One problem in the events file, where it is and what it is."""

    line: int  # 1-based line in the events file
    event: str | None  # the event's id, when it has one
    field: str | None
    message: str

    def describe(self) -> str:
        event = f"event {self.event!r}" if self.event else ""
        where = ", ".join(filter(None, [event, f"field {self.field!r}" if self.field else ""]))
        return f"{where}: {self.message}" if where else self.message


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
        parts = [self.year, self.month, self.day]
        return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(parts) if p)

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
    match = _DATE.fullmatch(text)
    if not match:
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
            raise ValueError(f"{text!r} has a time: write the day alone, YYYY-MM-DD")
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"{text!r}: the year must be from {YEARS[0]} to {YEARS[1]}")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a calendar day ({exc})") from None
    return PartialDate(year, month, day)


@dataclass(frozen=True)
class When:
    """The date of an event, exactly as precise as the article."""

    precision: str
    start: PartialDate | None = None
    end: PartialDate | None = None  # ranges only
    qualifier: str | None = None

    @property
    def iso(self) -> str:
        """ISO 8601 text; a range as an interval, start/end; "" when undated."""
        if self.start is None:
            return ""
        return f"{self.start.iso}/{self.end.iso}" if self.end else self.start.iso

    def text(self) -> str:
        """April 2014, 2017, February–March 2014, Since 2017, Date not stated."""
        start, end = self.start, self.end
        if start is None:
            return "Date not stated"
        if end is None:
            shown = start.text()
        elif start.precision == "year":
            shown = f"{start.year}–{end.year}"
        elif start.year != end.year:
            shown = f"{start.text()} – {end.text()}"
        elif start.month != end.month:
            sep = "–" if start.precision == "month" else " – "
            shown = f"{start.text(year=False)}{sep}{end.text()}"
        else:  # days of one month
            shown = f"{start.text(year=False, month=False)}–{end.text()}"
        return f"{self.qualifier.capitalize()} {shown}" if self.qualifier else shown

    def sort_date(self) -> dt.date:
        """Where the event sits: the start of its period ("after 2014": 1 January 2015)."""
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
    raw: dict[str, str] = field(default_factory=dict)  # the fields as written, folded
    lines: dict[str, int] = field(default_factory=dict)  # field -> line


@dataclass
class EventsFile:
    """The valid events of one file in chronological order, and what is wrong with it."""

    path: Path
    events: list[Event]
    errors: list[DataError]


def load(path: Path) -> EventsFile:
    """Read and check the events file; never raises for bad content.

    A build asks for the file from every timeline and every check: a given
    text is parsed once (`make bench` profiled it). Callers share the result
    and must not change it.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return EventsFile(path, [], [DataError(1, None, None, f"cannot be read: {exc.strerror}")])
    if len(data) > MAX_BYTES:
        return _failed(path, 1, f"is larger than {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _failed(path, line, f"is not UTF-8: byte 0x{data[exc.start]:02x} on this line")
    return _parse(path, text)


def _failed(path: Path, line: int, message: str) -> EventsFile:
    return EventsFile(path, [], [DataError(line, None, None, message)])


@functools.lru_cache(maxsize=8)
def _parse(path: Path, text: str) -> EventsFile:
    try:
        # Anchors and aliases could make a small file expand without bound
        # ("billion laughs"); the events file has no use for them.
        for count, event in enumerate(yaml.parse(text, Loader=_LOADER)):
            line = event.start_mark.line + 1
            if getattr(event, "anchor", None) or isinstance(event, yaml.AliasEvent):
                return _failed(path, line, "uses a YAML anchor or alias (& or *): write it out")
            if count > MAX_NODES:
                return _failed(path, line, f"has more than {MAX_NODES:,} YAML nodes")
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return _failed(path, *_explain(exc))
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return _failed(path, line, f"contains the control character U+{exc.character:04X}")
    except (yaml.YAMLError, RecursionError) as exc:
        return _failed(path, 1, f"is not valid YAML ({type(exc).__name__})")
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        return _failed(path, _line(root) if root else 1, "must be a list of events: '- id: ...'")

    errors: list[DataError] = []
    events: list[Event] = []
    seen: dict[str, int] = {}  # id -> line, of every event, valid or not
    for item in root.value:
        event_id, event = _read_event(item, errors)
        if event_id is None:
            continue
        line = _line(next(v for k, v in item.value if k.value == "id"))
        if event_id in seen:
            message = f"duplicate id, already used on line {seen[event_id]}"
            errors.append(DataError(line, event_id, "id", message))
            continue
        seen[event_id] = line
        if event is not None:
            events.append(event)
    return EventsFile(path, _in_order(events, errors), errors)


# PyYAML's words for a syntax error -> an editor's, and whether the error is
# on the line where PyYAML noticed it or where the construct began.
_SYNTAX = [
    ("tab", "a tab: indent with spaces, never tabs", False),
    ("expected ':'", "a line without a colon: write 'field: value'", True),
    ("mapping values", "an unexpected colon: quote a value that holds ': ', or indent", False),
    ("quoted scalar", "a quote opened on this line is never closed", True),
    ("flow", "a bracket opened on this line is never closed", True),
    ("block", "the indentation is wrong: an event's fields line up under 'id'", False),
]


def _explain(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line and an editor's words for a YAML syntax error."""
    said = f"{exc.problem} {exc.context}"
    noticed = (exc.problem_mark or exc.context_mark).line + 1  # type: ignore[union-attr]
    began = exc.context_mark.line + 1 if exc.context_mark else noticed
    for words, message, at_start in _SYNTAX:
        if words in said:
            return (began if at_start else noticed), message
    return noticed, f"is not valid YAML: {exc.problem}"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _read_event(item: yaml.Node, errors: list[DataError]) -> tuple[str | None, Event | None]:
    """The event's id (if it has one) and the event (if it is valid)."""
    if not isinstance(item, yaml.MappingNode):
        errors.append(DataError(_line(item), None, None, "an event must be a mapping of fields"))
        return None, None
    raw: dict[str, str] = {}
    lines: dict[str, int] = {}
    bad: list[tuple[int, str | None, str]] = []
    for key_node, value_node in item.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "(not a name)"
        line = _line(value_node)
        if key in lines:
            bad.append((_line(key_node), key, "given twice"))
        elif key not in FIELDS:
            bad.append((_line(key_node), key, f"unknown field (allowed: {', '.join(FIELDS)})"))
        elif not isinstance(value_node, yaml.ScalarNode) or value_node.tag.endswith(":null"):
            bad.append((line, key, "must be a text, not a list, a mapping or empty"))
        elif problem := _bad_characters(value_node.value):
            bad.append((line, key, problem))
        elif not value_node.value.strip():
            bad.append((line, key, "must not be empty"))
        else:
            raw[key] = " ".join(value_node.value.split())  # running text, however wrapped
        lines.setdefault(key, line)
    event_id = raw.get("id")

    def error(name: str, message: str) -> None:
        bad.append((lines.get(name, _line(item)), name, message))

    for name in REQUIRED:
        if name not in lines:
            error(name, "missing")
    if event_id is not None and not _ID.fullmatch(event_id):
        error("id", f"{event_id!r} is not a lowercase-hyphenated id")
    if "section" in raw and not _LABEL.fullmatch(raw["section"]):
        error("section", f"{raw['section']!r} is not a label like 'relations/official'")
    when = _read_when(raw, error) if "precision" in raw else None
    errors.extend(DataError(line, event_id, name, message) for line, name, message in bad)
    if bad or when is None:
        return event_id, None
    title, summary, section = raw["title"], raw["summary"], raw["section"]
    event = Event(
        raw["id"], when, title, summary, section, _line(item), raw.get("after"), raw, lines
    )
    return event_id, event


def _bad_characters(value: str) -> str | None:
    """What is wrong with the characters of a value, if anything."""
    for char in value:
        if char == "\t":
            return "contains a tab: write spaces"
        if char != "\n" and unicodedata.category(char) in ("Cc", "Cs"):
            return f"contains the control character U+{ord(char):04X}: remove it"
    return None


def _read_when(raw: dict[str, str], error: Callable[[str, str], None]) -> When | None:
    precision, text = raw["precision"], raw.get("date")
    qualifier, after = raw.get("qualifier"), raw.get("after")
    if precision not in PRECISIONS:
        error("precision", f"{precision!r} is not one of {', '.join(PRECISIONS)}")
        return None
    if qualifier is not None and qualifier not in QUALIFIERS:
        error("qualifier", f"{qualifier!r} is not one of {', '.join(QUALIFIERS)}")
        return None
    if precision == "none":
        problems = {
            "date": text and "an event with precision 'none' has no date",
            "qualifier": qualifier and "an event with precision 'none' has no date to qualify",
            "after": not after and "an undated event names the event it follows, for its place",
        }
        for name, message in problems.items():
            if message:
                error(name, message)
        return None if any(problems.values()) else When("none")
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
            return When("range", start, end, qualifier) if after is None else None
        start = parse_date(text)
    except ValueError as exc:
        error("date", str(exc))
        return None
    if start.precision != precision:
        error("precision", f"{precision!r} does not match the {start.precision} {text!r}")
        return None
    return When(precision, start, None, qualifier) if after is None else None


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
            line = event.lines["after"]
            errors.append(DataError(line, event.id, "after", f"{event.after!r} {problem}"))
            return None
        base = key(target, (*chain, event.id))
        if base is not None:
            keys[event.id] = (*base, 1, index[event.id])  # right after the event it follows
        return keys.get(event.id)

    ordered = [(k, e) for e in events if (k := key(e)) is not None]
    return [e for _, e in sorted(ordered, key=lambda t: t[0])]
