"""External links: the project's linkcheck settings against a local web server.

A throwaway Sphinx project takes every `linkcheck_*` setting from the real
conf.py (only the timeout is shortened, to keep the tests quick) and links
to a server on 127.0.0.1 that answers each case a real host can: a good page,
an anchor, a 404, a redirect, a 429 with Retry-After and a slow answer.
`make linkcheck`'s script (tools/check_links.py) runs on it exactly as on
the site, and its verdicts are read from summary.json.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import runpy
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest
from conftest import ROOT

TIMEOUT = 1  # linkcheck_timeout in the throwaway projects (seconds)
SLOW = 3  # how long /slow takes to answer: longer than TIMEOUT
RETRY_AFTER = 1  # seconds, in /rate-limited's first answer
SERVER_LIFETIME = 600  # the server stops by itself after this, whatever happens


def load_check_links() -> ModuleType:
    path = ROOT / "tools" / "check_links.py"
    spec = importlib.util.spec_from_file_location("check_links", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_links"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


check_links = load_check_links()

PAGE = b'<!DOCTYPE html><html><body><h1 id="present">A page</h1></body></html>'


class Site:
    """What the local server saw: request times per path."""

    def __init__(self) -> None:
        self.hits: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.answer(body=False)

        def do_GET(self) -> None:
            self.answer(body=True)

        def answer(self, *, body: bool) -> None:
            path = self.path.split("#")[0]
            with site.lock:
                site.hits[path].append(time.monotonic())
                first = len(site.hits[path]) == 1
            if path.startswith("/rate-limited") and first:
                self.send(429, {"Retry-After": str(RETRY_AFTER)}, body)
            elif path in ("/redirect", "/allowed-redirect"):
                self.send(301, {"Location": "/good"}, body)
            elif path.startswith("/missing"):
                self.send(404, {}, body)
            elif path == "/slow":
                time.sleep(SLOW)
                self.send(200, {}, body)
            else:  # /good, /rate-limited after the first request
                self.send(200, {}, body)

        def send(self, code: int, headers: dict[str, str], body: bool) -> None:
            try:
                self.send_response(code)
                for name, value in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                if body:
                    self.wfile.write(PAGE)
            except OSError:
                pass  # the client gave up (timeout): nothing to answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Site]]:
    """A web server on 127.0.0.1 (ephemeral port, threads), stopped after the module."""
    site = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    safety = threading.Timer(SERVER_LIFETIME, httpd.shutdown)
    safety.daemon = True
    safety.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    finally:
        safety.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_project(root: Path, links: list[str], extra_conf: str = "") -> Path:
    """A one-page MyST project whose linkcheck settings are the real conf.py's."""
    root.mkdir(parents=True)
    (root / "conf.py").write_text(
        "import runpy\n"
        f"_site = runpy.run_path({str(ROOT / 'conf.py')!r})\n"
        "globals().update({k: v for k, v in _site.items() if k.startswith('linkcheck_')})\n"
        "extensions = ['myst_parser']\n"
        "html_show_sphinx = False\n"  # no theme links but the tests' own
        "html_theme_options = {'show_powered_by': False}\n"
        f"linkcheck_timeout = {TIMEOUT}\n" + extra_conf,
        encoding="utf-8",
    )
    lines = ["# Links", ""] + [f"- [link {i}]({url})" for i, url in enumerate(links)]
    (root / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_check(project: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    build = project / "_build"
    cmd = [sys.executable, str(ROOT / "tools" / "check_links.py")]
    cmd += ["--srcdir", str(project), "--builddir", str(build)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    summary = json.loads((build / "linkcheck" / "summary.json").read_text("utf-8"))
    return result, summary


def verdicts(summary: dict) -> dict[str, dict]:
    """summary.json's verdicts on external links, by URI."""
    return {v["uri"]: v for v in summary["external"]}


def output_json(project: Path) -> dict[str, dict[str, object]]:
    lines = (project / "_build" / "linkcheck" / "output.json").read_text("utf-8").splitlines()
    return {r["uri"]: r for r in map(json.loads, lines)}


# -- Every case a host can answer, in one project (one build) --------------


class Mixed(NamedTuple):
    base: str  # the server's address
    site: Site  # what the server saw
    project: Path
    result: subprocess.CompletedProcess[str]  # of tools/check_links.py
    summary: dict  # its summary.json


@pytest.fixture(scope="module")
def mixed(server: tuple[str, Site], tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    base, site = server
    refused = f"http://127.0.0.1:{closed_port()}/refused"
    links = [
        f"{base}/good",
        f"{base}/good#present",
        f"{base}/good#absent",
        f"{base}/missing",
        f"{base}/redirect",
        f"{base}/allowed-redirect",
        f"{base}/rate-limited",
        f"{base}/slow",
        refused,
    ]
    # One redirect is allowed the way conf.py allows them (a labelled entry).
    extra = (
        "linkcheck_allowed_redirects = {**linkcheck_allowed_redirects,\n"
        f"    r'{base}/allowed-redirect': r'{base}/good'}}\n"
        # A link in the theme's navigation, not in any document.
        f"html_theme_options['extra_nav_links'] = {{'Theme': '{base}/missing-in-theme'}}\n"
    )
    project = make_project(tmp_path_factory.mktemp("mixed") / "project", links, extra)
    result, summary = run_check(project)
    return Mixed(base, site, project, result, summary)


def test_the_check_fails_and_names_file_line_and_link(mixed: Mixed) -> None:
    base, _site, _project, result, _summary = mixed
    assert result.returncode == 1, result.stdout + result.stderr
    # index.md: the heading, a blank line, then one link a line; /missing is the 4th.
    assert f"FAILED index.md:6: {base}/missing: broken: 404 Client Error" in result.stdout


@pytest.mark.parametrize(
    ("path", "verdict", "reason"),
    [
        ("/good", "passed", ""),
        ("/good#present", "passed", ""),
        ("/good#absent", "failed", "Anchor 'absent' not found"),
        ("/missing", "failed", "404 Client Error: Not Found"),
        ("/redirect", "failed", "redirects to"),
        ("/allowed-redirect", "passed", ""),
        ("/rate-limited", "passed", ""),
        ("/slow", "failed", "Read timed out"),
    ],
)
def test_each_answer_is_classified(mixed: Mixed, path: str, verdict: str, reason: str) -> None:
    base, _site, _project, result, summary = mixed
    got = verdicts(summary)[base + path]
    assert got["verdict"] == verdict, (got, result.stdout)
    assert reason in got["reason"]
    if verdict == "failed":
        assert f"{base}{path}" in result.stdout


def test_a_broken_link_in_the_theme_templates_fails(mixed: Mixed) -> None:
    base, _site, _project, result, summary = mixed
    got = verdicts(summary)[f"{base}/missing-in-theme"]
    assert got["verdict"] == "failed"
    assert re.fullmatch(r"\S+\.html:\d+ \(theme template\)", got["where"]), got
    assert f"FAILED {got['where']}: {base}/missing-in-theme: broken: 404" in result.stdout


def test_a_refused_connection_fails_when_the_network_is_up(mixed: Mixed) -> None:
    base, _site, _project, _result, summary = mixed
    # The server answered the probe, so this machine has a network: a host
    # that refuses the connection is a broken link, not an unchecked one.
    assert summary["probe"]["online"] is True
    assert f"127.0.0.1:{base.rsplit(':', 1)[1]}" in summary["probe"]["reachable"]
    refused = [v for v in summary["external"] if v["uri"].endswith("/refused")]
    assert refused and refused[0]["verdict"] == "failed"
    assert "Connection refused" in refused[0]["reason"]


def test_rate_limit_is_honoured_with_retry_after(mixed: Mixed) -> None:
    _base, site, _project, _result, _summary = mixed
    first, second = site.hits["/rate-limited"][:2]
    assert second - first >= RETRY_AFTER * 0.9, site.hits["/rate-limited"]


def test_timeouts_count_as_broken_and_are_retried(mixed: Mixed) -> None:
    base, site, project, _result, _summary = mixed
    conf = runpy.run_path(str(ROOT / "conf.py"))
    record = output_json(project)[f"{base}/slow"]
    assert record["status"] == "broken"  # linkcheck_report_timeouts_as_broken
    assert len(site.hits["/slow"]) == conf["linkcheck_retries"]


# -- Good links pass; unreachable hosts are not checked, not passed ---------


def test_good_links_pass(server: tuple[str, Site], tmp_path: Path) -> None:
    base, _site = server
    project = make_project(tmp_path / "project", [f"{base}/good", f"{base}/good#present"])
    result, summary = run_check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {v["verdict"] for v in summary["external"]} == {"passed"}
    assert "external links (Sphinx linkcheck builder, pages and theme): 2 passed, 0 failed" in (
        result.stdout
    )


def test_unreachable_hosts_are_reported_not_checked(tmp_path: Path) -> None:
    port = closed_port()
    links = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"]
    project = make_project(tmp_path / "project", links)
    result, summary = run_check(project)
    # No link host answers the probe: this machine is offline for them.
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary["probe"] == {
        "endpoints": [f"127.0.0.1:{port}"],
        "reachable": [],
        "online": False,
    }
    assert [v["verdict"] for v in summary["external"]] == ["not checked"] * 2
    assert (
        f"NOT CHECKED: 2 external links; no network: none of 1 link host(s) "
        f"(127.0.0.1:{port}) answered" in result.stdout
    )
    assert "0 passed, 0 failed, 2 NOT CHECKED" in result.stdout


# -- The classification alone, with the probe's answer given ----------------

NO_DNS = (
    "HTTPSConnectionPool(host='en.wikipedia.org', port=443): Max retries exceeded with url: "
    "/wiki/X (Caused by NameResolutionError(\"HTTPSConnection(host='en.wikipedia.org', "
    "port=443): Failed to resolve 'en.wikipedia.org' ([Errno -2] Name or service not known)\"))"
)
NOT_FOUND = "404 Client Error: Not Found for url: https://en.wikipedia.org/wiki/X"


def record(status: str, info: str = "", uri: str = "https://en.wikipedia.org/wiki/X") -> dict:
    return {"filename": "a.md", "lineno": 3, "status": status, "code": 0, "uri": uri, "info": info}


OFFLINE = check_links.Probe(["en.wikipedia.org:443"], [])
ONLINE = check_links.Probe(["en.wikipedia.org:443"], ["en.wikipedia.org:443"])


@pytest.mark.parametrize(
    ("rec", "probe", "verdict"),
    [
        (record("broken", NO_DNS), OFFLINE, "not checked"),
        (record("broken", NO_DNS), ONLINE, "failed"),
        (record("broken", NOT_FOUND), OFFLINE, "failed"),
        (record("broken", NOT_FOUND), ONLINE, "failed"),
        (record("timeout", "Read timed out. (read timeout=15)"), OFFLINE, "failed"),
        (record("redirected", "https://en.wikipedia.org/wiki/Y"), ONLINE, "failed"),
        (record("working"), ONLINE, "passed"),
        (record("ignored"), ONLINE, "ignored"),
        (record("unchecked", uri="#background-luhansk"), OFFLINE, "internal"),
        (record("broken", "", uri="missing.pdf"), OFFLINE, "failed"),
    ],
)
def test_classify(rec: dict, probe: check_links.Probe, verdict: str) -> None:
    (got,) = check_links.classify([rec], probe)
    assert got.verdict == verdict
    assert got.where == "a.md:3"
    if verdict == "not checked":
        assert got.reason == "no network: none of 1 link host(s) (en.wikipedia.org:443) answered"


def test_probe_connects_to_each_link_host(server: tuple[str, Site]) -> None:
    base, _site = server
    port = closed_port()
    answer = check_links.probe([f"{base}/good", f"http://127.0.0.1:{port}/x", "#anchor"])
    assert answer.endpoints == sorted([base.removeprefix("http://"), f"127.0.0.1:{port}"])
    assert answer.reachable == [base.removeprefix("http://")]
    assert answer.online


# -- conf.py: every exception to the checks says why ------------------------


def test_every_linkcheck_exception_in_conf_py_has_a_reason() -> None:
    """Each entry of the ignore, anchor-ignore and redirect settings has a comment above it."""
    source = (ROOT / "conf.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    names = {"linkcheck_ignore", "linkcheck_anchors_ignore_for_url", "linkcheck_allowed_redirects"}
    seen = set()
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if not (isinstance(target, ast.Name) and target.id in names):
            continue
        seen.add(target.id)
        value = node.value
        entries = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", [])
        for entry in entries:
            assert entry is not None
            above = lines[entry.lineno - 2].strip()
            assert above.startswith("#"), f"conf.py:{entry.lineno}: {target.id} entry has no reason"
    assert seen == names
