"""What the project promises, proved in throwaway copies with faults planted.

The article's text is checked in every output; every build is strict every
time; a build is published whole or not at all; only content is content;
bad input fails naming its file and line; a valid new page or event needs
no other edit; one commit always gives the same bytes.
"""

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from article_text import check, page_sources, read_article
from build import source_date_epoch
from conftest import Outputs, append, build, edit, latex, tool
from publication import EVENTS, NAME, copy_project

TOC_ENTRY = "\nofficial-relations\n"  # in relations/index.md's toctree: add a page after it
DATA_WARNING = "WARNING: timeline data: event"


def plant_word_changes(site: Path) -> dict[str, str]:
    """In each body paragraph, one word changed in its Markdown; returns word -> changed word."""
    changed, sources = {}, page_sources(site)
    for section in read_article():
        page = site / sources[section.heading]
        for paragraph in section.paragraphs:
            text = page.read_text(encoding="utf-8")
            shown = re.sub(r"\]\([^)]*\)", "]", text)  # link targets aside, a word once in the page
            word = next(w for w in re.findall(r"[A-Za-z]{6,}", paragraph) if shown.count(w) == 1)
            changed[word] = word[::-1].capitalize()
            page.write_text(text.replace(word, changed[word], 1), encoding="utf-8")  # [text](...)
    return changed


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, str]]:
    """A copy with one word changed in each paragraph, built as HTML, EPUB, zip and PDF."""
    tmp = tmp_path_factory.mktemp("planted")
    site = copy_project(tmp / "site")
    changed = plant_word_changes(site)
    # Also what the PDF must take in its stride: Cyrillic, and an SVG figure (as a vector).
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60"/></svg>'
    (site / "images" / "probe.svg").write_text(svg, encoding="utf-8")
    append(site / "see-also" / "index.md", "```{note}\nДонецк and Донецьк.\n```")  # noqa: RUF001
    append(site / "see-also" / "index.md", "```{figure} /images/probe.svg\n:alt: A probe.\n```")
    out = tmp / "out"
    for fmt in ("html", "epub", "htmlzip"):
        assert build(fmt, site, out).returncode == 0
    latex(site, out / "latex")  # the PDF's text needs one xelatex run, not latexmk's several
    xelatex = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{NAME}.tex"]
    subprocess.run(xelatex, cwd=out / "latex", check=True, capture_output=True)
    files = {"html": "html", "epub": f"epub/{NAME}.epub", "htmlzip": f"htmlzip/{NAME}.zip"}
    return {k: out / f for k, f in files.items()} | {"pdf": out / f"latex/{NAME}.pdf"}, changed


@pytest.mark.parametrize("kind", ["html", "epub", "htmlzip", "pdf"])
def test_a_changed_word_is_caught_in_every_paragraph_and_output(planted: tuple, kind: str) -> None:
    outputs, changed = planted
    problems, _ = check(kind, outputs[kind])
    report = "\n".join(problems)
    for word, new in changed.items():
        assert f"[-{word}" in report or f"{{+{new}" in report, f"{kind}: {word} -> {new} not caught"
    sources = {page_sources()[s.heading] for s in read_article() if s.paragraphs}
    assert {p.split(":")[0] for p in problems} == sources  # each named by its Markdown file


def test_the_pdf_takes_cyrillic_and_keeps_an_svg_a_vector(planted: tuple) -> None:
    pdf = planted[0]["pdf"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Донецк and Донецьк" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    assert images.stdout.splitlines()[2:] == [], f"a figure was rasterised: {images.stdout}"


# -- Strict on every build; published whole or not at all --------------------------------


def test_a_broken_reference_fails_every_build_naming_file_and_line(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    page = site / "relations" / "official-relations.md"
    page.write_text(page.read_text("utf-8") + "\nSee [x](#no-such-label).\n", encoding="utf-8")
    line = len(page.read_text("utf-8").splitlines())
    for _ in range(2):  # the second build, with nothing changed, fails too
        stderr = build("html", site, tmp_path / "out").stderr
        assert f"official-relations.md:{line}:" in stderr and "no-such-label" in stderr


def test_an_interrupted_build_leaves_the_published_site_as_it_was(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    marker = tmp_path / "html" / "marker.txt"
    marker.parent.mkdir()
    marker.write_text("the published build", encoding="utf-8")
    # As Ctrl-C in a terminal: SIGINT (which a harness may have made ignored: undone).
    ctrl_c = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    running = tool(site, "build.py", "html", "--outdir", tmp_path, popen=True, preexec_fn=ctrl_c)
    while not (tmp_path / ".partial/html/sphinx/_static").exists() and running.poll() is None:
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    stderr = running.communicate(timeout=60)[1]
    assert running.returncode != 0 and "unchanged" in stderr, stderr
    assert marker.read_text(encoding="utf-8") == "the published build"
    assert build("html", site, tmp_path).returncode == 0  # the next build is whole again
    assert not marker.exists() and (tmp_path / "html" / "search.html").is_file()


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    runs = [tool(site, "build.py", "html", "--outdir", tmp_path, popen=True) for _ in range(2)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert any("another html build is writing" in e for e in errors), errors


# -- Bad input is named; a valid new page or event needs no other edit ---------------------


def test_make_check_names_each_fault_with_its_file_and_line(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    edit(site / "background" / "index.md", "declaring independence", "declaring secession")
    result = tool(site, "check.py", "--outdir", tmp_path / "one")
    assert result.returncode == 1 and "check: FAILED" in result.stdout.splitlines()[-1]
    assert "background/index.md: paragraph 1 of 'Background' differs" in result.stdout
    assert "[-independence-] {+secession+}" in result.stdout
    # What the strict build finds: broken references, page rules, bad data.
    see_also = site / "see-also" / "index.md"
    edit(see_also, "# See also\n", "# See also\n\n# A second title\n\n[x](#no/label)\n")
    edit(see_also, "- [Foreign", "(background/referendum)=\n- [Foreign")
    edit(site / "relations" / "index.md", TOC_ENTRY, f"{TOC_ENTRY}Odd_Name\nnowhere\n")
    (site / "relations" / "Odd_Name.md").write_text("# Odd\n\nA page without a description.\n")
    text = (site / EVENTS).read_text("utf-8")
    (site / EVENTS).write_text(text.replace("relations/unofficial", "relations/nowhere", 1))
    line = text[: text.index("relations/unofficial")].count("\n") + 1
    edit(site / EVENTS, "  date: 2022-02-16", "  date: 2022-02-30")
    stderr = tool(site, "check.py", "--outdir", tmp_path / "two").stderr
    assert re.search(r"see-also/index\.md:\d+: WARNING: .*no/label", stderr)
    missing = "WARNING: .*nonexisting document 'relations/nowhere'"
    assert re.search(rf"relations/index\.md:\d+: {missing}", stderr)
    assert "see-also/index.md: WARNING: a page has one level-1 heading, this one 2" in stderr
    assert "relations/Odd_Name.md: WARNING: page name 'relations/Odd_Name'" in stderr
    assert "relations/Odd_Name.md: WARNING: no description" in stderr
    twice = r"label 'background/referendum' is declared more than once: background/index\.md:\d+"
    assert re.search(rf"{twice}, see-also/index\.md:\d+", stderr)
    assert f"{EVENTS}:{line}: {DATA_WARNING} 'pensions-stopped', field 'section'" in stderr
    assert re.search(rf"{EVENTS}:\d+: {DATA_WARNING} 'duma-resolution', field 'date'", stderr)
    assert "Traceback" not in stderr and "FAILED" in stderr


def test_a_new_page_and_event_appear_everywhere_and_stray_notes_never(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    (site / "relations" / "aftermath.md").write_text(
        '---\nmyst:\n  html_meta:\n    description: "A page added by a test."\n---\n\n'
        "(relations/aftermath)=\n# Aftermath\n\nA note of the project's own.\n",
        encoding="utf-8",
    )
    edit(site / "relations" / "index.md", TOC_ENTRY, f"{TOC_ENTRY}aftermath\n")
    append(
        site / EVENTS,
        "- id: referendum-deemed-illegal\n  precision: none\n  after: dpr-referendum\n"
        "  title: The referendum deemed illegal\n  summary: The referendum was illegal.\n"
        "  section: background/referendum",
    )
    # Only the content folders hold pages: notes anywhere else are never read as one.
    for folder in ["tools", "_ext", "_data", "images", ".github", "tests", "benchmarks", ".notes"]:
        (site / folder).mkdir(exist_ok=True)
        (site / folder / "NOTES.md").write_text("# Notes\n\nNot a page.\n", encoding="utf-8")
    result = tool(site, "check.py", "--outdir", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    html = tmp_path / "out" / "html"
    assert not list(html.rglob("NOTES.html"))
    for page in [p for p in html.rglob("*.html") if not p.name.startswith(("search", "404"))]:
        assert "aftermath.html" in page.read_text("utf-8"), f"{page} does not list the new page"
    assert "relations/aftermath.html" in (html / "sitemap.xml").read_text("utf-8")
    timeline = (html / "timeline" / "index.html").read_text("utf-8")
    assert 'id="timeline-referendum-deemed-illegal"' in timeline
    assert 'href="#timeline-referendum-deemed-illegal"' in timeline  # the picture moved too


# -- One commit, the same bytes -------------------------------------------------------------


def test_a_second_build_elsewhere_gives_the_same_bytes(outputs: Outputs, tmp_path: Path) -> None:
    """Read the Docs' build (conftest) and one in another folder, with another hash seed."""
    site = copy_project(tmp_path / "elsewhere" / "site", git=True)
    env = {"PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": source_date_epoch()}  # as Read the Docs
    env["READTHEDOCS_CANONICAL_URL"] = f"https://{NAME}.readthedocs.io/en/latest/"
    for fmt in ("html", "epub", "htmlzip"):
        assert build(fmt, site, tmp_path / "out", env=env).returncode == 0
    latex(site, tmp_path / "out" / "latex", env=env)
    out, theirs = tmp_path / "out", outputs.html.parent
    files = [p.relative_to(out) for p in out.rglob("*") if p.is_file()]
    differ = [f for f in files if (out / f).read_bytes() != (theirs / f).read_bytes()]
    assert files and not differ, f"the builds differ in {differ}"


def test_a_known_revision_is_linked_and_named_in_every_credit(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    edit(site / "_ext/publication.py", "REVISION: int | None = None", "REVISION = 7")
    assert build("html", site, tmp_path / "out").returncode == 0
    credit = (tmp_path / "out" / "html" / "see-also" / "index.html").read_text("utf-8")
    assert "oldid=7" in credit and "(revision 7)" in credit
    tex = (latex(site, tmp_path / "tex") / f"{NAME}.tex").read_text("utf-8")
    assert r"\newcommand*{\articlerevision}{7}" in tex and r"oldid=7" in tex
