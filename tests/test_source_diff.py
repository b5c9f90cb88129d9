"""`make source-diff` against a stand-in for Wikipedia's API on 127.0.0.1 (WIKIPEDIA_API).

The server answers as the Action API does (TextExtracts, formatversion=2) with an extract
made from tests/data/article.txt; each test changes that text, or the answer.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import publication as pub
from article_text import Section, page_sources, read_article
from article_timeline import events as timeline

TOOL = pub.ROOT / "tools" / "source_diff.py"
PYTHONPATH = os.pathsep.join(str(pub.ROOT / folder) for folder in ("_ext", "tools"))
TITLE = read_article()[0].heading
REVID = 1234567
ANSWER: dict[str, Any] = {}  # what the server sends: status, body, delay
REQUESTS: list[tuple[str, str]] = []  # the path and User-Agent of each request received


def extract_of(copy: str) -> str:
    """The copy as TextExtracts gives it: no title or infobox, `== H ==`, list items as lines."""
    text = re.sub(r"\A=[^\n]*=\n+Infobox\n(?:- [^\n]*\n)*", "", copy)
    text = re.sub(r"^(=+)\s*(.*?)\s*\1$", r"\n\n\1 \2 \1", text, flags=re.M)
    return re.sub(r"^- ", "", text, flags=re.M) + "\n\n\n== References ==\n"


EXTRACT = extract_of(pub.ARTICLE_COPY.read_text(encoding="utf-8"))


class API(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        answer = dict(ANSWER)
        REQUESTS.append((self.path, self.headers.get("User-Agent", "")))
        time.sleep(answer["delay"])
        try:
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.end_headers()
            self.wfile.write(answer["body"])
        except OSError:
            pass  # the client stopped waiting (the timeout case)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), API)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/w/api.php"
    server.shutdown()
    server.server_close()


def serve(extract: str = "", *, body: bytes = b"", status: int = 200, delay: int = 0) -> None:
    """Answer the next request with the page holding `extract`, or with `body`."""
    page = {"pageid": 1, "ns": 0, "title": TITLE, "extract": extract}
    page["revisions"] = [{"revid": REVID, "timestamp": "2025-01-02T03:04:05Z"}]
    query = {"batchcomplete": True, "query": {"pages": [page]}}
    ANSWER.update(status=status, body=body or json.dumps(query).encode(), delay=delay)


def run(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": PYTHONPATH, "WIKIPEDIA_API": endpoint}
    cmd = [sys.executable, str(TOOL), *args]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def quoted() -> tuple[Section, str, list[timeline.Event]]:
    """The first body paragraph that events quote, its section and those events."""
    events = timeline.load(pub.ROOT / pub.EVENTS).events
    for section in read_article()[1:]:
        for paragraph in section.paragraphs:
            if found := [e for e in events if e.summary in paragraph]:
                return section, paragraph, found
    raise AssertionError("no event quotes a body paragraph")


def test_identical_text_is_current_and_request_is_the_query(endpoint: str) -> None:
    serve(EXTRACT)
    result = run(endpoint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"live article: revision {REVID} of 2025-01-02T03:04:05Z" in result.stdout
    recorded = "not recorded" if pub.ARTICLE_REVISION is None else str(pub.ARTICLE_REVISION)
    assert f"the copy records: {recorded}" in result.stdout
    assert f"the copy follows the live article, revision {REVID}" in result.stdout
    path, agent = REQUESTS[-1]
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert urllib.parse.urlsplit(path).path == "/w/api.php"
    assert params["action"] == ["query"] and params["prop"] == ["extracts|revisions"]
    assert params["titles"] == [TITLE] and params["formatversion"] == ["2"]
    assert "explaintext" in params and params["exsectionformat"] == ["wiki"]
    assert pub.NAME in agent and "source-diff" in agent and "https://" in agent, agent


def test_changed_word_names_section_page_and_events(endpoint: str) -> None:
    section, paragraph, events = quoted()
    words = paragraph.split()
    word, words[len(words) // 2] = words[len(words) // 2], "Zzyzx"
    serve(EXTRACT.replace(paragraph, " ".join(words)))
    result = run(endpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"section {section.heading!r}, paragraph" in result.stdout
    assert f"[-{word}-] {{+Zzyzx+}}" in result.stdout
    assert f"update {page_sources()[section.heading]} and the event" in result.stdout
    for event in events:
        assert f"{event.id} (line {event.line} of {pub.EVENTS})" in result.stdout
    assert f"set ARTICLE_REVISION in _ext/publication.py to {REVID}" in result.stdout
    assert "tests/data/article.txt" in result.stdout and "make check" in result.stdout


def test_new_paragraph_is_reported_as_added(endpoint: str) -> None:
    section, paragraph, _ = quoted()
    serve(EXTRACT.replace(paragraph, f"{paragraph}\nA paragraph new in the live article."))
    result = run(endpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"section {section.heading!r}, paragraph" in result.stdout
    assert ": added\n  new: A paragraph new in the live article." in result.stdout
    assert f"add it to {page_sources()[section.heading]}" in result.stdout


def test_removed_section_is_reported(endpoint: str) -> None:
    section = next(s for s in read_article() if s.level == 2 and s.paragraphs)
    pattern = rf"^== {re.escape(section.heading)} ==\n(?:(?!=).*\n)*"
    text, removed = re.subn(pattern, "", EXTRACT, flags=re.M)
    assert removed == 1
    serve(text)
    result = run(endpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"section {section.heading!r}, removed" in result.stdout
    assert f"remove it from {page_sources()[section.heading]}" in result.stdout
    assert f"  old: {section.paragraphs[0]}" in result.stdout


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, json.dumps({"query": {"pages": [{"title": TITLE, "missing": True}]}}), "no page"),
        (500, "{}", "answered HTTP 500"),
        (200, '{"query": {"pages": [', "not JSON"),
        (200, '{"batchcomplete": true}', "not the expected query result"),
    ],
    ids=["missing-page", "http-500", "malformed-json", "unexpected-shape"],
)
def test_failed_answer_exits_2(endpoint: str, status: int, body: str, message: str) -> None:
    serve(body=body.encode(), status=status)
    result = run(endpoint)
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and "the copy was not compared" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_slow_answer_times_out(endpoint: str) -> None:
    serve(EXTRACT, delay=3)
    result = run(endpoint, "--timeout", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "gave no answer in 1 s" in result.stderr and "not compared" in result.stderr


def test_unreachable_endpoint_exits_2() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(f"http://127.0.0.1:{port}/w/api.php")
    assert result.returncode == 2 and result.stdout == ""
    assert "the network could not be reached" in result.stderr
    assert "the copy was not compared" in result.stderr
