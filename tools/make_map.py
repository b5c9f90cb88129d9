"""Draw the infobox map, images/donetsk-and-russia.svg, from Natural Earth data.

    python tools/make_map.py [--check]    # write it; --check: exit 1 if it is out of date

The data, Natural Earth 1:10m (public domain), is the world_map.gpkg of Debian 12's qgis-common,
fetched by `apt-get download` (installing nothing) into _build/geodata/ and pinned by SHA-256.
Crimea, two Russian provinces in the data, is moved to Ukraine ("in southern Ukraine", says the
article) and hatched as annexed. The output is deterministic; a bad input: one line, exit 2.
"""

import argparse
import contextlib
import hashlib
import math
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from itertools import groupby, pairwise
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "images" / "donetsk-and-russia.svg"
CACHE = ROOT / "_build" / "geodata"
DEB = "qgis-common=3.22.16+dfsg-1"  # Debian 12 "bookworm"
GPKG_MEMBER = "./usr/share/qgis/resources/data/world_map.gpkg"
GPKG_SHA256 = "ff5cceefc4b27abea094fa82459d8aef9417023236c326a666978b62ffe85db2"

# Lambert conformal conic on a sphere (Snyder 1987, eq. 15-1 to 15-5), standard parallels
# 45°N and 52°N, which bracket Ukraine and the south of European Russia.
PARALLELS = (45.0, 52.0)
ORIGIN = (36.0, 48.5)  # central meridian, latitude of origin (degrees)
CENTRE = (34.6, 48.4)  # lon, lat of the frame's centre
FRAME_KM = (2100.0, 1600.0)  # the frame on the ground: width, height
WIDTH = 320  # SVG user units: CSS pixels at the infobox's natural size
PX_PER_KM = WIDTH / FRAME_KM[0]
HEIGHT = round(FRAME_KM[1] * PX_PER_KM)
SIMPLIFY_PX = 0.6  # Douglas-Peucker tolerance, in pixels
LONLAT_BOX = (15.0, 38.0, 56.0, 60.0)  # cut from the data before projecting

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

LABELS = (  # (text, lon, lat, class): the subjects in the article's words
    ("RUSSIA", 42.2, 52.6, "subject"), ("UKRAINE", 30.9, 49.2, "subject"),
    ("Crimea", 31.3, 44.55, "small"), ("Black Sea", 33.6, 43.3, "sea"),
    ("Sea of Azov", 36.9, 46.0, "sea-small"), ("Belarus", 27.6, 53.4, "context"),
    ("Poland", 21.9, 51.6, "context"), ("Romania", 24.6, 46.1, "context"),
    ("Moldova", 28.5, 47.1, "context-small"), ("Turkey", 36.0, 41.45, "context"),
    ("Georgia", 43.8, 42.2, "context-small"),
)  # fmt: skip
DONETSK_LABEL = (40.8, 47.55)  # outside the oblast, with a leader line
LEGEND = (  # (fill, lines of text)
    (RUSSIA, ("Russia",)), (UKRAINE, ("Ukraine",)),
    (DONETSK_FILL, ("Ukraine's Donetsk Oblast, where the", "DPR was proclaimed in April 2014")),
    ("url(#annexed)", ("Crimea, annexed by Russia in", "February–March 2014")),
)  # fmt: skip
TITLE = "Map of Russia, Ukraine and Ukraine's Donetsk Oblast"
DESC = (
    "Locator map. Ukraine is shown in yellow, with Crimea in southern Ukraine hatched as annexed "
    "by Russia in February–March 2014; Donetsk Oblast, in eastern Ukraine on the border with "
    "Russia, where the Donetsk People's Republic was proclaimed in April 2014, is shown in dark "
    "orange; Russia is shown in blue. Neighbouring countries are grey, the Black Sea and the Sea "
    "of Azov blue. Map data: Natural Earth (public domain), as packaged by QGIS."
)


class GeodataError(RuntimeError):
    """The geodata cannot be had, or is not the pinned file: said in one line."""


def pinned(path: Path, what: object = None) -> Path:
    if (got := hashlib.sha256(path.read_bytes()).hexdigest()) != GPKG_SHA256:
        raise GeodataError(f"{what or path} is not the pinned world_map.gpkg: its SHA-256 is {got}")
    return path


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


def fetch() -> Path:
    """The pinned world_map.gpkg in the cache, downloaded and extracted if missing."""
    gpkg = CACHE / "world_map.gpkg"
    with contextlib.suppress(OSError, GeodataError):  # missing, stale or broken: fetch it
        return pinned(gpkg)
    gpkg.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=gpkg.parent) as tmp:
        # As root, apt warns that _apt cannot write here; the download is still verified.
        command("apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", DEB, cwd=tmp)
        (deb,) = Path(tmp).glob("*.deb")  # apt-get download succeeded: it wrote the one file
        tar = command("dpkg-deb", "--fsys-tarfile", str(deb))
        command("tar", "-xf", "-", "-C", tmp, GPKG_MEMBER, stdin=tar)
        pinned(Path(tmp, GPKG_MEMBER), f"{GPKG_MEMBER} in {deb.name}").replace(gpkg)
    return gpkg


def read_layers(gpkg: Path) -> dict[str, shapely.Geometry | list[shapely.Geometry]]:
    """The areas of the map, in longitude/latitude: Crimea moved to Ukraine."""
    with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:

        def read(table: str, where: str) -> list[shapely.Geometry]:
            # A GeoPackage geometry: 8 bytes of header, an envelope (its size in the flags), WKB.
            rows = db.execute(f"SELECT geom FROM {table} WHERE {where} ORDER BY fid")
            return [shapely.from_wkb(g[8 + (0, 32, 48, 48, 64)[g[3] >> 1 & 7] :]) for (g,) in rows]

        crimea = read("states_provinces", "admin = 'Russia' AND name IN ('Crimea', 'Sevastopol')")
        (ukraine,), (russia,) = (read("countries", f"ISO_A3 = '{iso}'") for iso in ("UKR", "RUS"))
        (donetsk,) = read("states_provinces", "admin = 'Ukraine' AND name = 'Donets''k'")
        neighbours = read("countries", "ISO_A3 NOT IN ('UKR', 'RUS')")
    box, crimea = shapely.box(*LONLAT_BOX), shapely.union_all(crimea)
    ukraine, russia = shapely.intersection([ukraine.union(crimea), russia.difference(crimea)], box)
    layers = {"neighbours": [g for g in shapely.intersection(neighbours, box) if not g.is_empty]}
    return layers | {"ukraine": ukraine, "russia": russia, "donetsk": donetsk, "crimea": crimea}


def lambert(lonlat: np.ndarray) -> np.ndarray:
    """(N, 2) degrees to km east and north of ORIGIN: Lambert conformal conic on a sphere."""
    phi1, phi2 = (math.radians(p) for p in PARALLELS)
    t1, t2 = (math.tan(math.pi / 4 + p / 2) for p in (phi1, phi2))
    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t2 / t1)
    f = math.cos(phi1) * t1**n / n

    def rho(phi: float | np.ndarray) -> np.ndarray:  # a parallel's radius (the Earth's: 6371 km)
        return 6371.0 * f / np.tan(np.pi / 4 + np.asarray(phi) / 2) ** n

    r, theta = rho(np.radians(lonlat[:, 1])), n * np.radians(lonlat[:, 0] - ORIGIN[0])
    return np.column_stack((r * np.sin(theta), rho(math.radians(ORIGIN[1])) - r * np.cos(theta)))


def px(lonlat: np.ndarray | Sequence[float]) -> np.ndarray:
    """Degrees, (N, 2) or one point, to SVG pixels: project, then scale and flip into the frame."""
    (cx, cy), km = lambert(np.array([CENTRE]))[0], lambert(np.atleast_2d(lonlat))
    left, top = cx - FRAME_KM[0] / 2, cy + FRAME_KM[1] / 2  # the frame's corner, km
    return np.column_stack(((km[:, 0] - left), (top - km[:, 1]))) * PX_PER_KM


def polygonal(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """The areas of a geometry, made valid, without stray lines or points."""
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(geom)))  # of collections too
    return shapely.MultiPolygon([p for p in parts if isinstance(p, shapely.Polygon)])


def shape(geom: shapely.Geometry) -> shapely.MultiPolygon:
    """Project, crop to the frame (with a margin), and make valid."""
    projected = shapely.transform(geom, px)
    return polygonal(shapely.clip_by_rect(projected, -2, -2, WIDTH + 2, HEIGHT + 2))


def fmt(value: float) -> str:
    """A number to one decimal, without a trailing .0 or a leading 0."""
    text = f"{round(float(value), 1) + 0.0:g}"  # float: not numpy's round; + 0.0: no -0
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def path_data(*areas: shapely.MultiPolygon) -> str:
    """Every ring of the areas as 'M x y l dx dy ... z', on a 0.1 px grid (relative moves)."""
    data = ""
    for ring in shapely.get_rings(shapely.get_parts(areas)):  # exteriors, each before its holes
        pts = [p for p, _ in groupby((round(x * 10), round(y * 10)) for x, y in ring.coords[:-1])]
        if len(pts) >= 3:
            steps = [fmt(d / 10) for p, q in pairwise(pts) for d in (q[0] - p[0], q[1] - p[1])]
            moves = " ".join(steps).replace(" -", "-")  # no separator is needed before a minus
            data += f"M{fmt(pts[0][0] / 10)} {fmt(pts[0][1] / 10)}l{moves}z"
    return data


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
    crimea = polygonal(shapely.intersection(shape(layers["crimea"]), ukraine))
    total_h = h + 8 + sum(len(lines) for _, lines in LEGEND) * line + (len(LEGEND) - 1) * 3 + 6
    stroke = f'stroke="{BORDER}" stroke-width=".6" stroke-linejoin="round"'
    (lx, ly), (dx, dy) = px([DONETSK_LABEL, layers["donetsk"].centroid.coords[0]])  # leader line
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{total_h}" '
        f'viewBox="0 0 {w} {total_h}" role="img" aria-labelledby="title desc" '
        'font-family="Helvetica, Arial, sans-serif" fill-rule="evenodd">',
        f'<title id="title">{escape(TITLE)}</title>',
        f'<desc id="desc">{escape(DESC)}</desc>',
        f"<style>.subject{{font-size:13px;font-weight:bold;letter-spacing:1px;fill:{INK}}}"
        f".small,.key{{font-size:11px;fill:{INK}}}.context{{font-size:10px;fill:{MUTED_INK}}}"
        f".context-small{{font-size:9px;fill:{MUTED_INK}}}"
        f".sea{{font-size:11px;font-style:italic;fill:{MUTED_INK}}}"
        f".sea-small{{font-size:8.5px;font-style:italic;fill:{MUTED_INK}}}"
        f".halo{{paint-order:stroke;stroke:{PANEL};stroke-width:2.5px;stroke-linejoin:round}}"
        "</style>",
        '<defs><pattern id="annexed" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{UKRAINE}"/>'
        f'<rect width="2" height="5" fill="{RUSSIA}"/></pattern>'
        f'<clipPath id="map"><rect width="{w}" height="{h}"/></clipPath></defs>',
        f'<g clip-path="url(#map)"><rect width="{w}" height="{h}" fill="{SEA}"/>',
        f'<path id="neighbours" fill="{LAND}" {stroke} d="{path_data(*neighbours)}"/>',
        f'<path id="russia" fill="{RUSSIA}" {stroke} d="{path_data(russia)}"/>',
        f'<path id="ukraine" fill="{UKRAINE}" {stroke} d="{path_data(ukraine)}"/>',
        f'<path id="crimea" fill="url(#annexed)" d="{path_data(crimea)}"/>',
        f'<path id="donetsk" fill="{DONETSK_FILL}" stroke="{INK}" stroke-width="1.2" '
        f'stroke-linejoin="round" d="{path_data(donetsk)}"/>',
        *(text(*px((lon, lat))[0], body, f"{cls} halo") for body, lon, lat, cls in LABELS),
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
        drawn = svg(read_layers(pinned(args.data) if args.data else fetch()))
        if args.check:
            if args.out.is_file() and args.out.read_text(encoding="utf-8") == drawn:
                return 0
            print(f"make_map: {args.out} is out of date: run `make map`", file=sys.stderr)
            return 1
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(drawn, encoding="utf-8", newline="\n")
    except (GeodataError, OSError, sqlite3.Error) as error:
        print(f"make_map: {error}", file=sys.stderr)
        return 2
    print(f"make_map: wrote {args.out} ({len(drawn.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
