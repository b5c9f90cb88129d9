#!/usr/bin/env python3
"""Compare the article's copy with the live Wikipedia article: what changed, and where.

    python tools/source_diff.py [--timeout SECONDS]

Fetches the live text of publication.ARTICLE_URL from the MediaWiki Action API
(TextExtracts, plain text; the endpoint is $WIKIPEDIA_API, by default English
Wikipedia's) and compares tests/data/article.txt with it, section by section
(by heading) and paragraph by paragraph. Each difference names the Markdown
page that shows the section and the events of _data/events.yaml that quote it.
Exit status, as diff(1): 0 when the copy follows the live article, 1 when it
differs, 2 when the comparison could not be made (network, HTTP, the answer).
"""

from __future__ import annotations

import argparse
import difflib
import http.client
import itertools
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import publication as pub
from article_text import Section, page_sources, read_article, word_diff
from article_timeline import events as timeline

DEFAULT_API = "https://en.wikipedia.org/w/api.php"
USER_AGENT = (
    f"{pub.NAME}-source-diff/1.0 ({pub.DEFAULT_BASE_URL}; the project's make source-diff) "
    f"Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"
)
HEADING = re.compile(r"(=+)\s*(.*?)\s*\1")
CLOSING = (
    "{count} difference(s): apply the changes to the pages and to tests/data/article.txt "
    "together, re-check the events named, set ARTICLE_REVISION in _ext/publication.py to "
    "{revid}, and run `make check`."
)


class Unavailable(Exception):
    """The comparison could not be made; the message says why."""


def title() -> str:
    """The article's title, from its URL."""
    return urllib.parse.unquote(pub.ARTICLE_URL.rsplit("/wiki/", 1)[1]).replace("_", " ")


def query_url(endpoint: str) -> str:
    params = {"action": "query", "prop": "extracts|revisions", "titles": title()}
    params |= {"explaintext": "1", "exsectionformat": "wiki", "rvprop": "ids|timestamp"}
    return f"{endpoint}?{urllib.parse.urlencode(params | {'format': 'json', 'formatversion': '2'})}"


def fetch(endpoint: str, timeout: float) -> bytes:
    """The API's answer, or Unavailable saying what failed."""
    request = urllib.request.Request(query_url(endpoint), headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise Unavailable(f"the API at {endpoint} answered HTTP {exc.code} {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise Unavailable(failure(endpoint, timeout, exc)) from None


def failure(endpoint: str, timeout: float, exc: Exception) -> str:
    """What went wrong on the way to the API, in an editor's words."""
    reason = getattr(exc, "reason", exc)  # a URLError wraps the socket's error
    if isinstance(reason, TimeoutError):
        return f"the API at {endpoint} gave no answer in {timeout:g} s"
    if isinstance(exc, http.client.HTTPException):
        return f"the API at {endpoint} sent a broken HTTP answer ({exc!r})"
    return f"the network could not be reached ({endpoint}: {reason})"


def live_page(body: bytes) -> tuple[int, str, list[Section]]:
    """The live revision id, its timestamp and its sections, from the API's answer."""
    try:
        data = json.loads(body)
    except ValueError:
        raise Unavailable("the API's answer is not JSON") from None
    try:
        page = data["query"]["pages"][0]
        if page.get("missing") or page.get("invalid"):
            raise Unavailable(f"Wikipedia has no page {title()!r}")
        revision = page["revisions"][0]
        return int(revision["revid"]), str(revision["timestamp"]), parse_extract(page["extract"])
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        error = data.get("error") if isinstance(data, dict) else None
        shape = f"error: {error}" if error else f"{type(exc).__name__} {exc}"
        raise Unavailable(f"the API's answer is not the expected query result ({shape})") from None


def parse_extract(extract: str) -> list[Section]:
    """The extract as read_article() reads the copy: the lead, then `== Heading ==` sections."""
    sections = [Section(title(), 1)]
    for line in map(str.strip, extract.splitlines()):
        if heading := HEADING.fullmatch(line):
            sections.append(Section(heading.group(2), len(heading.group(1))))
        elif line:
            sections[-1].paragraphs.append(line)
    return sections


def key(heading: str) -> str:
    return " ".join(heading.split())


def page_of(section: Section) -> str:
    pages = {key(heading): page for heading, page in page_sources().items()}
    return pages.get(key(section.heading), "index.md" if section.level == 1 else "(no page)")


def quoting(paragraphs: list[str]) -> str:
    """The events whose summary is in one of the paragraphs, for the editor."""
    texts, events = [" ".join(p.split()) for p in paragraphs], timeline.load(pub.ROOT / pub.EVENTS)
    found = [e for e in events.events if any(e.summary in text for text in texts)]
    named = ", ".join(f"{e.id} (line {e.line} of {pub.EVENTS})" for e in found)
    return f"the event{'s' if len(found) > 1 else ''} {named}" if found else "(no event quotes it)"


def report(where: Section, what: str, lines: list[str], todo: str) -> str:
    name = "the lead" if where.level == 1 else f"section {where.heading!r}"
    return "\n".join([f"{name}, {what}", *(f"  {line}" for line in lines), f"  to do: {todo}"])


def paragraph(section: Section, number: int, was: str | None, now: str | None) -> str:
    """One paragraph that changed (was and now), was removed (now None) or added (was None)."""
    page = page_of(section)
    if was is None:
        what, lines, todo = "added", [f"new: {now}"], f"add it to {page}"
    elif now is None:
        what, lines = "removed", [f"old: {was}"]
        todo = f"remove it from {page} and re-check {quoting([was])}"
    else:
        what, lines = "changed", [f"old: {was}", f"new: {now}", f"words: {word_diff(was, now)}"]
        todo = f"update {page} and {quoting([was])}"
    return report(section, f"paragraph {number}: {what}", lines, todo)


def compare_section(old: Section, new: Section) -> list[str]:
    """Each changed, removed and added paragraph of one section."""
    found = []
    matcher = difflib.SequenceMatcher(None, old.paragraphs, new.paragraphs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = itertools.zip_longest(old.paragraphs[i1:i2], new.paragraphs[j1:j2])
        for k, (was, now) in enumerate(pairs):
            found.append(paragraph(old, (j1 if was is None else i1) + k + 1, was, now))
    return found


def whole_section(section: Section, added: bool) -> str:
    """A section that only the live article (added) or only the copy has."""
    if added:
        lines, todo = [f"new: {p}" for p in section.paragraphs], "add it to the pages"
    else:
        lines = [f"old: {p}" for p in section.paragraphs]
        todo = f"remove it from {page_of(section)} and re-check {quoting(section.paragraphs)}"
    return report(section, "added" if added else "removed", lines, todo)


def compare(copy: list[Section], live: list[Section]) -> list[str]:
    """Every difference, section by section (by heading, in order)."""
    known = {key(s.heading) for s in copy}  # the extract keeps References & co. as empty headings
    live = [s for s in live if s.paragraphs or key(s.heading) in known]
    old, new = [key(s.heading) for s in copy], [key(s.heading) for s in live]
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            for was, now in zip(copy[i1:i2], live[j1:j2], strict=True):
                found += compare_section(was, now)
        else:
            found += [whole_section(s, added=False) for s in copy[i1:i2]]
            found += [whole_section(s, added=True) for s in live[j1:j2]]
    return found


def run(endpoint: str, timeout: float) -> int:
    """Fetch, compare and print; the exit status."""
    try:
        revid, timestamp, live = live_page(fetch(endpoint, timeout))
    except Unavailable as exc:
        print(f"source-diff: {exc}; the copy was not compared.", file=sys.stderr)
        return 2
    recorded = "not recorded" if pub.ARTICLE_REVISION is None else pub.ARTICLE_REVISION
    print(f"live article: revision {revid} of {timestamp}; the copy records: {recorded}")
    found = compare(read_article(), live)
    if not found:
        print(f"the copy follows the live article, revision {revid}")
        return 0
    print(*found, sep="\n")
    print(CLOSING.format(count=len(found), revid=revid))
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds (default 20)")
    timeout = parser.parse_args(argv).timeout
    if not timeout > 0:
        parser.error("--timeout must be a number of seconds above 0")
    return run(os.environ.get("WIKIPEDIA_API") or DEFAULT_API, timeout)


if __name__ == "__main__":
    sys.exit(main())
