#!/usr/bin/env python3
"""The article's text, whole and in order, in the body of its page, in every output.

    python tools/article_text.py {html,epub,htmlzip,pdf} PATH

PATH is the built site (a folder), or the .epub, .zip or .pdf file. Each section
of tests/data/article.txt is found by its heading (the lead by the title): its
page's body must hold its paragraphs and list items, each whole, in order, and
nothing else. The body is the page less what the project adds (ADDED: timelines,
admonitions, infobox, figures, navigation), so a sentence copied into a timeline
never stands in for the article's own. In the PDF, which has no such structure,
the paragraphs must follow the heading as one unbroken run of words.

A problem names the page's Markdown file, the paragraph, and what the page says
instead as a word diff: [-the article's words-] {+the page's+}. Exit status: 0
when every paragraph is in place, 1 otherwise, 2 on bad input.
"""

import difflib
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import publication as pub

# What the project adds to a page, never the article's text.
ADDED = "aside, figure, nav, .admonition, .toctree-wrapper, .article-timeline, a.headerlink"


@dataclass
class Section:
    heading: str
    level: int  # 1 for the title (the lead), 2 and 3 for sections
    paragraphs: list[str] = field(default_factory=list)  # list items too, one each


def read_article() -> list[Section]:
    """The sections of the article's copy, the lead first (under the title)."""
    return parse_article(pub.ARTICLE_COPY.read_text(encoding="utf-8"))


def parse_article(text: str) -> list[Section]:
    """The sections of an article's plain text, the lead first (under the title).

    `== Heading ==` lines open sections; every other line is a paragraph or,
    as "- text", a list item. The infobox (an "Infobox" line and its fields)
    is the map, not text. Whitespace is folded, as HTML shows it.
    """
    sections: list[Section] = []
    infobox = False
    for line in (" ".join(line.split()) for line in text.splitlines()):
        heading = re.fullmatch(r"(=+)\s*(.*?)\s*\1", line)
        infobox = line == "Infobox" or (infobox and bool(line))
        if heading:
            sections.append(Section(heading[2], len(heading[1])))
        elif line and not infobox and sections:
            sections[-1].paragraphs.append(line.removeprefix("- "))
    return sections


def page_sources(srcdir: Path = pub.ROOT) -> dict[str, str]:
    """Each page's title (its `# ` heading) -> its Markdown file; the article's title: index.md."""
    titles = {read_article()[0].heading: "index.md"}
    for path in pub.pages(srcdir).values():
        if title := re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.M):
            titles[" ".join(title[1].split())] = path.relative_to(srcdir).as_posix()
    return titles


def word_diff(expected: str, actual: str, context: int = 4) -> str:
    """The changed words with a few around them: ... [-old-] {+new+} ..."""
    old, new, parts = expected.split(), actual.split(), []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed = f"[-{' '.join(old[i1:i2])}-]" if i2 > i1 else ""
            added = f"{{+{' '.join(new[j1:j2])}+}}" if j2 > j1 else ""
            around = " ".join(old[max(0, i1 - context) : i1]), " ".join(old[i2 : i2 + context])
            parts.append(f"... {around[0]} {removed} {added} {around[1]} ...")
    return " ".join(" ".join(parts).split()) or "(the same words, in other paragraphs)"


def compare(source: str, section: Section, body: list[str] | str | None) -> list[str]:
    """What is wrong with one page's body: its paragraphs, or (PDF) its run of words."""
    expected = section.paragraphs
    if body is None:
        return [f"{source}: no page has the heading {section.heading!r}"]
    if isinstance(body, str):  # the PDF: the paragraphs open the text under the heading
        joined = " ".join(" ".join(expected).split())
        shown = " ".join(body.split()[: len(joined.split())])
        if shown == joined:
            return []
        return [f"{source}: {section.heading!r}: {word_diff(joined, shown)}"]
    problems = []
    matcher = difflib.SequenceMatcher(None, expected, body, autojunk=False)
    for _, i1, i2, j1, j2 in (op for op in matcher.get_opcodes() if op[0] != "equal"):
        shown = " ".join(body[j1:j2])
        for k in range(i1, i2):
            what = f"differs: {word_diff(expected[k], shown)}" if shown else "is missing"
            problems.append(f"{source}: paragraph {k + 1} of {section.heading!r} {what}")
            problems[-1] += f"\n  the article's paragraph: {expected[k]}"
        if i1 == i2:
            problems.append(f"{source}: text in the body that is not the article's: {shown}")
    return problems


def html_bodies(pages: list[str]) -> dict[str, list[str]]:
    """Each section's body paragraphs, by heading, from HTML or XHTML pages.

    A paragraph belongs to the innermost section around it (in the one-page
    HTML the pages are nested), unless it is inside something the project adds.
    """
    from bs4 import BeautifulSoup

    bodies: dict[str, list[str]] = {}
    for markup in pages:
        soup = BeautifulSoup(markup, "html.parser")
        # (In the one-page HTML, the pages themselves sit in the toctree: not an addition.)
        boxes = [box for box in soup.select(ADDED) if not box.find("section")]
        added = {id(block) for box in boxes for block in box.find_all(["p", "li"])}
        for heading in soup.select("h1, h2, h3, h4"):
            section, title = heading.find_parent("section"), heading.get_text().strip("¶ \n")
            blocks = [
                " ".join(block.get_text().split())
                for block in (section.find_all(["p", "li"]) if section else [])
                if block.find_parent("section") is section and id(block) not in added
                if not (block.name == "li" and block.find("p"))
            ]
            bodies.setdefault(" ".join(title.split()), [b for b in blocks if b])
    return bodies


def pdf_bodies(pdf: Path, sections: list[Section]) -> dict[str, str]:
    """Each section's text in the PDF: the words from its heading to the next one.

    Page numbers, footnotes (the URLs of links) and their marks, and list
    bullets are the typesetting's, not the article's: they are left out.
    """
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [line.strip().removeprefix("• ") for line in text.replace("\f", "\n").splitlines()]
    lines = [line for line in lines if not re.fullmatch(r"\d+|https?://\S+", line)]
    starts, at = [], 0
    for section in sections:  # the lead after the title block, contents and infobox
        lead, opening = section.level == 1, section.paragraphs[0].split()[:5]
        found = (
            i
            for i in range(at, len(lines))
            if (lines[i].split()[:5] == opening if lead else lines[i] == section.heading)
        )
        at = next(found, len(lines)) + (not lead)
        starts.append(at)
    texts = {}
    for section, start, end in zip(sections, starts, [*starts[1:], len(lines)], strict=True):
        # Words are never hyphenated in this PDF: a line ending in - or – joins the next.
        text = re.sub(r"([-–—])\n", r"\1", "\n".join(lines[start:end]))
        texts[section.heading] = re.sub(r"(?<=[^\W\d])\d+\b", "", " ".join(text.split()))
    return texts


def check(kind: str, path: Path, srcdir: Path = pub.ROOT) -> tuple[list[str], int]:
    """Every problem of the output at `path`, and the number of paragraphs checked."""
    sections = [s for s in read_article() if s.paragraphs]
    sources = page_sources(srcdir)
    if kind == "pdf":
        bodies: dict[str, list[str] | str] = {**pdf_bodies(path, sections)}
    elif kind == "html":
        bodies = {**html_bodies([p.read_text("utf-8") for p in path.rglob("*.html")])}
    else:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith((".html", ".xhtml"))]
            bodies = {**html_bodies([archive.read(n).decode() for n in names])}
    problems = []
    for section in sections:
        problems += compare(sources.get(section.heading, "?"), section, bodies.get(section.heading))
    return problems, sum(len(s.paragraphs) for s in sections)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("html", "epub", "htmlzip", "pdf"):
        print("usage: article_text.py {html,epub,htmlzip,pdf} PATH", file=sys.stderr)
        return 2
    if not Path(argv[1]).exists():
        print(f"article_text.py: {argv[1]}: no such file or folder", file=sys.stderr)
        return 2
    problems, count = check(argv[0], Path(argv[1]))
    if problems:
        print(*problems, sep="\n")
    verdict = f"{len(problems)} problem(s)" if problems else "whole and in order"
    print(f"article text ({argv[0]}): {count} paragraphs, {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
