"""`make source-diff` against a stand-in for Wikipedia's API on 127.0.0.1 (WIKIPEDIA_API),
which answers as the Action API does (TextExtracts, formatversion=2) with an extract made
from tests/data/article.txt that each test changes, or with another answer."""

import contextlib
import json
import re
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

import publication as pub
from article_text import page_sources, read_article
from article_timeline import events as timeline
from conftest import local_server, tool

TITLE = read_article()[0].heading
REVID = 1234567
EXCHANGE: dict[str, Any] = {}  # the answer (status, body, delay), the request (path, agent)
# The copy as TextExtracts gives it: no title or infobox, `== H ==`, list items as lines.
EXTRACT = re.sub(r"\A=[^\n]*=\n+Infobox\n(?:- [^\n]*\n)*", "", pub.ARTICLE_COPY.read_text("utf-8"))
EXTRACT = re.sub(r"^(=+)\s*(.*?)\s*\1$", r"\n\n\1 \2 \1", EXTRACT, flags=re.M)
EXTRACT = re.sub(r"^- ", "", EXTRACT, flags=re.M) + "\n\n\n== References ==\n"
# The first body paragraph that events quote, its section and page, and those events.
EVENTS = timeline.load(pub.ROOT / pub.EVENTS).events
SECTION, PARAGRAPH = next(
    (s, p) for s in read_article()[1:] for p in s.paragraphs if any(e.summary in p for e in EVENTS)
)
PAGE, QUOTING = page_sources()[SECTION.heading], [e for e in EVENTS if e.summary in PARAGRAPH]
MISSING = json.dumps({"query": {"pages": [{"title": TITLE, "missing": True}]}})
FAILURES = {  # the server's answer (None: no server), the tool's arguments, the error's words
    "missing-page": ({"body": MISSING}, [], "no page"),
    "http-500": ({"status": 500, "body": "{}"}, [], "answered HTTP 500"),
    "malformed-json": ({"body": '{"query": {"pages": ['}, [], "not JSON"),
    "unexpected-shape": ({"body": '{"batchcomplete": true}'}, [], "not the expected query result"),
    "slow-answer": ({"delay": 3}, ["--timeout", "1"], "gave no answer in 1 s"),
    "unreachable": (None, [], "the network could not be reached"),
}


class API(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        EXCHANGE["request"] = self.path, self.headers.get("User-Agent", "")
        time.sleep(EXCHANGE["delay"])
        with contextlib.suppress(OSError):  # the client stopped waiting (the timeout case)
            self.send_response(EXCHANGE["status"])
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.end_headers()
            self.wfile.write(EXCHANGE["body"].encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with local_server(API) as server:
        yield f"http://127.0.0.1:{server.server_port}/w/api.php"


def run(endpoint: str, code: int, *args: str, **answer: Any) -> subprocess.CompletedProcess[str]:
    """Run the tool, which must exit with `code`, against `answer` (default: EXTRACT's page)."""
    page = {"pageid": 1, "ns": 0, "title": TITLE, "extract": answer.pop("extract", EXTRACT)}
    page["revisions"] = [{"revid": REVID, "timestamp": "2025-01-02T03:04:05Z"}]
    body = json.dumps({"batchcomplete": True, "query": {"pages": [page]}})
    EXCHANGE.update({"status": 200, "body": body, "delay": 0, "request": None} | answer)
    result = tool(pub.ROOT, "source_diff.py", *args, env={"WIKIPEDIA_API": endpoint}, timeout=60)
    assert result.returncode == code and "Traceback" not in result.stderr, result
    return result


def test_identical_text_is_current_and_request_is_the_query(endpoint: str) -> None:
    out = run(endpoint, 0).stdout
    recorded = "not recorded" if pub.ARTICLE_REVISION is None else pub.ARTICLE_REVISION
    assert f"revision {REVID} of 2025-01-02T03:04:05Z; the copy records: {recorded}\n" in out
    assert f"the copy follows the live article, revision {REVID}" in out
    path, agent = EXCHANGE["request"]
    route, _, query = path.partition("?")
    wanted = {"action": "query", "prop": "extracts|revisions", "titles": TITLE}
    wanted |= {"explaintext": "1", "exsectionformat": "wiki", "formatversion": "2"}
    assert route == "/w/api.php" and wanted.items() <= dict(urllib.parse.parse_qsl(query)).items()
    assert agent.startswith(f"{pub.NAME}-source-diff/") and "https://" in agent, agent


def test_changed_word_and_new_paragraph_name_section_page_and_events(endpoint: str) -> None:
    words, new = PARAGRAPH.split(), "A paragraph new in the live article."
    word, words[len(words) // 2] = words[len(words) // 2], "Zzyzx"
    out = run(endpoint, 1, extract=EXTRACT.replace(PARAGRAPH, f"{' '.join(words)}\n{new}")).stdout
    assert f"section {SECTION.heading!r}, paragraph" in out and f"[-{word}-] {{+Zzyzx+}}" in out
    assert f"update {PAGE} and the event" in out and "tests/data/article.txt" in out
    assert all(f"{e.id} (line {e.line} of {pub.EVENTS})" in out for e in QUOTING), out
    assert f"set ARTICLE_REVISION in _ext/publication.py to {REVID}, and run `make check`" in out
    assert f": added\n  new: {new}" in out and f"add it to {PAGE}" in out


def test_removed_section_is_reported(endpoint: str) -> None:
    pattern = rf"^=+ {re.escape(SECTION.heading)} =+\n(?:(?!=).*\n)*"
    text, removed = re.subn(pattern, "", EXTRACT, flags=re.M)
    out = run(endpoint, 1, extract=text).stdout
    assert removed == 1 and f"section {SECTION.heading!r}, removed" in out
    assert f"remove it from {PAGE} and re-check the event" in out
    assert f"  old: {SECTION.paragraphs[0]}" in out


@pytest.mark.parametrize(("answer", "args", "words"), FAILURES.values(), ids=FAILURES.keys())
def test_failure_exits_2(endpoint: str, answer: dict | None, args: list[str], words: str) -> None:
    if answer is None:  # port 0: nothing can listen there
        endpoint, answer = "http://127.0.0.1:0/w/api.php", {}
    result = run(endpoint, 2, *args, **answer)
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert words in result.stderr and "the copy was not compared" in result.stderr
