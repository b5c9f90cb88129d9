"""What the project promises, proved in throwaway copies with faults planted.

The article's text is checked in every output; every build is strict every
time; a build is published whole or not at all; only content is content;
bad input fails naming its file and line; a valid new page or event needs
no other edit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from article_text import check, page_sources, read_article
from build import source_date_epoch
from conftest import Outputs, build, copy_project, edit
from publication import CONTENT, EVENTS, NAME


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project, shared by the tests that build it as it is."""
    return copy_project(tmp_path_factory.mktemp("project") / "site")


# -- The article's text: a one-word change in any paragraph is caught everywhere ----------


def plant_word_changes(site: Path) -> dict[str, str]:
    """In each body paragraph, one word changed in its Markdown; returns word -> changed word."""
    changed = {}
    sources = page_sources(site)
    for section in read_article():
        page = site / (sources[section.heading] if section.level > 1 else "index.md")
        for paragraph in section.paragraphs:
            text = page.read_text(encoding="utf-8")
            # The Markdown line whose text, links aside, holds the paragraph.
            line = next(
                x
                for x in text.splitlines()
                if paragraph in re.sub(r"\]\([^)]*\)", "", x).replace("[", "")
            )
            parts = re.split(r"(\]\([^)]*\))", line)  # odd parts are link targets
            text_parts = parts[::2]
            words = re.findall(r"[A-Za-z]{6,}", paragraph)
            word = next(
                w for w in words if sum(t.count(w) for t in text_parts) == 1 and w not in changed
            )
            new = word[::-1].capitalize()
            i = next(i for i in range(0, len(parts), 2) if word in parts[i])
            parts[i] = parts[i].replace(word, new)
            edit(page, line, "".join(parts))
            changed[word] = new
    return changed


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, str]]:
    """A copy with one word changed in each paragraph, built as HTML, EPUB, zip and PDF."""
    tmp = tmp_path_factory.mktemp("planted")
    site = copy_project(tmp / "site")
    changed = plant_word_changes(site)
    # Also what the PDF must take in its stride: Cyrillic, and an SVG figure (as a vector).
    (site / "images" / "probe.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><title>Probe</title>'
        '<rect width="60" height="40" fill="#cde"/></svg>',
        encoding="utf-8",
    )
    with (site / "see-also" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\n```{note}\nДонецк and Донецьк.\n```\n")  # noqa: RUF001 (Cyrillic)
        page.write("\n```{figure} /images/probe.svg\n:alt: A probe.\n```\n")
    out = tmp / "out"
    for fmt in ("html", "epub", "htmlzip"):
        assert build(fmt, site, out).returncode == 0
    # The PDF's text needs one xelatex run, not latexmk's several.
    sphinx = [sys.executable, "-m", "sphinx", "-b", "latex", "-q", str(site), str(out / "latex")]
    subprocess.run(sphinx, check=True)
    xelatex = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{NAME}.tex"]
    subprocess.run(xelatex, cwd=out / "latex", check=True, capture_output=True)
    return {
        "html": out / "html",
        "epub": out / "epub" / f"{NAME}.epub",
        "htmlzip": out / "htmlzip" / f"{NAME}.zip",
        "pdf": out / "latex" / f"{NAME}.pdf",
    }, changed


@pytest.mark.parametrize("kind", ["html", "epub", "htmlzip", "pdf"])
def test_a_changed_word_is_caught_in_every_paragraph_and_output(planted: tuple, kind: str) -> None:
    outputs, changed = planted
    problems, _ = check(kind, outputs[kind])
    report = "\n".join(problems)
    for word, new in changed.items():
        assert f"[-{word}" in report or f"{{+{new}" in report, f"{kind}: {word} -> {new} not caught"
    sources = {
        page_sources()[s.heading] if s.level > 1 else "index.md"
        for s in read_article()
        if s.paragraphs
    }
    assert {p.split(":")[0] for p in problems} == sources  # each named by its Markdown file


def test_the_pdf_takes_cyrillic_and_keeps_an_svg_a_vector(planted: tuple) -> None:
    pdf = planted[0]["pdf"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Донецк and Донецьк" in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    assert images.splitlines()[2:] == [], f"a figure was rasterised: {images}"


# -- Strict on every build; published whole or not at all --------------------------------


def test_a_broken_reference_fails_every_build_naming_file_and_line(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    page = site / "relations" / "official-relations.md"
    page.write_text(page.read_text("utf-8") + "\nSee [x](#no-such-label).\n", encoding="utf-8")
    line = len(page.read_text("utf-8").splitlines())
    for _ in range(2):  # the second build, with nothing changed, fails too
        result = build("html", site, tmp_path / "out")
        assert result.returncode != 0
        assert (
            f"official-relations.md:{line}:" in result.stderr and "no-such-label" in result.stderr
        )


def ctrl_c() -> None:
    """In the build's process: Ctrl-C interrupts it (a harness may have it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_an_interrupted_build_leaves_the_published_site_as_it_was(
    project: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "html" / "marker.txt"
    marker.parent.mkdir()
    marker.write_text("the published build", encoding="utf-8")
    env = {"PYTHONPATH": f"{project / '_ext'}:{project / 'tools'}"}
    cmd = [sys.executable, str(project / "tools" / "build.py"), "html", "--outdir", str(tmp_path)]
    running = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    while (
        not (tmp_path / ".partial" / "html" / "sphinx" / "_static").exists()
        and running.poll() is None
    ):
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    stderr = running.communicate(timeout=60)[1]
    assert running.returncode != 0 and "unchanged" in stderr, stderr
    assert marker.read_text(encoding="utf-8") == "the published build"
    assert build("html", project, tmp_path).returncode == 0  # the next build is whole again
    assert not marker.exists() and (tmp_path / "html" / "search.html").is_file()


def test_two_builds_at_once_take_turns(project: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": f"{project / '_ext'}:{project / 'tools'}"}
    cmd = [sys.executable, str(project / "tools" / "build.py"), "html", "--outdir", str(tmp_path)]
    runs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert any("another html build is writing" in e for e in errors), errors


# -- Only content is content; bad input is named ----------------------------------------


def test_notes_outside_the_content_folders_are_never_pages(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    folders = ["tools", "_ext", "_data", "images", ".github", "tests", "benchmarks", ".notes"]
    for folder in folders:
        (site / folder).mkdir(exist_ok=True)
        (site / folder / "NOTES.md").write_text("# Notes\n\nNot a page.\n", encoding="utf-8")
    result = build("html", site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not list((tmp_path / "out" / "html").rglob("NOTES.html"))
    assert all(entry in CONTENT or (site / entry).is_dir() for entry in CONTENT)


def test_broken_page_rules_and_bad_data_fail_naming_each_place(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    edit(site / "see-also" / "index.md", "# See also\n", "# See also\n\n# A second title\n")
    edit(
        site / "relations" / "index.md",
        "\nofficial-relations\n",
        "\nofficial-relations\nOdd_Name\n",
    )
    (site / "relations" / "Odd_Name.md").write_text("# Odd\n\nA page without a description.\n")
    edit(site / "see-also" / "index.md", "- [Foreign", "(background/referendum)=\n- [Foreign")
    events = site / EVENTS
    text = events.read_text("utf-8").replace(
        "section: relations/unofficial", "section: relations/nowhere", 1
    )
    events.write_text(text, encoding="utf-8")
    line = events.read_text("utf-8").splitlines().index("  section: relations/nowhere") + 1
    result = build("html", site, tmp_path / "out")
    stderr = result.stderr
    assert result.returncode != 0
    assert re.search(
        r"see-also/index\.md: WARNING: a page has one level-1 heading, this one 2", stderr
    )
    assert "relations/Odd_Name.md: WARNING: page name 'relations/Odd_Name'" in stderr
    assert "relations/Odd_Name.md: WARNING: no description" in stderr
    assert re.search(
        r"label 'background/referendum' is declared more than once: "
        r"background/index\.md:\d+, see-also/index\.md:\d+",
        stderr,
    )
    assert (
        f"{EVENTS}:{line}: WARNING: timeline data: event 'pensions-stopped', field 'section'"
        in stderr
    )
    assert "Traceback" not in stderr


# -- Tests follow the data: a valid new page and event need no other edit ------------------


def test_a_new_page_and_event_appear_everywhere_and_pass_the_checks(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    (site / "relations" / "aftermath.md").write_text(
        '---\nmyst:\n  html_meta:\n    description: "A page added by a test."\n---\n\n'
        "(relations/aftermath)=\n# Aftermath\n\nA note of the project's own.\n",
        encoding="utf-8",
    )
    edit(
        site / "relations" / "index.md",
        "\nofficial-relations\n",
        "\nofficial-relations\naftermath\n",
    )
    with (site / EVENTS).open("a", encoding="utf-8") as events:
        events.write(
            "\n- id: referendum-deemed-illegal\n  precision: none\n  after: dpr-referendum\n"
            "  title: The referendum deemed illegal\n"
            "  summary: The referendum was deemed illegal.\n"
            "  section: background/referendum\n"
        )
    env = {"PYTHONPATH": f"{site / '_ext'}:{site / 'tools'}"}
    cmd = [sys.executable, str(site / "tools" / "check.py"), "--outdir", str(tmp_path / "out")]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    html = tmp_path / "out" / "html"
    for page in [p for p in html.rglob("*.html") if not p.name.startswith(("search", "404"))]:
        assert "aftermath.html" in page.read_text("utf-8"), f"{page} does not list the new page"
    assert "relations/aftermath.html" in (html / "sitemap.xml").read_text("utf-8")
    timeline = (html / "timeline" / "index.html").read_text("utf-8")
    assert 'id="timeline-referendum-deemed-illegal"' in timeline
    assert 'href="#timeline-referendum-deemed-illegal"' in timeline  # the picture moved too


# -- Reproducible: one commit, the same bytes -----------------------------------------------


def test_a_second_build_elsewhere_gives_the_same_bytes(outputs: Outputs, tmp_path: Path) -> None:
    """Read the Docs' build (conftest) and one in another folder, with another hash seed."""
    site = copy_project(tmp_path / "elsewhere" / "site", git=True)
    out = tmp_path / "out"
    env = {
        "PYTHONHASHSEED": "2",
        "SOURCE_DATE_EPOCH": source_date_epoch(),  # the last commit's, as on Read the Docs
        "READTHEDOCS_CANONICAL_URL": f"https://{NAME}.readthedocs.io/en/latest/",
    }
    for fmt in ("html", "epub", "htmlzip"):
        assert build(fmt, site, out, env=env).returncode == 0
    latex = [sys.executable, "-m", "sphinx", "-b", "latex", "-q", "-d", str(tmp_path / "dt")]
    subprocess.run([*latex, str(site), str(out / "latex")], check=True, env=os.environ | env)
    first = outputs.html.parent
    files = [
        p.relative_to(out) for p in out.rglob("*") if p.is_file() and ".partial" not in p.parts
    ]
    differ = [str(f) for f in files if (out / f).read_bytes() != (first / f).read_bytes()]
    assert files and not differ, f"the builds differ in {differ}"


def test_a_known_revision_is_linked_and_named_in_every_credit(tmp_path: Path) -> None:
    site = copy_project(tmp_path / "site")
    edit(
        site / "_ext" / "publication.py",
        "ARTICLE_REVISION: int | None = None",
        "ARTICLE_REVISION = 1234567",
    )
    assert build("html", site, tmp_path / "out").returncode == 0
    credit = (tmp_path / "out" / "html" / "see-also" / "index.html").read_text("utf-8")
    assert "oldid=1234567" in credit and "(revision 1234567)" in credit
    latex = [sys.executable, "-m", "sphinx", "-b", "latex", "-q", str(site), str(tmp_path / "tex")]
    subprocess.run(latex, check=True, env=os.environ | {"PYTHONPATH": str(site / "_ext")})
    tex = (tmp_path / "tex" / f"{NAME}.tex").read_text("utf-8")
    assert r"\newcommand*{\articlerevision}{1234567}" in tex and r"oldid=1234567" in tex
