"""The picture of a timeline: time drawn to scale, as SVG, from the same events.

One row per event, in the list's order: its label (the short title) above its
mark, so that no two labels can overlap, however close the dates. Positions are
proportional to time, and each mark is as precise as the article (LEGEND); an
undated event gets no mark, and its row says "Date not stated".

Nothing here depends on Sphinx: ``layout`` computes every position, ``svg``
draws them (themed with furo's colours for the web, fixed colours for files).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from html import escape

from article_timeline.events import Event, PartialDate

WIDTH = 720  # CSS pixels; the box scrolls sideways where the page is narrower
LEFT, RIGHT = 8, 28  # margins; the right one holds the arrowheads of open bars
TOP = 30  # the year labels
ROW = 30  # a label line and a mark line
FONT = 12
CHAR = 0.62 * FONT  # a generous average glyph width of the sans fonts, for label boxes
MARK = 10  # the height of a band or bar; a point's diameter
NOT_STATED = "Date not stated"

LEGEND = (
    "Drawn to scale, one event a row. A dot is a day; a bar, the month, year or span the "
    "article gives; hatching, a period within which the article does not narrow the date; "
    "an arrowhead, a state that goes on; a diamond, a state as of a date."
)
# Fixed colours for the PDF and the EPUB; on the web furo's variables (timeline.css).
PRINT_STYLE = (
    ".tl-ax-grid{stroke:#b8b8b8}.tl-ax-year{fill:#4a4a4a}.tl-ax-label{fill:#1a1a1a}"
    ".tl-ax-mark{fill:#1d4fa8}.tl-ax-hatch{stroke:#1d4fa8}"
)


@dataclass(frozen=True)
class Shape:
    """Part of a mark: a point, a diamond, a band or bar, a hatched stretch, an arrowhead."""

    kind: str  # point | diamond | bar | hatch | arrow
    x0: float
    x1: float


@dataclass(frozen=True)
class Row:
    id: str
    title: str  # the event's title
    when: str  # its date as text
    label: str  # what the row shows: the title, or the date where the title does not fit
    label_x: float
    y: float  # top of the row
    shapes: tuple[Shape, ...]

    def label_box(self) -> tuple[float, float, float, float]:
        """The label's bounding box (left, top, right, bottom), estimated generously."""
        right = self.label_x + len(self.label) * CHAR
        return self.label_x, self.y + 2, right, self.y + 2 + FONT * 1.2


@dataclass(frozen=True)
class Picture:
    first_year: int
    last_year: int  # the axis ends at 1 January of the year after
    height: float
    rows: tuple[Row, ...]

    def x(self, day: dt.date) -> float:
        """The position of the start of a day."""
        return x_of(day, self.first_year, self.last_year)

    def describe(self) -> str:
        """The text alternative of the picture."""
        dated = sum(1 for row in self.rows if row.shapes)
        return (
            f"Timeline drawn to scale from {self.first_year} to {self.last_year}: {dated} events, "
            f"each in a row at its date, and {len(self.rows) - dated} whose date the article does "
            "not state. The list of events gives each one and its date in words."
        )


def x_of(day: dt.date, first_year: int, last_year: int) -> float:
    """Where a day starts on an axis from 1 January of first_year to the end of last_year."""
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year + 1, 1, 1).toordinal()
    return LEFT + (day.toordinal() - start) / (end - start) * (WIDTH - LEFT - RIGHT)


def layout(events: list[Event]) -> Picture:
    """Every position of the picture of these events (in the order given)."""
    dated = [e for e in events if e.when.start is not None]
    first = min((e.when.start.year for e in dated), default=0)  # type: ignore[union-attr]
    last = max(((e.when.end or e.when.start).last_day.year for e in dated), default=0)  # type: ignore[union-attr]
    rows = []
    for number, event in enumerate(dated + [e for e in events if e.when.start is None]):
        y = TOP + number * ROW
        shapes = _shapes(event, first, last)
        when = event.when.text()
        label = event.title if shapes else f"{NOT_STATED}: {event.title}"
        if event.when.qualifier == "as of":
            label = f"{label} (as of {when.removeprefix('As of ')})"
        if len(label) * CHAR > WIDTH - LEFT - RIGHT:
            label = when  # where space is short
        start = shapes[0].x0 if shapes else LEFT
        label_x = max(LEFT, min(start, WIDTH - RIGHT - len(label) * CHAR))
        rows.append(Row(event.id, event.title, when, label, round(label_x, 1), y, shapes))
    return Picture(first, last, TOP + len(rows) * ROW + 6, tuple(rows))


def _shapes(event: Event, first: int, last: int) -> tuple[Shape, ...]:
    when = event.when
    if when.start is None:
        return ()

    def x(day: dt.date) -> float:
        return round(x_of(day, first, last), 2)

    def span(date: PartialDate, until: PartialDate | None = None) -> tuple[float, float]:
        return x(date.first_day), x((until or date).last_day + dt.timedelta(days=1))

    edge = WIDTH - RIGHT
    begin, end = span(when.start, when.end)
    if when.qualifier == "since":
        return Shape("hatch", begin, end), Shape("bar", end, edge), Shape("arrow", edge, edge)
    if when.qualifier == "after":
        return Shape("hatch", end, edge), Shape("arrow", edge, edge)
    if when.qualifier == "as of":
        return (Shape("diamond", (begin + end) / 2, (begin + end) / 2),)
    if when.precision == "day":
        return (Shape("point", (begin + end) / 2, (begin + end) / 2),)
    return (Shape("bar", begin, end),)


def svg(picture: Picture, hrefs: dict[str, str], *, themed: bool) -> str:
    """The picture as SVG: inline in a web page (themed, linked) or a file (fixed colours)."""
    uid = "tl-ax-" + hashlib.sha256(repr(picture).encode()).hexdigest()[:8]
    height = round(picture.height)
    role = "group" if hrefs else "img"  # an image, unless it holds links to follow
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tl-ax" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="{role}" aria-labelledby="{uid}-t" '
        f'aria-describedby="{uid}-d" font-family="FreeSans, Helvetica, Arial, sans-serif">',
        f'<title id="{uid}-t">Timeline drawn to scale</title>',
        f'<desc id="{uid}-d">{escape(picture.describe())}</desc>',
        f'<defs><pattern id="{uid}-h" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line class="tl-ax-hatch" x1="0" y1="0" x2="0" y2="4" '
        'stroke-width="2"/></pattern></defs>',
    ]
    if not themed:
        out.append(f"<style>{PRINT_STYLE}</style>")
    bottom = TOP + sum(1 for row in picture.rows if row.shapes) * ROW
    for year in range(picture.first_year, picture.last_year + 2) if bottom > TOP else ():
        x = round(picture.x(dt.date(year, 1, 1)), 2)
        out.append(f'<line class="tl-ax-grid" x1="{x}" y1="{TOP - 8}" x2="{x}" y2="{bottom}"/>')
        if year <= picture.last_year:
            mid = round((x + picture.x(dt.date(year + 1, 1, 1))) / 2, 2)
            out.append(
                f'<text class="tl-ax-year" x="{mid}" y="{TOP - 12}" font-size="{FONT}" '
                f'text-anchor="middle">{year}</text>'
            )
    for row in picture.rows:
        name, href = escape(f"{row.when}: {row.title}"), hrefs.get(row.id)
        out.append(
            f'<a href="{escape(href)}" aria-label="{name}">' if href else f'<g aria-label="{name}">'
        )
        out.append(
            f'<text class="tl-ax-label" x="{row.label_x}" y="{row.y + FONT + 1}" '
            f'font-size="{FONT}">{escape(row.label)}</text>'
        )
        mid = row.y + FONT + 4 + MARK / 2
        out += [_shape(shape, mid, uid) for shape in row.shapes]
        out.append("</a>" if href else "</g>")
    out.append("</svg>")
    return "\n".join(out)


def _shape(shape: Shape, mid: float, uid: str) -> str:
    x, top, half = shape.x0, mid - MARK / 2, MARK / 2
    if shape.kind == "point":
        return f'<circle class="tl-ax-mark" cx="{x}" cy="{mid}" r="{half}"/>'
    if shape.kind == "diamond":
        points = f"{x},{top} {x + half + 1},{mid} {x},{top + MARK} {x - half - 1},{mid}"
        return f'<polygon class="tl-ax-mark" points="{points}"/>'
    if shape.kind == "arrow":
        points = f"{x},{top - 3} {x + 12},{mid} {x},{top + MARK + 3}"
        return f'<polygon class="tl-ax-mark" points="{points}"/>'
    width = round(max(shape.x1 - shape.x0, 1.5), 2)
    if shape.kind == "hatch":
        return (
            f'<rect class="tl-ax-hatch" x="{shape.x0}" y="{top}" width="{width}" height="{MARK}" '
            f'fill="url(#{uid}-h)"/>'
        )
    return f'<rect class="tl-ax-mark" x="{shape.x0}" y="{top}" width="{width}" height="{MARK}"/>'
