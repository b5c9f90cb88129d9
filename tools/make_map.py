"""Draw the infobox map, images/donetsk-and-russia.svg, from Natural Earth data.

    python tools/make_map.py            # fetch the geodata if needed, write the SVG
    python tools/make_map.py --check    # exit 1 if the committed SVG is out of date

The geodata is Natural Earth 1:10m (public domain) as shipped by Debian's
qgis-common package in /usr/share/qgis/resources/data/world_map.gpkg. The
package is fetched with `apt-get download` (no installation), the one file is
extracted into _build/geodata/ and checked against a pinned SHA-256.

Crimea is drawn the way the article places it ("Crimea in southern Ukraine"):
the data's provinces layer keeps Crimea and Sevastopol as their own features,
so they are moved from Russia to Ukraine here, and hatched as annexed.

Output is deterministic: features are read in a fixed order, coordinates are
rounded, and nothing depends on the time or the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "images" / "donetsk-and-russia.svg"
CACHE = ROOT / "_build" / "geodata"

# -- The geodata, pinned ------------------------------------------------------

DEB_PACKAGE = "qgis-common"
DEB_VERSION = "3.22.16+dfsg-1"  # Debian 12 "bookworm"
GPKG_MEMBER = "./usr/share/qgis/resources/data/world_map.gpkg"
GPKG_SHA256 = "ff5cceefc4b27abea094fa82459d8aef9417023236c326a666978b62ffe85db2"
GPKG = CACHE / "world_map.gpkg"

# -- The map ------------------------------------------------------------------

# Lambert conformal conic on a sphere, standard parallels 45°N and 52°N, which
# bracket Ukraine and the south of European Russia.
PARALLELS = (45.0, 52.0)
ORIGIN = (36.0, 48.5)  # central meridian, latitude of origin (degrees)
EARTH_RADIUS_KM = 6371.0

# The frame: its centre and size on the ground, and its width on screen.
CENTRE = (34.6, 48.4)  # lon, lat
FRAME_KM = (2100.0, 1600.0)  # width, height
WIDTH = 320  # SVG user units: CSS pixels at the infobox's natural size
PX_PER_KM = WIDTH / FRAME_KM[0]
SIMPLIFY_PX = 0.6  # Douglas-Peucker tolerance, in pixels at natural size
# Lon/lat box cut from the data before projecting (generously around the frame).
LONLAT_BOX = (15.0, 38.0, 56.0, 60.0)

CRIMEA = ("Crimea", "Sevastopol")  # provinces layer names
DONETSK = "Donets'k"

# Colours (checked for contrast and colour-vision deficiency in tests/test_map.py).
SEA = "#d4e6f1"
LAND = "#e4e1da"  # neighbouring countries, context only
UKRAINE = "#f5d36b"
RUSSIA = "#8e9fd6"
DONETSK_FILL = "#b4471b"
BORDER = "#474747"  # every boundary line: >= 3:1 against every fill
INK = "#1f1f1f"  # labels and legend text
MUTED_INK = "#4d4d4d"  # context labels (neighbours, seas)
FRAME = "#767676"  # the outer frame: >= 3:1 on furo's light and dark page
PANEL = "#ffffff"  # the legend's background

# Labels: (text, lon, lat, role). Wording of the article for the subjects.
LABELS: tuple[tuple[str, float, float, str], ...] = (
    ("RUSSIA", 42.2, 52.6, "subject"),
    ("UKRAINE", 30.9, 49.2, "subject"),
    ("Crimea", 31.3, 44.55, "small"),
    ("Black Sea", 33.6, 43.3, "sea"),
    ("Sea of Azov", 36.9, 46.0, "sea-small"),
    ("Belarus", 27.6, 53.4, "context"),
    ("Poland", 21.9, 51.6, "context"),
    ("Romania", 24.6, 46.1, "context"),
    ("Moldova", 28.5, 47.1, "context-small"),
    ("Turkey", 36.0, 41.45, "context"),
    ("Georgia", 43.8, 42.2, "context-small"),
)
# The Donetsk Oblast label stands outside the oblast, with a leader line.
DONETSK_LABEL = (("Donetsk", "Oblast"), 40.8, 47.55)

# Legend: (fill, lines of text).
LEGEND: tuple[tuple[str, tuple[str, ...]], ...] = (
    (RUSSIA, ("Russia",)),
    (UKRAINE, ("Ukraine",)),
    (DONETSK_FILL, ("Ukraine's Donetsk Oblast, where the", "DPR was proclaimed in April 2014")),
    ("url(#annexed)", ("Crimea, annexed by Russia in", "February–March 2014")),
)
CREDIT = "Map data: Natural Earth (public domain), as packaged by QGIS"
TITLE = "Map of Russia, Ukraine and Ukraine's Donetsk Oblast"
DESC = (
    "Locator map. Ukraine is shown in yellow, with Crimea in southern Ukraine hatched as "
    "annexed by Russia in February–March 2014; Donetsk Oblast, in eastern Ukraine on the "
    "border with Russia, where the Donetsk People's Republic was proclaimed in April 2014, "
    "is shown in dark orange; Russia is shown in blue. Neighbouring countries are grey, "
    "the Black Sea and the Sea of Azov blue. " + CREDIT + "."
)


# -- Fetching -----------------------------------------------------------------


class GeodataError(RuntimeError):
    """The geodata cannot be fetched or is not the pinned file."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(cache: Path = CACHE) -> Path:
    """The pinned world_map.gpkg in `cache`, downloaded and extracted if missing."""
    gpkg = cache / GPKG.name
    if gpkg.exists() and sha256(gpkg) == GPKG_SHA256:
        return gpkg
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        spec = f"{DEB_PACKAGE}={DEB_VERSION}"
        # Downloading as root into a folder _apt cannot write makes apt warn;
        # the download is still verified against the signed archive.
        try:
            run = subprocess.run(
                ["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", spec],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as error:
            raise GeodataError(f"apt-get is not here ({error}): the geodata needs Debian") from None
        if run.returncode != 0:
            raise GeodataError(
                f"`apt-get download {spec}` failed:\n{run.stderr.strip()}\n"
                "Is this Debian 12 with a Debian mirror reachable? Try `apt-get update`."
            )
        (deb,) = Path(tmp).glob("*.deb")
        tar = subprocess.run(
            ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
        )
        tar_path = Path(tmp) / "data.tar"
        tar_path.write_bytes(tar.stdout)
        with tarfile.open(tar_path) as archive:
            member = archive.extractfile(GPKG_MEMBER)
            if member is None:
                raise GeodataError(f"{deb.name} holds no {GPKG_MEMBER}")
            part = Path(tmp) / GPKG.name
            part.write_bytes(member.read())
        got = sha256(part)
        if got != GPKG_SHA256:
            raise GeodataError(
                f"{GPKG_MEMBER} in {deb.name} has SHA-256 {got}, expected {GPKG_SHA256}"
            )
        part.replace(gpkg)
    return gpkg


# -- Reading ------------------------------------------------------------------


def gpkg_geometry(blob: bytes) -> BaseGeometry:
    """Decode a GeoPackage geometry blob (a small header, then WKB)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    envelope = (blob[3] >> 1) & 0b111
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]
    return shapely.from_wkb(blob[8 + size :])


@dataclass(frozen=True)
class Layers:
    """The areas of the map, in longitude/latitude."""

    ukraine: BaseGeometry  # with Crimea
    donetsk: BaseGeometry
    crimea: BaseGeometry
    russia: BaseGeometry  # without Crimea
    neighbours: tuple[BaseGeometry, ...]


def read_layers(gpkg: Path) -> Layers:
    box = shapely.box(*LONLAT_BOX)
    with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:

        def one(sql: str, *args: str) -> BaseGeometry:
            rows = db.execute(sql, args).fetchall()
            if len(rows) != 1:
                raise GeodataError(f"{sql} {args}: {len(rows)} rows, expected 1")
            return gpkg_geometry(rows[0][0])

        country = "SELECT geom FROM countries WHERE ISO_A3 = ?"
        province = "SELECT geom FROM states_provinces WHERE name = ? AND admin = ?"
        crimea = shapely.union_all([one(province, name, "Russia") for name in CRIMEA])
        ukraine = shapely.union(one(country, "UKR"), crimea)
        russia = shapely.difference(one(country, "RUS"), crimea)
        donetsk = one(province, DONETSK, "Ukraine")
        rows = db.execute(
            "SELECT geom FROM countries WHERE ISO_A3 NOT IN ('UKR', 'RUS') ORDER BY fid"
        ).fetchall()
    neighbours = tuple(
        g for g in (shapely.intersection(gpkg_geometry(r[0]), box) for r in rows) if not g.is_empty
    )
    return Layers(
        ukraine=shapely.intersection(ukraine, box),
        donetsk=donetsk,
        crimea=crimea,
        russia=shapely.intersection(russia, box),
        neighbours=neighbours,
    )


# -- Projecting ---------------------------------------------------------------


class Lambert:
    """Lambert conformal conic projection on a sphere (Snyder 1987, eq. 15-1 to 15-5)."""

    def __init__(self, parallels: tuple[float, float], origin: tuple[float, float]) -> None:
        phi1, phi2 = (math.radians(p) for p in parallels)
        self.lon0 = math.radians(origin[0])
        t1, t2 = (math.tan(math.pi / 4 + p / 2) for p in (phi1, phi2))
        self.n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t2 / t1)
        self.f = math.cos(phi1) * t1**self.n / self.n
        self.rho0 = self.rho(math.radians(origin[1]))

    def rho(self, phi: float | np.ndarray) -> np.ndarray:
        return EARTH_RADIUS_KM * self.f / np.tan(np.pi / 4 + np.asarray(phi) / 2) ** self.n

    def km(self, lonlat: np.ndarray) -> np.ndarray:
        """(N, 2) degrees -> (N, 2) kilometres east and north of the origin."""
        lam, phi = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
        rho, theta = self.rho(phi), self.n * (lam - self.lon0)
        return np.column_stack((rho * np.sin(theta), self.rho0 - rho * np.cos(theta)))


@dataclass(frozen=True)
class Frame:
    """Degrees to SVG pixels: project, then scale and flip into the frame."""

    projection: Lambert
    left: float  # km
    top: float  # km

    @classmethod
    def around(cls, projection: Lambert) -> Frame:
        cx, cy = projection.km(np.array([CENTRE]))[0]
        return cls(projection, cx - FRAME_KM[0] / 2, cy + FRAME_KM[1] / 2)

    @property
    def size(self) -> tuple[float, float]:
        return (WIDTH, round(FRAME_KM[1] * PX_PER_KM))

    def px(self, lonlat: np.ndarray) -> np.ndarray:
        km = self.projection.km(lonlat)
        return np.column_stack(((km[:, 0] - self.left), (self.top - km[:, 1]))) * PX_PER_KM

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.px(np.array([[lon, lat]]))[0]
        return float(x), float(y)

    def shape(self, geom: BaseGeometry) -> BaseGeometry:
        """Project, crop to the frame (with a margin), and make valid."""
        w, h = self.size
        projected = shapely.transform(geom, self.px)
        return polygonal(shapely.clip_by_rect(projected, -2, -2, w + 2, h + 2))


# -- Writing ------------------------------------------------------------------


def fmt(value: float) -> str:
    """A coordinate to one decimal, without a trailing .0 or a leading 0."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return "0" if text in ("", "-", "-0") else text


def ring_path(coords: Sequence[tuple[float, float]]) -> str:
    """One closed ring as 'M x y l dx dy ... z' on a 0.1 px grid (relative moves)."""
    pts = [(round(x * 10), round(y * 10)) for x, y in coords[:-1]]
    dedup = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    if len(dedup) < 3:
        return ""
    out = [f"M{fmt(dedup[0][0] / 10)} {fmt(dedup[0][1] / 10)}l"]
    prev = dedup[0]
    parts: list[str] = []
    for p in dedup[1:]:
        dx, dy = (p[0] - prev[0]) / 10, (p[1] - prev[1]) / 10
        sy = fmt(dy)
        parts.append(fmt(dx) + (sy if sy.startswith("-") else " " + sy))
        prev = p
    # Numbers that start with '-' need no separator before them.
    joined = ""
    for part in parts:
        joined += part if not joined or part.startswith("-") else " " + part
    return out[0] + joined + "z"


def polygons(geom: BaseGeometry) -> Iterable[shapely.Polygon]:
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            yield part
        elif isinstance(part, shapely.GeometryCollection | shapely.MultiPolygon):
            yield from polygons(part)


def polygonal(geom: BaseGeometry) -> shapely.MultiPolygon:
    """The areas of a geometry, made valid, without stray lines or points."""
    return shapely.MultiPolygon(list(polygons(shapely.make_valid(geom))))


def path_data(geom: BaseGeometry) -> str:
    rings: list[str] = []
    for poly in polygons(geom):
        for ring in (poly.exterior, *poly.interiors):
            d = ring_path(list(ring.coords))
            if d:
                rings.append(d)
    return "".join(rings)


def text(x: float, y: float, body: str, cls: str, anchor: str = "middle") -> str:
    a = "" if anchor == "middle" else f' text-anchor="{anchor}"'
    return f'<text class="{cls}" x="{fmt(x)}" y="{fmt(y)}"{a}>{escape(body)}</text>'


def svg(layers: Layers) -> str:
    frame = Frame.around(Lambert(PARALLELS, ORIGIN))
    w, h = frame.size
    shapes = [
        *(frame.shape(n) for n in layers.neighbours),
        frame.shape(shapely.difference(layers.ukraine, layers.donetsk)),
        frame.shape(layers.donetsk),
        frame.shape(layers.russia),
    ]
    # Simplify the areas together, so that shared borders stay shared.
    simple = shapely.coverage_simplify(shapes, SIMPLIFY_PX)
    *neighbours, ukraine, donetsk, russia = (polygonal(g) for g in simple)
    crimea = shapely.intersection(frame.shape(layers.crimea), ukraine)

    legend_top = h
    line = 15
    rows = sum(len(lines) for _, lines in LEGEND)
    total_h = legend_top + 8 + rows * line + (len(LEGEND) - 1) * 3 + 6

    out: list[str] = []
    add = out.append
    add('<?xml version="1.0" encoding="UTF-8"?>')
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{total_h}" '
        f'viewBox="0 0 {w} {total_h}" role="img" aria-labelledby="title desc" '
        'font-family="Helvetica, Arial, sans-serif" fill-rule="evenodd">'
    )
    add(f'<title id="title">{escape(TITLE)}</title>')
    add(f'<desc id="desc">{escape(DESC)}</desc>')
    add(
        "<style>"
        f".subject{{font-size:13px;font-weight:bold;letter-spacing:1px;fill:{INK}}}"
        f".small,.key{{font-size:11px;fill:{INK}}}"
        f".context{{font-size:10px;fill:{MUTED_INK}}}"
        f".context-small{{font-size:9px;fill:{MUTED_INK}}}"
        f".sea{{font-size:11px;font-style:italic;fill:{MUTED_INK}}}"
        f".sea-small{{font-size:8.5px;font-style:italic;fill:{MUTED_INK}}}"
        f".halo{{paint-order:stroke;stroke:{PANEL};stroke-width:2.5px;stroke-linejoin:round}}"
        "</style>"
    )
    add(
        '<defs><pattern id="annexed" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="5" height="5" fill="{UKRAINE}"/>'
        f'<rect width="2" height="5" fill="{RUSSIA}"/></pattern>'
        f'<clipPath id="map"><rect width="{w}" height="{h}"/></clipPath></defs>'
    )
    add(f'<g clip-path="url(#map)"><rect width="{w}" height="{h}" fill="{SEA}"/>')
    stroke = f'stroke="{BORDER}" stroke-width=".6" stroke-linejoin="round"'
    context = "".join(path_data(n) for n in neighbours)
    add(f'<path id="neighbours" fill="{LAND}" {stroke} d="{context}"/>')
    add(f'<path id="russia" fill="{RUSSIA}" {stroke} d="{path_data(russia)}"/>')
    add(f'<path id="ukraine" fill="{UKRAINE}" {stroke} d="{path_data(ukraine)}"/>')
    add(f'<path id="crimea" fill="url(#annexed)" d="{path_data(crimea)}"/>')
    add(
        f'<path id="donetsk" fill="{DONETSK_FILL}" stroke="{INK}" stroke-width="1.2" '
        f'stroke-linejoin="round" d="{path_data(donetsk)}"/>'
    )
    for body, lon, lat, role in LABELS:
        x, y = frame.point(lon, lat)
        add(text(x, y, body, f"{role} halo"))
    (first, second), lon, lat = DONETSK_LABEL
    lx, ly = frame.point(lon, lat)
    dx, dy = frame.point(*shapely.get_coordinates(layers.donetsk.centroid)[0])
    add(
        f'<path stroke="{INK}" stroke-width=".8" fill="none" '
        f'd="M{fmt(dx)} {fmt(dy)}L{fmt(lx - 2)} {fmt(ly - 8)}"/>'
    )
    add(text(lx, ly - 4, first, "small halo", "start"))
    add(text(lx, ly + 8, second, "small halo", "start"))
    add("</g>")
    add(
        f'<rect width="{w}" height="{total_h - h}" y="{h}" fill="{PANEL}"/>'
        f'<path stroke="{FRAME}" d="M0 {h}H{w}"/>'
    )
    y = legend_top + 8
    add('<g id="legend">')
    for fill, lines in LEGEND:
        add(
            f'<rect x="8" y="{fmt(y + 1)}" width="18" height="11" fill="{fill}" '
            f'stroke="{BORDER}" stroke-width=".8"/>'
        )
        for i, body in enumerate(lines):
            add(text(32, y + 10.5 + i * line, body, "key", "start"))
        y += len(lines) * line + 3
    add("</g>")
    add(
        f'<rect x=".5" y=".5" width="{w - 1}" height="{total_h - 1}" fill="none" stroke="{FRAME}"/>'
    )
    add("</svg>")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="world_map.gpkg to use (default: fetch it)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="SVG to write")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        gpkg = args.data or fetch()
        if args.data and sha256(gpkg) != GPKG_SHA256:
            raise GeodataError(f"{gpkg} is not the pinned world_map.gpkg ({GPKG_SHA256})")
        drawn = svg(read_layers(gpkg))
    except GeodataError as error:
        print(f"make_map: {error}", file=sys.stderr)
        return 2
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != drawn:
            print(f"make_map: {args.out} is out of date: run `make map`", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(drawn, encoding="utf-8", newline="\n")
    print(f"make_map: wrote {args.out} ({len(drawn.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
