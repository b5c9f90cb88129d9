"""The PDF: `make latexpdf` builds it strictly, and it holds the whole article.

The PDF is read back with poppler's pdftotext/pdftohtml/pdfinfo/pdffonts, the
way a reader's viewer sees it, not from the LaTeX source.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    ROOT,
    Article,
    copy_site,
    make,
    make_ok,
    normalise,
    read_article,
    sphinx_conf,
    timeline_titles,
)

ARTICLE = read_article()
CONF = sphinx_conf()
DOC_NAME: str = CONF["DOC_NAME"]
CHECK_LOG = ROOT / "tools" / "check-latex-log.py"


def poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, without the page number in its footer."""
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)), re.M).group(1))
    texts = []
    for number in range(1, pages + 1):
        lines = poppler("pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-")
        lines = lines.replace("\f", "").rstrip().splitlines()
        if lines and lines[-1].strip() == str(number):
            lines.pop()
        texts.append("\n".join(lines))
    return texts


def reflow(text: str) -> str:
    """pdftotext's lines as running text.

    Words are never hyphenated in this PDF (conf.py), so a line that ends in
    a hyphen or dash ends with the article's own character and the next line
    continues the word; any other line break is a space.
    """
    return normalise(re.sub(r"([-–—])\n", r"\1", text))


def internal_link_text(pdf: Path) -> str:
    """The text of every link that points inside the PDF, in order."""
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", str(pdf))
    own = re.escape(pdf.stem)
    texts = re.findall(rf'<a href="{own}\.html#\d+">(.*?)</a>', xml, re.S)
    return normalise(" ".join(re.sub(r"<[^>]+>", "", t) for t in texts)).replace("&#39;", "'")


def site_pages() -> list[Path]:
    """The Markdown pages of the site (not the README, tests or tools)."""
    return [
        page
        for page in ROOT.rglob("*.md")
        if page.relative_to(ROOT).parts[0] in {"index.md", "background", "relations", "see-also"}
    ]


def external_links(pdf: Path) -> set[str]:
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", str(pdf))
    return set(re.findall(r'<a href="(https?://[^"]+)"', xml))


@pytest.fixture(scope="session")
def latex_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make latexpdf` run as a reader would, into a temporary build folder."""
    return make_ok("latexpdf", tmp_path_factory.mktemp("pdf-build")) / "latex"


@pytest.fixture(scope="session")
def pdf(latex_dir: Path) -> Path:
    return latex_dir / f"{DOC_NAME}.pdf"


@pytest.fixture(scope="session")
def pages(pdf: Path) -> list[str]:
    return page_texts(pdf)


@pytest.fixture(scope="session")
def text(pages: list[str]) -> str:
    return reflow("\n".join(pages))


def test_make_latexpdf_is_strict_and_clean(latex_dir: Path) -> None:
    assert (latex_dir / f"{DOC_NAME}.pdf").is_file()
    # The target ran the log check; run it again to see it pass on its own.
    check = subprocess.run([sys.executable, CHECK_LOG, str(latex_dir)], capture_output=True)
    assert check.returncode == 0, check.stderr


def test_makefile_names_the_pdf_as_conf_does() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^DOC_NAME := {re.escape(DOC_NAME)}$", makefile, re.M)


@pytest.mark.parametrize("sentence", ARTICLE.sentences, ids=lambda s: s[:50])
def test_every_sentence_is_in_the_pdf(text: str, sentence: str) -> None:
    assert sentence in text, f"missing from the PDF text, word for word: {sentence!r}"


def test_straight_quotes_stay_straight(text: str) -> None:
    assert "Ukraine's Donetsk Oblast" in text
    assert '"Republic of Crimea"' in text
    curly = "\u2018\u2019\u201c\u201d"
    assert not re.search(f"[{curly}]", text)


def test_sections_come_in_the_site_order(text: str, article: Article) -> None:
    body = text[text.index(article.sentences[0]) :]  # after the title block and contents
    positions = [body.find(heading) for heading in article.headings]
    assert -1 not in positions, dict(zip(article.headings, positions, strict=True))
    assert positions == sorted(positions), article.headings


def test_title_block_credits_the_article(pages: list[str], article: Article) -> None:
    first = reflow(pages[0])
    assert first.startswith(article.title + " Wikipedia contributors ")
    assert "CC BY-SA 4.0" in first
    assert f"Source: {CONF['SOURCE_ARTICLE_URL']}" in first
    assert f"Licence: {CONF['LICENCE_URL']}" in first
    # No empty or default lines from Sphinx's title page.
    assert "Release" not in first and "Contents" in first


def test_credit_links_to_the_source_and_the_licence(pdf: Path) -> None:
    links = external_links(pdf)
    assert CONF["SOURCE_ARTICLE_URL"] in links
    assert CONF["LICENCE_URL"] in links


def test_metadata_names_title_and_authors(pdf: Path, article: Article) -> None:
    info = poppler("pdfinfo", str(pdf))
    assert re.search(rf"^Title:\s+{re.escape(article.title)}$", info, re.M), info
    assert re.search(r"^Author:\s+Wikipedia contributors$", info, re.M), info
    assert re.search(r"^Page size:.*\(A4\)$", info, re.M), info


def test_cross_references_are_pdf_links(pdf: Path) -> None:
    linked = internal_link_text(pdf)
    sources = [p.read_text(encoding="utf-8") for p in site_pages()]
    cross_refs = {normalise(t) for s in sources for t in re.findall(r"\[([^\]]+)\]\(#[^)]+\)", s)}
    assert cross_refs, "no cross-references found in the Markdown"
    missing = sorted(t for t in cross_refs if t not in linked)
    assert not missing, f"cross-references that are not links in the PDF: {missing}"


def test_external_links_are_footnotes(text: str, article: Article) -> None:
    for item in article.see_also:
        assert item in text
    # The URL of each See also link is printed (in a footnote) for paper readers.
    for url in re.findall(r"\]\(wiki:([^)]+)\)", (ROOT / "see-also/index.md").read_text()):
        page = url.replace("%27", "'")
        assert f"https://en.wikipedia.org/wiki/{page}" in text


def test_no_blank_page_and_no_index(pages: list[str]) -> None:
    for number, page in enumerate(pages, start=1):
        assert len(page.split()) > 40, f"page {number} is (nearly) blank: {page!r}"
    assert not any(re.match(r"\s*Index\b", page) for page in pages)


def test_fonts_are_the_free_fonts_and_embedded(pdf: Path) -> None:
    rows = poppler("pdffonts", str(pdf)).splitlines()[2:]
    names = [row.split()[0].split("+")[-1] for row in rows]
    assert any(name.startswith("FreeSerif") for name in names), names
    assert any(name.startswith("FreeSans") for name in names), names
    assert all(" yes yes yes " in row for row in rows), rows  # embedded, subset, Unicode


def test_timeline_events_are_in_the_pdf(text: str) -> None:
    titles = timeline_titles()
    assert titles, "the events file lists no events"
    missing = [t for t in titles if normalise(t) not in text]
    assert not missing, f"timeline events missing from the PDF: {missing}"


# -- Faults: a LaTeX error and a bad line fail `make latexpdf` ----------------


def plant_paragraph(site: Path, text: str) -> None:
    page = site / "background" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_a_latex_error_fails_make_latexpdf(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    plant_paragraph(site, "```{raw} latex\n\\nosuchcommand\n```")
    result = make("latexpdf", tmp_path / "build", site)
    assert result.returncode != 0
    log = (tmp_path / "build" / "latex" / f"{DOC_NAME}.log").read_text(errors="replace")
    assert "Undefined control sequence" in log and "\\nosuchcommand" in log


def test_an_overfull_line_fails_make_latexpdf(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    plant_paragraph(site, "Unbreakable: " + "x" * 150 + ".")
    result = make("latexpdf", tmp_path / "build", site)
    assert result.returncode != 0
    assert "Overfull \\hbox" in result.stderr, result.stderr
    assert f"{DOC_NAME}.log:" in result.stderr  # names the log and the line


def test_cyrillic_and_an_svg_figure_build_clean(tmp_path: Path) -> None:
    """A Russian name needs no change; an SVG becomes a vector PDF figure."""
    site = copy_site(tmp_path / "site")
    (site / "_static" / "probe-map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
        "<title>Probe</title>"
        '<rect x="10" y="10" width="280" height="180" fill="#cde" stroke="#234"/></svg>',
        encoding="utf-8",
    )
    plant_paragraph(
        site,
        "```{figure} /_static/probe-map.svg\n:alt: A probe.\n:width: 50%\n\n"
        "Донецк and Донецьк, a probe caption.\n```",
    )
    build = tmp_path / "build"
    result = make("latexpdf", build, site)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    latex = build / "latex"
    assert (latex / "probe-map.pdf").is_file(), "the SVG was not converted to PDF"
    assert "{probe-map}.pdf}" in (latex / f"{DOC_NAME}.tex").read_text(encoding="utf-8")
    pdf = latex / f"{DOC_NAME}.pdf"
    assert "Донецк and Донецьк" in reflow("\n".join(page_texts(pdf)))
    images = poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert images == [], f"the figure was rasterised: {images}"


# -- The log check itself ----------------------------------------------------

LOG_FINDINGS = [
    "Overfull \\hbox (12.3pt too wide) in paragraph at lines 104--110",
    "Missing character: There is no Ж (U+0416) in font lmroman10-regular!",
    "LaTeX Warning: Reference `index:lead' on page 1 undefined on input line 9.",
    "LaTeX Warning: There were undefined references.",
    "LaTeX Font Warning: Font shape `TU/FreeSerif(0)/m/sc' undefined",
    "! Undefined control sequence.",
]


@pytest.mark.parametrize("line", LOG_FINDINGS, ids=lambda s: s[:30])
def test_log_check_fails_on(tmp_path: Path, line: str) -> None:
    log = tmp_path / "doc.log"
    log.write_text(f"This is XeTeX\nsome line\n{line}\nmore\n", encoding="utf-8")
    result = subprocess.run([sys.executable, CHECK_LOG, str(log)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{log}:3: {line}" in result.stderr


def test_log_check_passes_a_clean_log_and_fails_a_missing_one(tmp_path: Path) -> None:
    log = tmp_path / "doc.log"
    log.write_text("This is XeTeX\nUnderfull \\hbox (badness 1000)\nOutput written\n")
    ok = subprocess.run([sys.executable, CHECK_LOG, str(log)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    gone = subprocess.run(
        [sys.executable, CHECK_LOG, str(tmp_path / "nothing.log")], capture_output=True, text=True
    )
    assert gone.returncode == 1 and "no such LaTeX log" in gone.stderr
