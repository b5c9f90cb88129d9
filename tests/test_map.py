"""The infobox map: the script that draws it, the committed SVG, its colours,
and the figure that shows it on the front page and in the PDF."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from bs4 import BeautifulSoup

import make_map as mm
from conftest import Outputs, build, copy_project, edit
from publication import ROOT

SVG = mm.OUTPUT
NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def geodata() -> Path:
    try:
        return mm.fetch()
    except mm.GeodataError as error:
        pytest.skip(f"the pinned geodata is not at hand: {error}")


def test_the_committed_svg_is_what_the_tool_draws(geodata: Path, tmp_path: Path) -> None:
    assert mm.main(["--data", str(geodata), "--check"]) == 0, "run `make map`"
    stale = tmp_path / "map.svg"
    stale.write_text(SVG.read_text(encoding="utf-8").replace("RUSSIA", "X"), encoding="utf-8")
    check = ["--data", str(geodata), "--out", str(stale), "--check"]
    assert mm.main(check) == 1
    assert mm.main(check[:-1]) == 0 and mm.main(check) == 0
    assert stale.read_bytes() == SVG.read_bytes()


def fake_deb(folder: Path) -> Path:
    """A qgis-common package whose world_map.gpkg is not the pinned one."""
    control = "Package: qgis-common\nVersion: 1\nArchitecture: all\nMaintainer: T <t@x.org>\n"
    files = {"DEBIAN/control": f"{control}Description: x\n", mm.GPKG_MEMBER: "another file"}
    for path, text in files.items():
        (folder / "deb" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "deb" / path).write_text(text)
    deb = folder / "qgis-common_1_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", folder / "deb", deb], check=True)
    return deb


@pytest.mark.parametrize(
    ("apt_get", "data", "says"),
    [
        (None, None, "cannot run apt-get: No such file or directory"),
        ("echo 'E: Unable to locate package' >&2; exit 100", None, "E: Unable to locate package"),
        ("cp {deb} .", None, "in qgis-common_1_all.deb is not the pinned world_map.gpkg"),
        ("", "gone.gpkg", "No such file or directory"),
        ("", "other.gpkg", "other.gpkg is not the pinned world_map.gpkg"),
    ],
    ids=["no apt-get", "download fails", "wrong download", "no --data file", "wrong --data file"],
)
def test_a_missing_or_wrong_input_is_reported_in_one_line(
    apt_get: str | None,
    data: str | None,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(mm, "CACHE", tmp_path / "cache")  # nothing fetched yet
    (bin_ := tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(bin_) if apt_get is None else f"{bin_}:{os.environ['PATH']}")
    if apt_get:
        script = apt_get.format(deb=fake_deb(tmp_path) if "{deb}" in apt_get else "")
        (bin_ / "apt-get").write_text(f"#!/bin/sh\n{script}\n")
        (bin_ / "apt-get").chmod(0o755)
    (tmp_path / "other.gpkg").write_bytes(b"not the pinned file")
    out = tmp_path / "map.svg"
    assert mm.main(["--out", str(out), *(["--data", str(tmp_path / data)] if data else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("make_map: ") and err.count("\n") == 1 and says in err, err
    assert not out.exists()


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    return ET.parse(SVG).getroot()  # fails on XML that is not well-formed


def area(svg: ET.Element, name: str) -> shapely.Geometry:
    """The area a <path> fills: make_map's rings ('M x y l dx dy ... z'), even-odd."""
    filled = shapely.Polygon()
    for ring in re.findall(r"M([^z]*)z", svg.find(f".//*[@id='{name}']").get("d")):
        steps = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", ring)]
        polygon = shapely.Polygon(np.cumsum(np.reshape(steps, (-1, 2)), axis=0))
        filled = shapely.symmetric_difference(filled, shapely.make_valid(polygon))
    return filled


def test_svg_is_small_accessible_and_self_contained(svg: ET.Element) -> None:
    text = SVG.read_text(encoding="utf-8")
    assert len(text.encode()) < 40_000
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "title desc"
    assert "Donetsk Oblast" in svg.findtext("svg:title", "", NS)
    assert "Natural Earth" in svg.findtext("svg:desc", "", NS)
    tags = {node.tag.split("}")[1] for node in svg.iter()}
    assert not tags & {"script", "foreignObject", "image", "a", "use"}, tags
    assert not [a for node in svg.iter() for a in node.attrib if a.startswith("on")]
    assert re.findall(r"https?://[^\s\"')]*", text) == [NS["svg"]]
    assert all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", text))


def test_the_areas_are_where_they_are_and_crimea_in_southern_ukraine(svg: ET.Element) -> None:
    names = ("ukraine", "russia", "donetsk", "crimea")
    ukraine, russia, donetsk, crimea = (area(svg, name) for name in names)
    # Donetsk Oblast is about 26,500 km²: ~600 px² at the map's scale.
    assert donetsk.area == pytest.approx(26_500 * mm.PX_PER_KM**2, rel=0.1)
    assert ukraine.area > 10 * donetsk.area and russia.area > ukraine.area
    for other in (ukraine, russia):  # it borders both and overlaps neither
        assert donetsk.buffer(0.5).intersects(other)
        assert donetsk.intersection(other).area < 0.01 * donetsk.area
    assert ukraine.intersection(russia).area < 0.001 * ukraine.area
    assert crimea.area > 100 and crimea.difference(ukraine).area < 0.01 * crimea.area
    assert crimea.intersection(russia).area < 0.01 * crimea.area
    assert crimea.centroid.y > ukraine.centroid.y, "Crimea is not in the south"
    for x0, y0, x1, y1 in (shape.bounds for shape in (ukraine, russia, donetsk)):
        assert x0 >= -2.5 and y0 >= -2.5 and x1 <= mm.WIDTH + 2.5 and y1 <= mm.HEIGHT + 2.5


def test_legend_names_each_area_in_the_articles_words(svg: ET.Element) -> None:
    legend = svg.find(".//svg:g[@id='legend']", NS)
    swatches = [r.get("fill") for r in legend.iterfind("svg:rect", NS)]
    assert swatches == [mm.RUSSIA, mm.UKRAINE, mm.DONETSK_FILL, "url(#annexed)"]
    words = " ".join(t.text for t in legend.iterfind("svg:text", NS))
    assert "Ukraine's Donetsk Oblast, where the DPR was proclaimed in April 2014" in words
    assert "Crimea, annexed by Russia in February–March 2014" in words
    article = (ROOT / "tests/data/article.txt").read_text(encoding="utf-8")
    for phrase in ("Ukraine's Donetsk Oblast", "proclaimed in April 2014", "annexed Crimea"):
        assert phrase in article
    labels = {t.text for t in svg.iterfind(".//svg:text", NS)}
    assert {"RUSSIA", "UKRAINE", "Crimea", "Black Sea", "Donetsk", "Oblast"} <= labels


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
VISIONS = {
    "normal": np.eye(3),
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip
COLOURS = "SEA LAND UKRAINE RUSSIA DONETSK_FILL BORDER INK MUTED_INK FRAME PANEL"  # all of them


def linear_rgb(colour: str) -> np.ndarray:
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str) -> float:
    la, lb = sorted(float(linear_rgb(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b))
    return (lb + 0.05) / (la + 0.05)


def seen_difference(a: str, b: str, vision: str) -> float:
    """CIE76 ΔE between two colours as a reader with that vision sees them (CIELAB, D65)."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    labs = []
    for c in (a, b):
        t = xyz @ np.clip(np.array(VISIONS[vision]) @ linear_rgb(c), 0, 1) / [0.95047, 1, 1.08883]
        f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
        labs.append([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
    return float(np.linalg.norm(np.subtract(*labs)))


def test_colours_meet_wcag_contrast_and_survive_colour_vision_deficiency() -> None:
    fills = (mm.SEA, mm.LAND, mm.UKRAINE, mm.RUSSIA)
    assert all(contrast(mm.INK, fill) >= 4.5 for fill in (*fills, mm.PANEL))  # labels, legend
    assert all(contrast(mm.MUTED_INK, fill) >= 4.5 for fill in (mm.SEA, mm.LAND, mm.PANEL))
    # Boundaries are graphics: 3:1 against the areas they bound (WCAG 1.4.11).
    assert all(contrast(line, fill) >= 3 for line in (mm.BORDER, mm.INK) for fill in fills)
    assert contrast(mm.DONETSK_FILL, mm.UKRAINE) >= 3
    assert contrast(mm.FRAME, "#ffffff") >= 3 and contrast(mm.FRAME, "#131416") >= 3  # furo
    used = set(re.findall(r"#[0-9a-f]{3,6}\b", SVG.read_text(encoding="utf-8").lower()))
    assert used <= {getattr(mm, name).lower() for name in COLOURS.split()}, "untested colours"
    # The simulation tells a red/green pair apart with normal vision only.
    assert seen_difference("#d62728", "#2ca02c", "normal") > 60
    assert seen_difference("#d62728", "#2ca02c", "deuteranopia") < 20
    subjects = {"Ukraine": mm.UKRAINE, "Russia": mm.RUSSIA, "Donetsk": mm.DONETSK_FILL}
    pairs = [*itertools.combinations(subjects.items(), 2)]
    pairs += itertools.product(subjects.items(), {"sea": mm.SEA, "land": mm.LAND}.items())
    for vision, ((a, ca), (b, cb)) in itertools.product(VISIONS, pairs):
        assert seen_difference(ca, cb, vision) >= 20, f"{a} and {b} with {vision}"
    for vision in VISIONS:  # sea and land: the coastline tells them apart too
        assert seen_difference(mm.SEA, mm.LAND, vision) >= 10, vision


def test_the_infobox_shows_the_map_with_alt_text_caption_and_credit(outputs: Outputs) -> None:
    page = BeautifulSoup((outputs.html / "index.html").read_text("utf-8"), "html.parser")
    figure = page.select_one("article[role=main] aside.infobox figure#infobox-map")
    img = figure.select_one("img")
    assert (outputs.html / img["src"]).read_bytes() == SVG.read_bytes()
    assert all(words in img["alt"] for words in ("Ukraine", "Russia", "Donetsk Oblast", "Crimea"))
    caption = " ".join(figure.select_one("figcaption .caption-text").get_text().split())
    said = "Russia and Ukraine's Donetsk Oblast, where the DPR was proclaimed in April 2014"
    assert caption == said
    credit = figure.select_one("figcaption .legend")
    assert "Natural Earth" in credit.get_text() and "public domain" in credit.get_text()
    assert credit.select_one("a")["href"].startswith("https://www.naturalearthdata.com/")


def test_the_pdf_gets_the_map_as_a_vector_figure(outputs: Outputs) -> None:
    def poppler(*cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    text = " ".join(poppler("pdftotext", str(outputs.pdf), "-").split())
    assert "Fig. 1: Russia and Ukraine's Donetsk Oblast, where the DPR was proclaimed" in text
    images = poppler("pdfimages", "-list", str(outputs.pdf)).splitlines()[2:]
    assert images == [], f"raster images in the PDF: {images}"


def test_a_missing_map_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    edit(project / "index.md", "images/donetsk-and-russia.svg", "images/no-such-map.svg")
    result = build("html", project, tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"index\.md:\d+: .*no-such-map\.svg", result.stderr), result.stderr
