"""The infobox map: the script that draws it, the committed SVG, its colours,
and the infobox that shows it on the front page and in the PDF."""

from __future__ import annotations

import itertools
import re
import shutil
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from bs4 import BeautifulSoup
from conftest import ROOT, copy_site, normalise, sphinx_build

sys.path.insert(0, str(ROOT / "tools"))
import make_map

SVG_PATH = make_map.OUTPUT
NS = {"svg": "http://www.w3.org/2000/svg"}
FURO_BACKGROUNDS = {"light": "#ffffff", "dark": "#131416"}


# -- The script ----------------------------------------------------------------


@pytest.fixture(scope="session")
def geodata() -> Path:
    """The pinned Natural Earth GeoPackage, fetched from Debian if need be."""
    try:
        return make_map.fetch()
    except (make_map.GeodataError, OSError) as error:
        pytest.skip(f"cannot regenerate the map: the geodata is not at hand ({error})")


def test_regenerating_gives_the_committed_svg(geodata: Path) -> None:
    drawn = make_map.svg(make_map.read_layers(geodata))
    assert drawn == SVG_PATH.read_text(encoding="utf-8"), (
        f"{SVG_PATH.relative_to(ROOT)} is not what tools/make_map.py draws: run `make map`"
    )
    assert make_map.svg(make_map.read_layers(geodata)) == drawn, "two runs differ"


def test_check_mode_spots_a_stale_svg(geodata: Path, tmp_path: Path) -> None:
    stale = tmp_path / "map.svg"
    stale.write_text(SVG_PATH.read_text(encoding="utf-8").replace("RUSSIA", "X"))
    args = ["--data", str(geodata), "--out", str(stale), "--check"]
    assert make_map.main(args) == 1
    assert make_map.main(["--data", str(geodata), "--out", str(stale)]) == 0
    assert make_map.main(args) == 0


def test_geodata_that_is_not_the_pinned_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "world_map.gpkg"
    other.write_bytes(b"not the pinned file")
    out = tmp_path / "map.svg"
    assert make_map.main(["--data", str(other), "--out", str(out)]) == 2
    assert "is not the pinned world_map.gpkg" in capsys.readouterr().err
    assert not out.exists()


def test_fetch_without_apt_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get on this PATH
    (tmp_path / "world_map.gpkg").write_bytes(b"a stale or broken download")
    with pytest.raises(make_map.GeodataError, match="apt-get is not here"):
        make_map.fetch(tmp_path)


@pytest.mark.parametrize("envelope, size", [(0, 0), (1, 32), (2, 48), (4, 64)])
def test_geopackage_blobs_are_decoded(envelope: int, size: int) -> None:
    square = shapely.box(30, 45, 31, 46)
    flags = (envelope << 1) | 1  # envelope kind, little-endian
    blob = b"GP\x00" + bytes([flags]) + struct.pack("<i", 4326) + b"\x00" * size
    assert make_map.gpkg_geometry(blob + shapely.to_wkb(square)).equals(square)
    with pytest.raises(ValueError, match="GeoPackage"):
        make_map.gpkg_geometry(shapely.to_wkb(square))


def test_projection_is_lambert_conformal_conic() -> None:
    lam = make_map.Lambert((45.0, 52.0), (36.0, 48.5))
    origin = lam.km(np.array([[36.0, 48.5]]))[0]
    assert np.allclose(origin, 0, atol=1e-9)
    # True to scale along both standard parallels (scale factor 1)...
    for lat in (45.0, 52.0):
        a, b = lam.km(np.array([[35.99, lat], [36.01, lat]]))
        along = 2 * np.pi * make_map.EARTH_RADIUS_KM * np.cos(np.radians(lat)) * 0.02 / 360
        assert np.linalg.norm(b - a) == pytest.approx(along, rel=1e-6)
    # ...and larger between them or outside is not: smaller between them.
    a, b = lam.km(np.array([[35.99, 48.5], [36.01, 48.5]]))
    along = 2 * np.pi * make_map.EARTH_RADIUS_KM * np.cos(np.radians(48.5)) * 0.02 / 360
    assert np.linalg.norm(b - a) < along
    # Meridians converge northwards: the central one is straight up.
    north = lam.km(np.array([[36.0, 55.0]]))[0]
    assert north[0] == pytest.approx(0, abs=1e-9) and north[1] > 0


# -- The committed SVG ---------------------------------------------------------


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    return ET.parse(SVG_PATH).getroot()  # fails on XML that is not well-formed


NUMBER = r"-?(?:\d+\.?\d*|\.\d+)"


def path_polygon(d: str) -> shapely.Geometry:
    """Parse the path data make_map writes: rings of 'M x y', relative 'l' moves, 'z'."""
    assert re.fullmatch(r"(M[^Mlz]+l[^Mlz]+z)+", d), f"unexpected path data {d[:40]!r}"
    polygons = []
    for start, moves in re.findall(r"M([^l]*)l([^z]*)z", d):
        x, y = (float(n) for n in re.findall(NUMBER, start))
        ring = [(x, y)]
        steps = [float(n) for n in re.findall(NUMBER, moves)]
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        polygons.append(shapely.Polygon(ring))
    # Holes are drawn as rings of their own (even-odd); the symmetric difference
    # of all rings is the area the path fills.
    filled = shapely.Polygon()
    for polygon in polygons:
        filled = shapely.symmetric_difference(filled, shapely.make_valid(polygon))
    return filled


def area(svg: ET.Element, name: str) -> shapely.Geometry:
    node = svg.find(f".//svg:path[@id='{name}']", NS)
    assert node is not None, f"no <path id={name!r}> in {SVG_PATH.name}"
    return path_polygon(node.get("d", ""))


def test_svg_is_small() -> None:
    size = SVG_PATH.stat().st_size
    assert size < 40_000, f"{SVG_PATH.name} is {size} bytes, over 40 KB"


def test_svg_has_title_and_description(svg: ET.Element) -> None:
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    title, desc = svg.find("svg:title", NS), svg.find("svg:desc", NS)
    assert title is not None and "Donetsk Oblast" in (title.text or "")
    assert desc is not None and "Natural Earth" in (desc.text or "")
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "title desc"
    assert svg.get("viewBox") and svg.get("width") and svg.get("height")


def test_svg_has_no_script_and_no_external_reference() -> None:
    text = SVG_PATH.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    for node in root.iter():
        assert not node.tag.endswith("script"), "script in the map"
        assert not node.tag.endswith(("foreignObject", "image", "a")), node.tag
        for name, value in node.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}"
            if name.endswith("href"):
                assert value.startswith("#"), f"external reference {value}"
    # Besides the namespace, no URL at all: every url() points inside the file.
    assert re.findall(r"https?://[^\s\"')]*", text) == ["http://www.w3.org/2000/svg"]
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", text))
    assert "@import" not in text


def test_three_areas_are_drawn_and_recognisable(svg: ET.Element) -> None:
    ukraine, russia, donetsk = (area(svg, n) for n in ("ukraine", "russia", "donetsk"))
    w, h = make_map.Frame.around(make_map.Lambert(make_map.PARALLELS, make_map.ORIGIN)).size
    # Donetsk Oblast is about 26,500 km²; at the map's scale that is ~600 px².
    expected = 26_500 * make_map.PX_PER_KM**2
    assert donetsk.area == pytest.approx(expected, rel=0.1)
    assert ukraine.area > 10 * donetsk.area and russia.area > ukraine.area
    # Donetsk Oblast borders Russia and the rest of Ukraine, and overlaps neither.
    for other in (ukraine, russia):
        assert donetsk.buffer(0.5).intersects(other)
        assert donetsk.intersection(other).area < 0.01 * donetsk.area
    assert ukraine.intersection(russia).area < 0.001 * ukraine.area
    for shape in (ukraine, russia, donetsk):
        x0, y0, x1, y1 = shape.bounds
        assert x0 >= -2.5 and y0 >= -2.5 and x1 <= w + 2.5 and y1 <= h + 2.5


def test_crimea_is_drawn_in_southern_ukraine(svg: ET.Element) -> None:
    ukraine, russia, crimea = (area(svg, n) for n in ("ukraine", "russia", "crimea"))
    assert crimea.area > 100
    assert crimea.difference(ukraine).area < 0.01 * crimea.area, "Crimea outside Ukraine"
    assert crimea.intersection(russia).area < 0.01 * crimea.area, "Crimea inside Russia"
    assert crimea.centroid.y > ukraine.centroid.y, "Crimea is not in the south"


def texts(svg: ET.Element) -> list[str]:
    return [normalise("".join(t.itertext())) for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_legend_names_each_area_in_the_articles_words(svg: ET.Element) -> None:
    legend = svg.find(".//svg:g[@id='legend']", NS)
    assert legend is not None, "no legend"
    swatches = [r.get("fill") for r in legend.iter("{http://www.w3.org/2000/svg}rect")]
    assert swatches == [make_map.RUSSIA, make_map.UKRAINE, make_map.DONETSK_FILL, "url(#annexed)"]
    words = " ".join(texts(legend))
    for phrase in ("Russia", "Ukraine", "Donetsk Oblast", "DPR was proclaimed in April 2014"):
        assert phrase in words
    assert "Crimea, annexed by Russia in February–March 2014" in words
    # The article's own words, so that the legend takes no side of its own.
    article = (ROOT / "tests/data/article.txt").read_text(encoding="utf-8")
    for phrase in ("Ukraine's Donetsk Oblast", "proclaimed in April 2014", "annexed Crimea"):
        assert phrase in article
    assert {"RUSSIA", "UKRAINE", "Crimea", "Black Sea"} <= set(texts(svg))


# -- Colours -------------------------------------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
MACHADO_2009 = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = {"normal vision": np.eye(3), **{k: np.array(v) for k, v in MACHADO_2009.items()}}


def linear_rgb(colour: str) -> np.ndarray:
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""
    la, lb = (float(linear_rgb(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB colour."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_difference(a: str, b: str, vision: np.ndarray) -> float:
    """CIE76 ΔE between two colours as a reader with that vision sees them."""
    la, lb = (lab(np.clip(vision @ linear_rgb(c), 0, 1)) for c in (a, b))
    return float(np.linalg.norm(la - lb))


def test_the_cvd_simulation_can_tell_red_from_green_apart_only_with_normal_vision() -> None:
    red, green = "#d62728", "#2ca02c"  # a red/green pair, the kind to avoid
    assert seen_difference(red, green, VISIONS["normal vision"]) > 60
    assert seen_difference(red, green, VISIONS["deuteranopia"]) < 20


SUBJECTS = {
    "Ukraine": make_map.UKRAINE,
    "Russia": make_map.RUSSIA,
    "Donetsk": make_map.DONETSK_FILL,
}
CONTEXT = {"sea": make_map.SEA, "neighbours": make_map.LAND}


@pytest.mark.parametrize("vision", VISIONS)
def test_areas_stay_distinguishable_with_colour_vision_deficiency(vision: str) -> None:
    pairs = [
        *itertools.combinations(SUBJECTS.items(), 2),
        *itertools.product(SUBJECTS.items(), CONTEXT.items()),
    ]
    for (a, ca), (b, cb) in pairs:
        difference = seen_difference(ca, cb, VISIONS[vision])
        assert difference >= 20, f"{a} and {b}: ΔE {difference:.1f} with {vision}"
    # Sea and neighbours are context; the coastline tells them apart too.
    assert seen_difference(make_map.SEA, make_map.LAND, VISIONS[vision]) >= 10


def test_text_and_lines_meet_wcag_contrast() -> None:
    # Labels (with a white halo) on every area they sit on, and the legend.
    for fill in (make_map.SEA, make_map.LAND, make_map.UKRAINE, make_map.RUSSIA, make_map.PANEL):
        assert contrast(make_map.INK, fill) >= 4.5, fill
    for fill in (make_map.SEA, make_map.LAND, make_map.PANEL):
        assert contrast(make_map.MUTED_INK, fill) >= 4.5, fill
    # Boundaries are graphics: 3:1 against the areas they bound (WCAG 1.4.11).
    for fill in (make_map.SEA, make_map.LAND, make_map.UKRAINE, make_map.RUSSIA):
        assert contrast(make_map.BORDER, fill) >= 3, fill
        assert contrast(make_map.INK, fill) >= 3, f"Donetsk Oblast's outline on {fill}"
    assert contrast(make_map.DONETSK_FILL, make_map.UKRAINE) >= 3
    # The map's frame stands out on furo's light and dark page.
    for mode, background in FURO_BACKGROUNDS.items():
        assert contrast(make_map.FRAME, background) >= 3, mode


def test_svg_uses_the_tested_colours() -> None:
    text = SVG_PATH.read_text(encoding="utf-8").lower()
    used = set(re.findall(r"#[0-9a-f]{3,6}\b", text))
    tested = {
        c.lower()
        for c in (
            make_map.SEA,
            make_map.LAND,
            make_map.UKRAINE,
            make_map.RUSSIA,
            make_map.DONETSK_FILL,
            make_map.BORDER,
            make_map.INK,
            make_map.MUTED_INK,
            make_map.FRAME,
            make_map.PANEL,
        )
    }
    assert used <= tested, f"colours not checked by these tests: {used - tested}"


# -- The infobox ---------------------------------------------------------------


@pytest.fixture(scope="module")
def front_page(site_html: Path) -> BeautifulSoup:
    return BeautifulSoup((site_html / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_infobox_is_an_aside_before_the_lead(front_page: BeautifulSoup) -> None:
    asides = front_page.select("article[role=main] aside.sidebar")
    assert [a.get("class") for a in asides] == [["infobox", "sidebar"]]
    lead = front_page.select_one("#lead")
    assert lead is not None and asides[0] in lead.find_all_previous("aside")


def test_infobox_holds_the_map_with_caption_alt_text_and_credit(
    front_page: BeautifulSoup, site_html: Path
) -> None:
    figure = front_page.select_one("aside.infobox figure")
    assert figure is not None and figure.get("id") == "infobox-map"
    img = figure.select_one("img")
    assert img["src"] == "_images/donetsk-and-russia.svg"
    assert (site_html / img["src"]).read_bytes() == SVG_PATH.read_bytes()
    alt = img.get("alt", "")
    for words in ("Ukraine", "Russia", "Donetsk Oblast", "Crimea"):
        assert words in alt, f"alt text does not mention {words}"
    caption = normalise(figure.select_one("figcaption .caption-text").get_text())
    assert (
        caption == "Russia and Ukraine's Donetsk Oblast, where the DPR was proclaimed in April 2014"
    )
    credit = figure.select_one("figcaption .legend")
    assert "Natural Earth" in credit.get_text() and "public domain" in credit.get_text()
    assert credit.select_one("a")["href"].startswith("https://www.naturalearthdata.com/")


def test_infobox_style_is_loaded(front_page: BeautifulSoup, site_html: Path) -> None:
    links = [link["href"] for link in front_page.select("link[rel=stylesheet]")]
    assert any(h.startswith("_static/infobox.css") for h in links)
    css = (site_html / "_static/infobox.css").read_text(encoding="utf-8")
    assert "aside.sidebar.infobox" in css and "@media (max-width: 46em)" in css


def test_a_missing_map_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    (site / "images/donetsk-and-russia.svg").unlink()
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"index\.md:\d+: .*donetsk-and-russia\.svg", result.stderr), result.stderr


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="needs rsvg-convert")
def test_pdf_gets_the_map_as_a_vector_figure_with_caption(tmp_path: Path) -> None:
    result = sphinx_build(ROOT, tmp_path, "latex")
    assert result.returncode == 0, result.stderr
    (tex,) = tmp_path.glob("*.tex")
    source = tex.read_text(encoding="utf-8")
    start = source.index(r"\begin{sphinxsidebar}")
    infobox = source[start : source.index(r"\end{sphinxsidebar}", start)]
    assert r"\sphinxincludegraphics{{donetsk-and-russia}.pdf}" in infobox
    assert r"\captionof{figure}{Russia and Ukraine" in infobox
    assert "Natural Earth" in infobox
    pdf = (tmp_path / "donetsk-and-russia.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Image" not in pdf, "the map is not vector"
