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
# Unicode's control characters (Cc) but the line break, and lone surrogates (Cs).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


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
        return self.first_day.isoformat()[: {"year": 4, "month": 7, "day": 10}[self.precision]]

    def text(self, *, year: bool = True, month: bool = True) -> str:
        """English, as the article writes it: 30 September 2022, April 2014, 2017."""
        name = calendar.month_name[self.month] if self.month and month else None
        return " ".join(str(part) for part in (self.day, name, year and self.year) if part)


def parse_date(text: str) -> PartialDate:
    """2014, 2014-04 or 2014-04-30 (a real calendar day); ValueError otherwise."""
    match = _DATE.fullmatch(text)
    if not match:
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
            raise ValueError(f"{text!r} has a time: write the day alone, YYYY-MM-DD")
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match[1])
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"{text!r}: the year must be from {YEARS[0]} to {YEARS[1]}")
    try:  # the first day of the period: a real month, a real day
        first = dt.date.fromisoformat(text + "-01" * (2 - text.count("-")))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a calendar date ({exc})") from None
    return PartialDate(year, first.month if match[2] else None, first.day if match[3] else None)


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
        return _failed(path, 1, f"cannot be read: {exc.strerror}")
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
    seen: dict[str, int] = {}  # id -> line, of every event, valid or not
    events = [e for item in root.value if (e := _read_event(item, seen, errors))]
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


def _read_event(item: yaml.Node, seen: dict[str, int], errors: list[DataError]) -> Event | None:
    """The event, if it is valid; its id is noted in ``seen``, its problems in ``errors``."""
    if not isinstance(item, yaml.MappingNode):
        errors.append(DataError(_line(item), None, None, "an event must be a mapping of fields"))
        return None
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
        elif "\t" in value_node.value:
            bad.append((line, key, "contains a tab: write spaces"))
        elif control := _CONTROL.search(value_node.value):
            message = f"contains the control character U+{ord(control[0]):04X}: remove it"
            bad.append((line, key, message))
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
    if event_id in seen:
        error("id", f"duplicate id, already used on line {seen[event_id]}")
    elif event_id is not None:
        seen[event_id] = lines["id"]
    if event_id is not None and not _ID.fullmatch(event_id):
        error("id", f"{event_id!r} is not a lowercase-hyphenated id")
    if "section" in raw and not _LABEL.fullmatch(raw["section"]):
        error("section", f"{raw['section']!r} is not a label like 'relations/official'")
    when = _read_when(raw, error) if "precision" in raw else None
    errors.extend(DataError(line, event_id, name, message) for line, name, message in bad)
    if bad or when is None:
        return None
    title, summary, section = raw["title"], raw["summary"], raw["section"]
    return Event(
        raw["id"], when, title, summary, section, _line(item), raw.get("after"), raw, lines
    )


def _read_when(raw: dict[str, str], error: Callable[[str, str], None]) -> When | None:
    """The date the fields give, or None; every problem goes to ``error``, and the
    caller drops an event with any problem."""
    precision, text = raw["precision"], raw.get("date")
    qualifier, after = raw.get("qualifier"), raw.get("after")
    if precision not in PRECISIONS:
        error("precision", f"{precision!r} is not one of {', '.join(PRECISIONS)}")
        return None
    if qualifier is not None and qualifier not in QUALIFIERS:
        error("qualifier", f"{qualifier!r} is not one of {', '.join(QUALIFIERS)}")
        return None
    if precision == "none":
        if text:
            error("date", "an event with precision 'none' has no date")
        if qualifier:
            error("qualifier", "an event with precision 'none' has no date to qualify")
        if not after:
            error("after", "an undated event names the event it follows, for its place")
        return When("none")
    if after is not None:
        error("after", "only an undated event (precision 'none') takes 'after'")
    if text is None:
        error("date", f"missing (precision {precision!r} needs a date)")
        return None
    try:
        if precision != "range":
            start, end = parse_date(text), None
        elif "/" not in text:
            raise ValueError(f"{text!r} is not a range: write start/end, e.g. 2014-02/2014-03")
        else:
            start, end = (parse_date(part) for part in text.split("/", 1))
            if start.precision != end.precision:
                raise ValueError(f"{text!r}: both ends must be equally precise")
            if start.first_day >= end.first_day:
                raise ValueError(f"{text!r}: the end must come after the start")
    except ValueError as exc:
        error("date", str(exc))
        return None
    if end is None and start.precision != precision:
        error("precision", f"{precision!r} does not match the {start.precision} {text!r}")
    return When(precision, start, end, qualifier)


def _in_order(events: list[Event], errors: list[DataError]) -> list[Event]:
    """Chronological, ties in the file's order; an undated event right after the one it follows."""
    by_id = {e.id: e for e in events}
    index = {e.id: i for i, e in enumerate(events)}
    keys: dict[str, tuple | None] = {}  # None: placed after no valid event

    def key(event: Event, chain: tuple[str, ...] = ()) -> tuple | None:
        if event.id in keys:
            return keys[event.id]
        target, chain = by_id.get(event.after or ""), (*chain, event.id)
        if event.when.start is not None:
            keys[event.id] = (event.when.sort_date(), index[event.id])
        elif target is None or target.id in chain:
            problem = "is not the id of a valid event" if target is None else "makes a loop"
            line = event.lines["after"]
            errors.append(DataError(line, event.id, "after", f"{event.after!r} {problem}"))
            keys[event.id] = None
        else:
            base = key(target, chain)
            keys[event.id] = None if base is None else (*base, 1, index[event.id])
        return keys[event.id]

    return sorted((e for e in events if key(e)), key=lambda e: keys[e.id])
