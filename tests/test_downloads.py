"""The downloads as Read the Docs publishes them: PDF, EPUB and the offline zip.

They are built by the commands of .readthedocs.yaml (tests/conftest.py,
`outputs`), as an ordinary user with Read the Docs' variables, and read back
with pikepdf and poppler, epubcheck and Ace by DAISY, and a link check.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from subprocess import PIPE
from xml.etree import ElementTree

import pikepdf
import pytest
import yaml

import publication as pub
from build import latex_problems
from check_links import internal
from conftest import Outputs, append, build, read_the_docs_commands

BROWSER_TOOLS = pub.ROOT / "tests" / "browser" / "node_modules" / ".bin"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def text_of(pdf: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True
    ).stdout


def annotations(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [a for page in pdf.pages for a in page.get("/Annots", [])]


# -- Read the Docs builds with the make targets, as a user, with nothing to install ---------


def test_read_the_docs_runs_the_make_targets_for_every_format() -> None:
    config = yaml.safe_load((pub.ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    commands = read_the_docs_commands()
    assert sorted(commands) == sorted(["html", *config["formats"]])
    for fmt, lines in commands.items():
        assert lines == [f"make {fmt} BUILDDIR=$READTHEDOCS_OUTPUT"], fmt


def test_read_the_docs_installs_nothing_and_leaves_no_build_folder(outputs: Outputs) -> None:
    assert "apt-get" not in outputs.log and "pip install" not in outputs.log
    # Read the Docs fails a build that leaves _build/html in the checkout.
    assert not (outputs.html.parent.parent / "_build").exists()


# -- PDF --------------------------------------------------------------------------------


def test_the_pdf_describes_itself(outputs: Outputs) -> None:
    with pikepdf.open(outputs.pdf) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        meta = pdf.open_metadata()
        assert meta["dc:title"] == pub.TITLE and pub.AUTHOR in meta["dc:creator"]
        assert meta["xmpRights:WebStatement"] == pub.LICENCE_URL
        assert pub.LICENCE in meta["dc:rights"]
        assert meta["pdf:Keywords"] and str(pdf.docinfo["/Keywords"])
        assert not re.search(r"pdf(a|ua)id:", str(pdf.Root.Metadata.read_bytes())), "no false claim"
        with pdf.open_outline() as outline:
            assert len(outline.root) >= 4
        links = [a for a in annotations(pdf) if a.Subtype == "/Link"]
        assert links and all(int(a.get("/F", 0)) & 4 for a in links), "links do not print"
        alts = [
            str(operands[1].Alt)
            for page in pdf.pages
            for operands, op in pikepdf.parse_content_stream(page)
            if str(op) == "BDC"
            and isinstance(operands[1], pikepdf.Dictionary)
            and "/Alt" in operands[1]
        ]
    map_alt = re.search(r":alt: (.+)", (pub.ROOT / "index.md").read_text("utf-8")).group(1)
    assert " ".join(map_alt.split()) in alts


def test_the_map_reaches_text_extraction_as_its_caption_not_loose_words(outputs: Outputs) -> None:
    text = text_of(outputs.pdf)
    svg = (pub.ROOT / "images/donetsk-and-russia.svg").read_text(encoding="utf-8")
    before_caption = text[: text.index("Fig. 1")].split("\n")
    assert not [label for label in re.findall(r">([^<]+)</text>", svg) if label in before_caption]


def test_the_pdf_credits_the_article_and_is_typeset_cleanly(outputs: Outputs) -> None:
    first = " ".join(text_of(outputs.pdf, "-l", "1").split())
    assert first.startswith(pub.TITLE)
    for part in (pub.AUTHOR, "by its authors", pub.LICENCE, "Adapted", "is unchanged"):
        assert part in first
    with pikepdf.open(outputs.pdf) as pdf:
        uris = {str(a.A.URI) for a in annotations(pdf) if "/A" in a and "/URI" in a.A}
        assert {pub.source_url(), pub.history_url(), pub.LICENCE_URL} <= uris
        assert [round(float(x)) for x in pdf.pages[0].MediaBox[2:]] == [595, 842]  # A4
    fonts = subprocess.run(["pdffonts", str(outputs.pdf)], capture_output=True, text=True).stdout
    assert all(" yes yes yes " in row for row in fonts.splitlines()[2:]), fonts  # embedded


LOG_FINDINGS = [
    "Overfull \\hbox (12.3pt too wide) in paragraph at lines 104--110",
    "Missing character: There is no Ж (U+0416) in font lmroman10-regular!",
    "LaTeX Warning: Reference `index:lead' on page 1 undefined on input line 9.",
    "LaTeX Font Warning: Font shape `TU/FreeSerif(0)/m/sc' undefined",
    "! Undefined control sequence.",
]


@pytest.mark.parametrize("line", LOG_FINDINGS, ids=lambda s: s[:24])
def test_the_log_check_catches_what_still_gives_a_pdf(tmp_path: Path, line: str) -> None:
    log = tmp_path / "doc.log"
    log.write_text(f"This is XeTeX\nUnderfull \\hbox (badness 1000)\n{line}\n", encoding="utf-8")
    assert latex_problems(log) == [f"{log}:3: {line}"]


def test_a_latex_error_fails_the_pdf_and_keeps_the_published_one(tmp_path: Path) -> None:
    site = pub.copy_project(tmp_path / "site")
    published = tmp_path / "pdf" / f"{pub.NAME}.pdf"
    published.parent.mkdir()
    published.write_text("the published PDF")
    append(site / "see-also" / "index.md", "```{raw} latex\n\\nosuchcommand\n```")
    result = build("pdf", site, tmp_path)
    assert result.returncode != 0 and "Undefined control sequence" in result.stderr
    assert published.read_text() == "the published PDF"


# -- EPUB --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def epub_checks(outputs: Outputs, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """epubcheck's output and Ace by DAISY's report, the two run side by side."""
    if not (BROWSER_TOOLS / "ace-puppeteer").exists():
        pytest.fail(f"{BROWSER_TOOLS / 'ace-puppeteer'} is missing: run `make browser-tools`")
    jar = ["java", "-jar", "/usr/share/java/epubcheck.jar", str(outputs.epub)]
    epubcheck = subprocess.Popen(jar, stdout=PIPE, stderr=subprocess.STDOUT, text=True)
    report = tmp_path_factory.mktemp("ace")
    env = os.environ | {"PUPPETEER_SKIP_DOWNLOAD": "1", "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    cmd = [str(BROWSER_TOOLS / "ace-puppeteer"), "--silent", "--force", "--outdir", str(report)]
    subprocess.run([*cmd, str(outputs.epub)], env=env, capture_output=True, check=False)
    output = epubcheck.communicate()[0] + f"\nexit status {epubcheck.returncode}"
    return output, json.loads((report / "report.json").read_text(encoding="utf-8"))


def test_epubcheck_reports_nothing(epub_checks: tuple[str, dict]) -> None:
    output, _ = epub_checks
    assert "No errors or warnings detected" in output and output.endswith("exit status 0"), output


def test_ace_by_daisy_finds_no_violation(epub_checks: tuple[str, dict]) -> None:
    _, report = epub_checks
    violations = [
        f"{a['earl:testSubject']['url']}: {x['earl:test']['dct:title']}"
        for a in report["assertions"]
        for x in a["assertions"]
    ]
    assert report["earl:result"]["earl:outcome"] == "pass" and not violations, violations


def test_the_epub_declares_what_it_is(outputs: Outputs) -> None:
    with zipfile.ZipFile(outputs.epub) as book:
        opf = book.read("content.opf").decode()
        chapters = {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}
    root = ElementTree.fromstring(opf)
    meta = {(m.get("property"), m.text) for m in root.iter("{http://www.idpf.org/2007/opf}meta")}
    assert {("schema:accessibilityHazard", "none"), ("schema:accessMode", "textual")} <= meta
    assert pub.LICENCE_URL in root.findtext(".//{http://purl.org/dc/elements/1.1/}rights")
    assert 'role="doc-toc"' in chapters.pop("nav.xhtml")
    for name, xhtml in chapters.items():
        assert re.search(r'<html [^>]*lang="en" xml:lang="en"', xhtml), name
        assert xhtml.count('name="viewport"') == 1, name
        assert pub.history_url().replace("&", "&amp;") in xhtml and "Adapted" in xhtml, name


# -- The offline zip ----------------------------------------------------------------------


def test_the_zip_is_whole_offline_with_no_search(outputs: Outputs, tmp_path: Path) -> None:
    with zipfile.ZipFile(outputs.htmlzip) as archive:
        assert {name.split("/")[0] for name in archive.namelist()} == {pub.NAME}
        archive.extractall(tmp_path)
    page = (tmp_path / pub.NAME / "index.html").read_text(encoding="utf-8")
    assert "search.html" not in page and 'role="search"' not in page
    verdicts, _ = internal(tmp_path / pub.NAME, pub.ROOT)
    broken = [v for v in verdicts if v.verdict == "failed"]
    assert verdicts and not broken, broken  # every link and asset resolves inside the zip
    assert 'class="tl-ax"' in page and "sphinx-timeline" not in page


def test_the_pages_of_the_pdf_are_rendered_to_look_at(outputs: Outputs) -> None:
    folder = pub.ROOT / "_build" / "screenshots" / "pdf"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", outputs.pdf, folder / "page"], check=True)
    with pikepdf.open(outputs.pdf) as pdf:
        assert len(list(folder.glob("page-*.png"))) == len(pdf.pages)
