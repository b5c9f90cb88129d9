"""The infobox map: the script that draws it, the SVG, its colours, its figure in HTML and PDF."""

import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from bs4 import BeautifulSoup

import make_map as mm
from conftest import Outputs, build, edit
from publication import copy_project

SVG = mm.OUTPUT
BAD_INPUTS = {  # apt-get's script (None: there is none), --data, what the one line says
    "no apt-get": (None, None, "cannot run apt-get: No such file or directory"),
    "download fails": ("echo E: Unable to locate package >&2; exit 1", None, "E: Unable to locate"),
    "wrong download": ("cp ../../fake.deb .", None, "in fake.deb is not the pinned world_map.gpkg"),
    "no --data file": (None, "gone.gpkg", "No such file or directory"),
    "wrong --data file": (None, "fake.deb", "fake.deb is not the pinned world_map.gpkg"),
}
# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB: one matrix a line, by rows.
CVD = np.reshape([
    0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998,
    0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.011820, 0.042940, 0.968881,
    1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.303900,
], (3, 3, 3))  # fmt: skip
VISIONS = {"normal": np.eye(3), "protanopia": CVD[0], "deuteranopia": CVD[1], "tritanopia": CVD[2]}
XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
COLOURS = "SEA LAND UKRAINE RUSSIA DONETSK_FILL BORDER INK MUTED_INK FRAME PANEL"  # all of them


def test_the_committed_svg_is_what_the_tool_draws(tmp_path: Path) -> None:
    try:
        data = ["--data", str(mm.fetch())]
    except mm.GeodataError as error:
        pytest.skip(f"the pinned geodata is not at hand: {error}")
    assert mm.main([*data, "--check"]) == 0, "run `make map`"
    (stale := tmp_path / "map.svg").write_bytes(SVG.read_bytes().replace(b"RUSSIA", b"X"))
    assert mm.main([*data, "--out", str(stale), "--check"]) == 1
    assert mm.main([*data, "--out", str(stale)]) == 0 and stale.read_bytes() == SVG.read_bytes()


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_a_missing_or_wrong_input_is_reported_in_one_line(
    case: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    apt_get, data, says = case
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mm, "CACHE", Path("cache"))  # nothing fetched yet
    control = "Package: qgis-common\nVersion: 1\nArchitecture: all\nMaintainer: T <t@x.org>\n"
    for path, text in {"DEBIAN/control": f"{control}Description: x\n", mm.GPKG_MEMBER: "x"}.items():
        Path("deb", path).parent.mkdir(parents=True, exist_ok=True)
        Path("deb", path).write_text(text)  # a qgis-common with another world_map.gpkg
    subprocess.check_call(["dpkg-deb", "--root-owner-group", "-b", "deb", "fake.deb"])
    if apt_get:
        Path("apt-get").write_text(f"#!/bin/sh\n{apt_get}\n")
        Path("apt-get").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path), prepend=":" if apt_get else None)
    assert mm.main(["--out", "map.svg", *(["--data", data] if data else [])]) == 2
    err = capsys.readouterr().err
    assert err.startswith("make_map: ") and err.count("\n") == 1 and says in err, err
    assert not Path("map.svg").exists()


def test_the_svg_is_accessible_self_contained_and_shows_each_area_in_the_articles_words() -> None:
    text, svg = SVG.read_text(encoding="utf-8"), ET.parse(SVG).getroot()  # well-formed
    assert len(text.encode()) < 40_000
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "title desc"
    assert "Donetsk Oblast" in svg.findtext("{*}title")
    assert "Natural Earth" in svg.findtext("{*}desc")
    # Nothing to run or fetch: no script, event handler or link, no URL but its own.
    assert not re.search(r"<(script|foreignObject|image|a|use)\b|\son\w+=|url\((?!#)", text)
    assert re.findall(r"https?://[^\s\"')]*", text) == ["http://www.w3.org/2000/svg"]
    filled = {}  # what each path fills: make_map's rings ('M x y l dx dy ... z'), even-odd
    for name in ("ukraine", "russia", "donetsk", "crimea"):
        filled[name] = shapely.Polygon()
        for ring in re.findall(r"M([^z]*)z", svg.find(f".//*[@id='{name}']").get("d")):
            steps = [float(n) for n in re.findall(r"-?(?:\d+\.?\d*|\.\d+)", ring)]
            polygon = shapely.Polygon(np.cumsum(np.reshape(steps, (-1, 2)), axis=0))
            filled[name] = shapely.symmetric_difference(filled[name], shapely.make_valid(polygon))
    ukraine, russia, donetsk, crimea = filled.values()
    # Donetsk Oblast is about 26,500 km²: ~600 px² at the map's scale.
    assert donetsk.area == pytest.approx(26_500 * mm.PX_PER_KM**2, rel=0.1)
    assert ukraine.area > 10 * donetsk.area and russia.area > ukraine.area
    for other in (ukraine, russia):  # it borders both and overlaps neither
        assert donetsk.buffer(0.5).intersects(other) and (donetsk & other).area < donetsk.area / 100
    assert (ukraine & russia).area < ukraine.area / 1000
    assert crimea.area > 100 and (crimea - ukraine).area < crimea.area / 100
    assert (crimea & russia).area < crimea.area / 100, "Crimea is drawn in Ukraine"
    assert crimea.centroid.y > ukraine.centroid.y, "Crimea is not in the south"
    assert svg.find(".//*[@id='crimea']").get("fill") == "url(#annexed)"  # hatched
    frame = shapely.box(-2.5, -2.5, mm.WIDTH + 2.5, mm.HEIGHT + 2.5)  # the map, and its margin
    assert frame.contains(ukraine | russia | donetsk)
    legend = svg.find(".//*[@id='legend']")
    swatches = [r.get("fill") for r in legend.iterfind("{*}rect")]
    assert swatches == [mm.RUSSIA, mm.UKRAINE, mm.DONETSK_FILL, "url(#annexed)"]
    words = " ".join(t.text for t in legend.iterfind("{*}text"))
    assert "Ukraine's Donetsk Oblast, where the DPR was proclaimed in April 2014" in words
    assert "Crimea, annexed by Russia in February–March 2014" in words
    article = (mm.ROOT / "tests/data/article.txt").read_text(encoding="utf-8")
    phrases = ("Ukraine's Donetsk Oblast", "proclaimed in April 2014", "annexed Crimea")
    assert all(phrase in article for phrase in phrases), "the legend's words are the article's"
    labels = {t.text for t in svg.iterfind(".//{*}text")}
    assert {"RUSSIA", "UKRAINE", "Crimea", "Black Sea", "Donetsk", "Oblast"} <= labels


def seen(colour: str, vision: str = "normal") -> tuple[float, np.ndarray]:
    """WCAG's luminance and the CIELAB (D65) of a colour, as a reader with that vision sees it."""
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    t = XYZ @ np.clip(VISIONS[vision] @ linear, 0, 1) / [0.95047, 1, 1.08883]
    fx, fy, fz = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return float(t[1]), np.array([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)])


def contrast(a: str, b: str) -> float:
    dark, light = sorted(seen(c)[0] for c in (a, b))
    return (light + 0.05) / (dark + 0.05)


def seen_difference(a: str, b: str, vision: str) -> float:  # CIE76 ΔE
    return float(np.linalg.norm(seen(a, vision)[1] - seen(b, vision)[1]))


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
    areas = ("UKRAINE", "RUSSIA", "DONETSK_FILL", "SEA", "LAND")
    for vision, (a, b) in itertools.product(VISIONS, itertools.combinations(areas, 2)):
        least = 10 if {a, b} == {"SEA", "LAND"} else 20  # sea and land: a coastline between
        assert seen_difference(getattr(mm, a), getattr(mm, b), vision) >= least, (a, b, vision)


def test_the_infobox_and_the_pdf_show_the_map(outputs: Outputs) -> None:
    page = BeautifulSoup((outputs.html / "index.html").read_text("utf-8"), "html.parser")
    figure = page.select_one("article[role=main] aside.infobox figure#infobox-map")
    img, credit = figure.select_one("img"), figure.select_one("figcaption .legend")
    assert (outputs.html / img["src"]).read_bytes() == SVG.read_bytes()
    assert all(words in img["alt"] for words in ("Ukraine", "Russia", "Donetsk Oblast", "Crimea"))
    said = "Russia and Ukraine's Donetsk Oblast, where the DPR was proclaimed in April 2014"
    assert " ".join(figure.select_one("figcaption .caption-text").get_text().split()) == said
    assert "Natural Earth" in credit.get_text() and "public domain" in credit.get_text()
    assert credit.select_one("a")["href"].startswith("https://www.naturalearthdata.com/")
    text = " ".join(subprocess.check_output(["pdftotext", outputs.pdf, "-"], text=True).split())
    assert f"Fig. 1: {said}" in text
    images = subprocess.check_output(["pdfimages", "-list", outputs.pdf], text=True)
    assert images.splitlines()[2:] == [], f"the PDF has the map as a raster image: {images}"


def test_a_missing_map_fails_the_build_naming_file_and_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    edit(project / "index.md", "images/donetsk-and-russia.svg", "images/no-such-map.svg")
    result = build("html", project, tmp_path / "out")
    assert result.returncode != 0
    assert re.search(r"index\.md:\d+: .*no-such-map\.svg", result.stderr), result.stderr
