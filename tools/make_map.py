"""Draw the infobox map, images/donetsk-and-russia.svg, from Natural Earth data.

    python tools/make_map.py            # fetch the geodata if needed, write the SVG
    python tools/make_map.py --check    # exit 1 if the committed SVG is out of date

The geodata is Natural Earth 1:10m (public domain) as Debian 12's qgis-common
package ships it (/usr/share/qgis/resources/data/world_map.gpkg): the package
is fetched with `apt-get download` (nothing is installed), the one file is
extracted into _build/geodata/ and checked against a pinned SHA-256.

Crimea is drawn where the article places it ("Crimea in southern Ukraine"):
the data keeps Crimea and Sevastopol as provinces of their own, so they are
moved from Russia to Ukraine here, and hatched as annexed.

The output is deterministic (fixed order, rounded coordinates). A missing or
wrong input is reported in one line (exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "images" / "donetsk-and-russia.svg"
CACHE = ROOT / "_build" / "geodata"

# -- The geodata, pinned --------------------------------------------------------

DEB = "qgis-common=3.22.16+dfsg-1"  # Debian 12 "bookworm"
GPKG_MEMBER = "./usr/share/qgis/resources/data/world_map.gpkg"
GPKG_SHA256 = "ff5cceefc4b27abea094fa82459d8aef9417023236c326a666978b62ffe85db2"

# -- The map --------------------------------------------------------------------

# Lambert conformal conic on a sphere, standard parallels 45°N and 52°N, which
# bracket Ukraine and the south of European Russia.
PARALLELS = (45.0, 52.0)
ORIGIN = (36.0, 48.5)  # central meridian, latitude of origin (degrees)
EARTH_RADIUS_KM = 6371.0
CENTRE = (34.6, 48.4)  # lon, lat of the frame's centre
FRAME_KM = (2100.0, 1600.0)  # the frame on the ground: width, height
WIDTH = 320  # SVG user units: CSS pixels at the infobox's natural size
PX_PER_KM = WIDTH / FRAME_KM[0]
HEIGHT = round(FRAME_KM[1] * PX_PER_KM)
SIMPLIFY_PX = 0.6  # Douglas-Peucker tolerance, in pixels
LONLAT_BOX = (15.0, 38.0, 56.0, 60.0)  # cut from the data before projecting
CRIMEA = ("Crimea", "Sevastopol")  # provinces layer names
DONETSK = "Donets'k"

# Colours, checked for contrast and colour-vision deficiency in tests/test_map.py.
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

# Labels: (text, lon, lat, class). The subjects in the article's words.
LABELS = (
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
DONETSK_LABEL = (40.8, 47.55)  # outside the oblast, with a leader line
LEGEND = (  # (fill, lines of text)
    (RUSSIA, ("Russia",)),
    (UKRAINE, ("Ukraine",)),
    (DONETSK_FILL, ("Ukraine's Donetsk Oblast, where the", "DPR was proclaimed in April 2014")),
    ("url(#annexed)", ("Crimea, annexed by Russia in", "February–March 2014")),
)
TITLE = "Map of Russia, Ukraine and Ukraine's Donetsk Oblast"
DESC = (
    "Locator map. Ukraine is shown in yellow, with Crimea in southern Ukraine hatched as "
    "annexed by Russia in February–March 2014; Donetsk Oblast, in eastern Ukraine on the "
    "border with Russia, where the Donetsk People's Republic was proclaimed in April 2014, "
    "is shown in dark orange; Russia is shown in blue. Neighbouring countries are grey, "
    "the Black Sea and the Sea of Azov blue. Map data: Natural Earth (public domain), as "
    "packaged by QGIS."
)


class GeodataError(RuntimeError):
    """The geodata cannot be had, or is not the pinned file: said in one line."""


def pinned(data: bytes, what: object) -> bytes:
    if (got := hashlib.sha256(data).hexdigest()) != GPKG_SHA256:
        raise GeodataError(f"{what} is not the pinned world_map.gpkg: its SHA-256 is {got}")
    return data


def command(*cmd: str, cwd: str | None = None, stdin: bytes | None = None) -> bytes:
    """The output of cmd, or a GeodataError saying in one line why there is none."""
    try:
        done = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, check=False)
    except OSError as error:
        raise GeodataError(f"cannot run {cmd[0]}: {error.strerror} (it needs Debian)") from None
    if done.returncode:
        said = done.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        said = next((line for line in said if line.startswith("E:")), said[0])  # apt's error
        hint = " (is a Debian 12 mirror reachable? try apt-get update)" if "apt" in cmd[0] else ""
        raise GeodataError(f"`{' '.join(cmd)}` failed: {said}{hint}")
    return done.stdout


def fetch(cache: Path | None = None) -> Path:
    """The pinned world_map.gpkg in the cache, downloaded and extracted if missing."""
    gpkg = (cache or CACHE) / "world_map.gpkg"
    with contextlib.suppress(OSError, GeodataError):  # missing, stale or broken: fetch it
        pinned(gpkg.read_bytes(), gpkg)
        return gpkg
    gpkg.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=gpkg.parent) as tmp:
        # As root, apt warns that _apt cannot write here; the download is still verified.
        command("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", DEB, cwd=tmp)
        deb = next(Path(tmp).glob("*.deb"), None)
        if deb is None:
            raise GeodataError(f"`apt-get download {DEB}` gave no .deb file")
        tar = command("dpkg-deb", "--fsys-tarfile", str(deb))
        data = command("tar", "-xOf", "-", GPKG_MEMBER, stdin=tar)
        part = Path(tmp) / gpkg.name
        part.write_bytes(pinned(data, f"{GPKG_MEMBER} in {deb.name}"))
        part.replace(gpkg)
    return gpkg


def gpkg_geometry(blob: bytes) -> BaseGeometry:
    """Decode a GeoPackage geometry blob (a small header, then WKB)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(blob[8 + envelope :])


def read_layers(gpkg: Path) -> dict[str, BaseGeometry | list[BaseGeometry]]:
    """The areas of the map, in longitude/latitude: Crimea moved to Ukraine."""
    box = shapely.box(*LONLAT_BOX)
    with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:

        def one(sql: str, *args: str) -> BaseGeometry:
            rows = db.execute(sql, args).fetchall()
            if len(rows) != 1:
                raise GeodataError(f"{gpkg}: {sql} {args}: {len(rows)} rows, expected 1")
            return gpkg_geometry(rows[0][0])

        country = "SELECT geom FROM countries WHERE ISO_A3 = ?"
        province = "SELECT geom FROM states_provinces WHERE name = ? AND admin = ?"
        crimea = shapely.union_all([one(province, name, "Russia") for name in CRIMEA])
        ukraine = shapely.union(one(country, "UKR"), crimea)
        russia = shapely.difference(one(country, "RUS"), crimea)
        donetsk = one(province, DONETSK, "Ukraine")
        others = "SELECT geom FROM countries WHERE ISO_A3 NOT IN ('UKR', 'RUS') ORDER BY fid"
        rows = db.execute(others).fetchall()
    neighbours = (shapely.intersection(gpkg_geometry(row[0]), box) for row in rows)
    layers = {"ukraine": ukraine, "russia": russia, "donetsk": donetsk, "crimea": crimea}
    layers |= {name: shapely.intersection(layers[name], box) for name in ("ukraine", "russia")}
    return layers | {"neighbours": [g for g in neighbours if not g.is_empty]}


def lambert(parallels: Sequence[float], origin: Sequence[float]) -> Callable[..., np.ndarray]:
    """Lambert conformal conic on a sphere (Snyder 1987, eq. 15-1 to 15-5): (N, 2) degrees
    to (N, 2) kilometres east and north of the origin."""
    phi1, phi2 = (math.radians(p) for p in parallels)
    t1, t2 = (math.tan(math.pi / 4 + p / 2) for p in (phi1, phi2))
    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t2 / t1)
    f = math.cos(phi1) * t1**n / n
    lon0 = math.radians(origin[0])

    def rho(phi: float | np.ndarray) -> np.ndarray:
        return EARTH_RADIUS_KM * f / np.tan(np.pi / 4 + np.asarray(phi) / 2) ** n

    rho0 = rho(math.radians(origin[1]))

    def km(lonlat: np.ndarray) -> np.ndarray:
        lam, phi = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
        r, theta = rho(phi), n * (lam - lon0)
        return np.column_stack((r * np.sin(theta), rho0 - r * np.cos(theta)))

    return km


KM = lambert(PARALLELS, ORIGIN)
_CX, _CY = KM(np.array([CENTRE]))[0]
LEFT, TOP = _CX - FRAME_KM[0] / 2, _CY + FRAME_KM[1] / 2  # the frame's corner, km


def px(lonlat: np.ndarray) -> np.ndarray:
    """(N, 2) degrees to SVG pixels: project, then scale and flip into the frame."""
    km = KM(lonlat)
    return np.column_stack(((km[:, 0] - LEFT), (TOP - km[:, 1]))) * PX_PER_KM


def point(lon: float, lat: float) -> tuple[float, float]:
    x, y = px(np.array([[lon, lat]]))[0]
    return float(x), float(y)


def polygons(geom: BaseGeometry) -> Iterator[shapely.Polygon]:
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            yield part
        elif isinstance(part, shapely.GeometryCollection | shapely.MultiPolygon):
            yield from polygons(part)


def polygonal(geom: BaseGeometry) -> shapely.MultiPolygon:
    """The areas of a geometry, made valid, without stray lines or points."""
    return shapely.MultiPolygon(list(polygons(shapely.make_valid(geom))))


def shape(geom: BaseGeometry) -> shapely.MultiPolygon:
    """Project, crop to the frame (with a margin), and make valid."""
    projected = shapely.transform(geom, px)
    return polygonal(shapely.clip_by_rect(projected, -2, -2, WIDTH + 2, HEIGHT + 2))


def fmt(value: float) -> str:
    """A number to one decimal, without a trailing .0 or a leading 0."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return "0" if text in ("", "-", "-0") else text


def ring_path(coords: Sequence[tuple[float, float]]) -> str:
    """One closed ring as 'M x y l dx dy ... z' on a 0.1 px grid (relative moves)."""
    pts = [(round(x * 10), round(y * 10)) for x, y in coords[:-1]]
    pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    if len(pts) < 3:
        return ""
    flat = [c for p in pts for c in p]  # x0 y0 x1 y1 ...: deltas are two apart
    steps = [fmt((b - a) / 10) for a, b in zip(flat, flat[2:], strict=False)]
    # A number that starts with '-' needs no separator before it.
    moves = "".join(s if i == 0 or s.startswith("-") else f" {s}" for i, s in enumerate(steps))
    return f"M{fmt(pts[0][0] / 10)} {fmt(pts[0][1] / 10)}l{moves}z"


def path_data(*geoms: BaseGeometry) -> str:
    rings = (r for g in geoms for poly in polygons(g) for r in (poly.exterior, *poly.interiors))
    return "".join(ring_path(list(ring.coords)) for ring in rings)


def text(x: float, y: float, body: str, cls: str, anchor: str = "middle") -> str:
    a = "" if anchor == "middle" else f' text-anchor="{anchor}"'
    return f'<text class="{cls}" x="{fmt(x)}" y="{fmt(y)}"{a}>{escape(body)}</text>'


def svg(layers: dict) -> str:
    w, h, line = WIDTH, HEIGHT, 15  # line: the legend's line height
    # Simplify the areas together, so that shared borders stay shared.
    ukraine_only = shapely.difference(layers["ukraine"], layers["donetsk"])
    areas = [*layers["neighbours"], ukraine_only, layers["donetsk"], layers["russia"]]
    simple = shapely.coverage_simplify([shape(g) for g in areas], SIMPLIFY_PX)
    *neighbours, ukraine, donetsk, russia = (polygonal(g) for g in simple)
    crimea = shapely.intersection(shape(layers["crimea"]), ukraine)
    total_h = h + 8 + sum(len(lines) for _, lines in LEGEND) * line + (len(LEGEND) - 1) * 3 + 6
    stroke = f'stroke="{BORDER}" stroke-width=".6" stroke-linejoin="round"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{total_h}" '
        f'viewBox="0 0 {w} {total_h}" role="img" aria-labelledby="title desc" '
        'font-family="Helvetica, Arial, sans-serif" fill-rule="evenodd">',
        f'<title id="title">{escape(TITLE)}</title>',
        f'<desc id="desc">{escape(DESC)}</desc>',
        "<style>"
        f".subject{{font-size:13px;font-weight:bold;letter-spacing:1px;fill:{INK}}}"
        f".small,.key{{font-size:11px;fill:{INK}}}"
        f".context{{font-size:10px;fill:{MUTED_INK}}}"
        f".context-small{{font-size:9px;fill:{MUTED_INK}}}"
        f".sea{{font-size:11px;font-style:italic;fill:{MUTED_INK}}}"
        f".sea-small{{font-size:8.5px;font-style:italic;fill:{MUTED_INK}}}"
        f".halo{{paint-order:stroke;stroke:{PANEL};stroke-width:2.5px;stroke-linejoin:round}}"
        "</style>",
        '<defs><pattern id="annexed" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="5" height="5" fill="{UKRAINE}"/>'
        f'<rect width="2" height="5" fill="{RUSSIA}"/></pattern>'
        f'<clipPath id="map"><rect width="{w}" height="{h}"/></clipPath></defs>',
        f'<g clip-path="url(#map)"><rect width="{w}" height="{h}" fill="{SEA}"/>',
        f'<path id="neighbours" fill="{LAND}" {stroke} d="{path_data(*neighbours)}"/>',
        f'<path id="russia" fill="{RUSSIA}" {stroke} d="{path_data(russia)}"/>',
        f'<path id="ukraine" fill="{UKRAINE}" {stroke} d="{path_data(ukraine)}"/>',
        f'<path id="crimea" fill="url(#annexed)" d="{path_data(crimea)}"/>',
        f'<path id="donetsk" fill="{DONETSK_FILL}" stroke="{INK}" stroke-width="1.2" '
        f'stroke-linejoin="round" d="{path_data(donetsk)}"/>',
        *(text(*point(lon, lat), body, f"{cls} halo") for body, lon, lat, cls in LABELS),
    ]
    lx, ly = point(*DONETSK_LABEL)
    dx, dy = point(*shapely.get_coordinates(layers["donetsk"].centroid)[0])
    out += [
        f'<path stroke="{INK}" stroke-width=".8" fill="none" '
        f'd="M{fmt(dx)} {fmt(dy)}L{fmt(lx - 2)} {fmt(ly - 8)}"/>',
        text(lx, ly - 4, "Donetsk", "small halo", "start"),
        text(lx, ly + 8, "Oblast", "small halo", "start"),
        "</g>",
        f'<rect width="{w}" height="{total_h - h}" y="{h}" fill="{PANEL}"/>'
        f'<path stroke="{FRAME}" d="M0 {h}H{w}"/>',
        '<g id="legend">',
    ]
    y, key = h + 8, f'stroke="{BORDER}" stroke-width=".8"'
    for fill, lines in LEGEND:
        out.append(f'<rect x="8" y="{fmt(y + 1)}" width="18" height="11" fill="{fill}" {key}/>')
        out += [text(32, y + 10.5 + i * line, body, "key", "start") for i, body in enumerate(lines)]
        y += len(lines) * line + 3
    frame = f'<rect x=".5" y=".5" width="{w - 1}" height="{total_h - 1}" fill="none"'
    return "\n".join([*out, "</g>", f'{frame} stroke="{FRAME}"/>', "</svg>"]) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="world_map.gpkg to use (default: fetch it)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="SVG to write")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        if args.data:
            pinned(args.data.read_bytes(), str(args.data))
        drawn = svg(read_layers(args.data or fetch()))
        if args.check:
            if not args.out.is_file() or args.out.read_text(encoding="utf-8") != drawn:
                print(f"make_map: {args.out} is out of date: run `make map`", file=sys.stderr)
                return 1
            return 0
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(drawn, encoding="utf-8", newline="\n")
    except (GeodataError, OSError, sqlite3.Error) as error:
        print(f"make_map: {error}", file=sys.stderr)
        return 2
    print(f"make_map: wrote {args.out} ({len(drawn.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
