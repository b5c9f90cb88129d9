#!/usr/bin/env python3
"""The article's text, whole and in order, in the body of its page, in every output.

    python tools/article_text.py {html,epub,htmlzip,pdf} PATH

PATH is the built site (a folder), or the .epub, .zip or .pdf file. Each
section of tests/data/article.txt is looked up by its heading (the lead by the
title): its page's body must hold the section's paragraphs (and list items),
each whole, in the article's order, and nothing else. The body is the page
less what the project adds: boxes and admonitions (the timelines), the
infobox and figures, navigation, heading links. So a copy of a sentence in a
timeline can never stand in for the article's own. In the PDF, whose text
has no such structure, each section's paragraphs must follow its heading as
one unbroken run of words, read up to the Timeline chapter.

A problem names the page's Markdown file, the paragraph, and what the page
says instead as a word diff: [-the article's words-] {+the page's+}.
Exit status: 0 when every paragraph is in place, 1 otherwise, 2 on bad input.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import publication as pub

# What the project adds to a page, never the article's text.
ADDED = (
    "aside, figure, nav, .admonition, .toctree-wrapper, .article-timeline, .tl-axis, a.headerlink"
)


@dataclass
class Section:
    heading: str
    level: int  # 1 for the title (the lead), 2 and 3 for sections
    paragraphs: list[str] = field(default_factory=list)  # list items too, one each


def read_article(path: Path = pub.ARTICLE_COPY) -> list[Section]:
    """The sections of the article's plain text, the lead first (under the title).

    `== Heading ==` lines open sections; every other line is a paragraph or,
    as "- text", a list item. The infobox (an "Infobox" line and its fields)
    is the map, not text.
    """
    sections: list[Section] = []
    infobox = False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        heading = re.fullmatch(r"(=+)\s*(.*?)\s*\1", line)
        if heading:
            sections.append(Section(heading.group(2), len(heading.group(1))))
        elif line == "Infobox":
            infobox = True
        elif not line:
            infobox = False
        elif not infobox and sections:
            sections[-1].paragraphs.append(line.removeprefix("- "))
    return sections


def page_sources(srcdir: Path = pub.ROOT) -> dict[str, str]:
    """Each page's title (its `# ` heading) -> its Markdown file, from the sources."""
    titles = {}
    for entry in pub.CONTENT:
        for page in (
            sorted((srcdir / entry).rglob("*.md"))
            if not entry.endswith(".md")
            else [srcdir / entry]
        ):
            title = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M)
            if title:
                titles[title.group(1).strip()] = page.relative_to(srcdir).as_posix()
    return titles


def words(text: str) -> list[str]:
    return text.split()


def word_diff(expected: str, actual: str, context: int = 4) -> str:
    """The changed words with a few around them: ... [-old-] {+new+} ..."""
    old, new = words(expected), words(actual)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag != "equal":
            before = " ".join(old[max(0, i1 - context) : i1])
            change = (f"[-{' '.join(old[i1:i2])}-] " if i2 > i1 else "") + (
                f"{{+{' '.join(new[j1:j2])}+}}" if j2 > j1 else ""
            )
            parts.append(f"... {before} {change.strip()} {' '.join(old[i2 : i2 + context])} ...")
    return " ".join(parts) or "(the same words, in other paragraphs)"


def compare(source: str, section: Section, body: list[str]) -> list[str]:
    """The problems of one page body (its paragraphs) against the article's section."""
    expected = section.paragraphs
    if body == expected:
        return []
    problems = []
    matcher = difflib.SequenceMatcher(None, expected, body, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for k in range(i1, i2):
            shown = " ".join(body[j1:j2])
            what = f"differs: {word_diff(expected[k], shown)}" if shown else "is missing"
            problems.append(
                f"{source}: paragraph {k + 1} of {section.heading!r} {what}\n"
                f"  expected: {expected[k]}"
            )
        if i1 == i2:
            problems.append(
                f"{source}: text in the body that is not the article's: {' '.join(body[j1:j2])}"
            )
    return problems


def html_bodies(pages: dict[str, str]) -> dict[str, list[str]]:
    """Each section's body paragraphs, by heading, from HTML or XHTML pages.

    A paragraph belongs to the innermost section around it (in the one-page
    HTML the pages are nested), unless it is inside something the project adds.
    """
    from bs4 import BeautifulSoup

    bodies: dict[str, list[str]] = {}
    for markup in pages.values():
        soup = BeautifulSoup(markup, "html.parser")
        added = {
            id(block)
            for box in soup.select(ADDED)
            if not box.find("section")  # in the one-page HTML, pages sit in the toctree
            for block in box.find_all(["p", "li"])
        }
        for heading in soup.select("h1, h2, h3, h4"):
            section = heading.find_parent("section")
            title = " ".join(heading.get_text().replace("¶", " ").split())
            if section is None or title in bodies:
                continue
            blocks = [
                " ".join(block.get_text().split())
                for block in section.find_all(["p", "li"])
                if block.find_parent("section") is section
                and id(block) not in added
                and not (block.name == "li" and block.find("p"))
            ]
            bodies[title] = [b for b in blocks if b]
    return bodies


def pdf_bodies(pdf: Path, sections: list[Section]) -> dict[str, str]:
    """Each section's text in the PDF: the words from its heading to the next one.

    Page numbers, footnotes (the URLs of links) and their marks, and list
    bullets are the typesetting's, not the article's: they are left out.
    """
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    lines = [line.strip() for line in text.stdout.replace("\f", "\n").splitlines()]
    lines = [
        re.sub(r"^• ", "", line) for line in lines if not re.fullmatch(r"\d+|https?://\S+", line)
    ]
    starts, at = [], 0
    for section in sections:
        if section.level == 1:  # the lead follows the title block, contents and infobox
            first = words(section.paragraphs[0])[:5]
            at = next(
                (i for i in range(at, len(lines)) if words(lines[i])[:5] == first), len(lines)
            )
        else:
            at = (
                next((i for i in range(at, len(lines)) if lines[i] == section.heading), len(lines))
                + 1
            )
        starts.append(at)
    texts = {}
    for section, start, end in zip(sections, starts, [*starts[1:], len(lines)], strict=True):
        # Words are never hyphenated in this PDF: a line ending in - or – joins the next.
        text = re.sub(r"([-–—])\n", r"\1", "\n".join(lines[start:end]))
        texts[section.heading] = re.sub(r"(?<=[^\W\d])\d+\b", "", " ".join(text.split()))
    return texts


def compare_pdf(source: str, section: Section, text: str) -> list[str]:
    """The section's paragraphs must open its text, as one unbroken run of words."""
    expected = " ".join(" ".join(section.paragraphs).split())
    if not expected or text.startswith(expected):
        return []
    shown = " ".join(words(text)[: len(words(expected))])
    return [
        f"{source}: the text under {section.heading!r} differs: {word_diff(expected, shown)}\n"
        f"  expected: {expected}"
    ]


def check(kind: str, path: Path, srcdir: Path = pub.ROOT) -> tuple[list[str], int]:
    """Every problem of the output at `path`, and the number of paragraphs checked."""
    sections = [s for s in read_article() if s.paragraphs]
    sources = page_sources(srcdir)
    sources[read_article()[0].heading] = sources.get(read_article()[0].heading, "index.md")
    if kind == "pdf":
        texts = pdf_bodies(path, sections)
        problems = [
            p
            for s in sections
            for p in compare_pdf(sources.get(s.heading, "?"), s, texts[s.heading])
        ]
    else:
        if kind == "html":
            pages = {str(p): p.read_text(encoding="utf-8") for p in path.rglob("*.html")}
        else:
            with zipfile.ZipFile(path) as archive:
                suffix = ".xhtml" if kind == "epub" else ".html"
                pages = {
                    n: archive.read(n).decode() for n in archive.namelist() if n.endswith(suffix)
                }
        bodies = html_bodies(pages)
        problems = []
        for section in sections:
            source = sources.get(section.heading, "?")
            if section.heading not in bodies:
                problems.append(f"{source}: no page has the heading {section.heading!r}")
            else:
                problems += compare(source, section, bodies[section.heading])
    return problems, sum(len(s.paragraphs) for s in sections)


def main(argv: list[str]) -> int:
    if (
        len(argv) != 2
        or argv[0] not in ("html", "epub", "htmlzip", "pdf")
        or not Path(argv[1]).exists()
    ):
        print(
            "usage: article_text.py {html,epub,htmlzip,pdf} PATH (a site, .epub, .zip or .pdf)",
            file=sys.stderr,
        )
        return 2
    problems, count = check(argv[0], Path(argv[1]))
    print(*problems, sep="\n")
    verdict = f"{len(problems)} problem(s)" if problems else "whole and in order"
    print(f"article text ({argv[0]}): {count} paragraphs, {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
