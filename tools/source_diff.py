#!/usr/bin/env python3
"""Compare the article's copy with the live Wikipedia article: what changed, and where.

    python tools/source_diff.py [--timeout SECONDS]

Compares tests/data/article.txt with the live article's plain text (from the MediaWiki
API at $WIKIPEDIA_API, by default English Wikipedia's), section by section and paragraph
by paragraph, naming each difference's page and the events quoting it. Exit status, as
diff(1): 0 when the copy follows the live article, 1 when it differs, 2 when not compared.
"""

import argparse
import difflib
import functools
import http.client
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import publication as pub
from article_text import Section, page_sources, parse_article, read_article, word_diff
from article_timeline import events as timeline

PYTHON = f"Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"
USER_AGENT = f"{pub.NAME}-source-diff/1.0 ({pub.DEFAULT_BASE_URL}; make source-diff) {PYTHON}"
TITLE = urllib.parse.unquote(pub.ARTICLE_URL.rsplit("/wiki/", 1)[1]).replace("_", " ")
CLOSING = (
    "{count} difference(s): apply the changes to the pages and to tests/data/article.txt "
    "together, re-check the events named, set ARTICLE_REVISION in _ext/publication.py to "
    "{revid}, and run `make check`."
)


class Unavailable(Exception):
    """The answer says the comparison cannot be made; the message says why."""


SHAPE = "the API's answer is not the expected query result ({exc!r})"
# Why the comparison could not be made, in an editor's words: the first entry that matches.
FAILURES = {
    Unavailable: "{exc}",
    urllib.error.HTTPError: "the API at {endpoint} answered HTTP {exc.code} {exc.reason}",
    TimeoutError: "the API at {endpoint} gave no answer in {timeout:g} s",
    http.client.HTTPException: "the API at {endpoint} sent a broken HTTP answer ({exc!r})",
    OSError: "the network could not be reached ({endpoint}: {reason})",
    **dict.fromkeys((json.JSONDecodeError, UnicodeDecodeError), "the API's answer is not JSON"),
    **dict.fromkeys((LookupError, TypeError, AttributeError, ValueError), SHAPE),
}


def live_page(endpoint: str, timeout: float) -> tuple[int, str, list[Section]]:
    """The live revision id, its timestamp and its sections, as the API gives them."""
    params = {"action": "query", "prop": "extracts|revisions", "titles": TITLE}
    params |= {"explaintext": "1", "exsectionformat": "wiki", "rvprop": "ids|timestamp"}
    url = f"{endpoint}?{urllib.parse.urlencode(params | {'format': 'json', 'formatversion': '2'})}"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = json.loads(response.read())
    if isinstance(data, dict) and data.get("error"):
        raise Unavailable(f"the API answered with an error: {data['error']}")
    page = data["query"]["pages"][0]
    if page.get("missing") or page.get("invalid"):
        raise Unavailable(f"Wikipedia has no page {TITLE!r}")
    revision = page["revisions"][0]
    # The extract read as the copy is: under the title, the lead, then `== Heading ==` sections.
    sections = parse_article(f"= {TITLE} =\n{page['extract']}")
    return int(revision["revid"]), str(revision["timestamp"]), sections


pages = functools.cache(page_sources)  # each page's Markdown file, by its heading; read once


def page_of(section: Section) -> str:
    return pages().get(section.heading, "index.md" if section.level == 1 else "(no page)")


def quoting(paragraphs: list[str]) -> str:
    """The events whose summary is in one of the paragraphs, for the editor."""
    events = timeline.load(pub.ROOT / pub.EVENTS).events
    found = [e for e in events if any(e.summary in paragraph for paragraph in paragraphs)]
    named = ", ".join(f"{e.id} (line {e.line} of {pub.EVENTS})" for e in found)
    return f"the event{'s' if len(found) > 1 else ''} {named}" if found else "(no event quotes it)"


def report(where: Section, what: str, was: list[str], now: list[str], page: str, n: int = 0) -> str:
    """One difference (of paragraph n, or of the whole section): old, new, and what to do."""
    lines = [f"old: {p}" for p in was] + [f"new: {p}" for p in now]
    if what == "changed":
        lines.append(f"words: {word_diff(was[0], now[0])}")
        todo = f"update {page} and {quoting(was)}"
    elif what == "removed":
        todo = f"remove it from {page} and re-check {quoting(was)}"
    else:
        todo = f"add it to {page}"
    name = "the lead" if where.level == 1 else f"section {where.heading!r}"
    head = f"{name}, paragraph {n}: {what}" if n else f"{name}, {what}"
    return "\n".join([head, *(f"  {line}" for line in lines), f"  to do: {todo}"])


def compare_section(old: Section, new: Section) -> Iterator[str]:
    """Each changed, removed and added paragraph of one section."""
    matcher = difflib.SequenceMatcher(None, old.paragraphs, new.paragraphs, autojunk=False)
    for _, i1, i2, j1, j2 in (op for op in matcher.get_opcodes() if op[0] != "equal"):
        olds, news = old.paragraphs[i1:i2], new.paragraphs[j1:j2]
        for k in range(max(len(olds), len(news))):
            was, now = olds[k : k + 1], news[k : k + 1]  # one paragraph each, or none
            what = "changed" if was and now else "removed" if was else "added"
            yield report(old, what, was, now, page_of(old), (i1 if was else j1) + k + 1)


def compare(copy: list[Section], live: list[Section]) -> list[str]:
    """Every difference, section by section (by heading, in order)."""
    known = {s.heading for s in copy}  # the extract keeps References & co. as empty headings
    live = [s for s in live if s.paragraphs or s.heading in known]
    old, new = [s.heading for s in copy], [s.heading for s in live]
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            for was, now in zip(copy[i1:i2], live[j1:j2], strict=True):
                found += compare_section(was, now)
        else:
            found += [report(s, "removed", s.paragraphs, [], page_of(s)) for s in copy[i1:i2]]
            found += [report(s, "added", [], s.paragraphs, "the pages") for s in live[j1:j2]]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds (default 20)")
    timeout = parser.parse_args(argv).timeout
    if not timeout > 0:
        parser.error("--timeout must be a number of seconds above 0")
    endpoint = os.environ.get("WIKIPEDIA_API") or "https://en.wikipedia.org/w/api.php"
    try:
        revid, timestamp, live = live_page(endpoint, timeout)
    except tuple(FAILURES) as exc:
        reason = getattr(exc, "reason", exc)  # a URLError wraps the socket's error
        why = next(t for k, t in FAILURES.items() if isinstance(exc, k) or isinstance(reason, k))
        why = why.format(exc=exc, reason=reason, endpoint=endpoint, timeout=timeout)
        print(f"source-diff: {why}; the copy was not compared.", file=sys.stderr)
        return 2
    recorded = "not recorded" if pub.ARTICLE_REVISION is None else pub.ARTICLE_REVISION
    print(f"live article: revision {revid} of {timestamp}; the copy records: {recorded}")
    found = compare(read_article(), live)
    if found:
        print(*found, CLOSING.format(count=len(found), revid=revid), sep="\n")
    else:
        print(f"the copy follows the live article, revision {revid}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
