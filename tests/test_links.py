"""`make linkcheck` (tools/check_links.py): every kind of break is caught and named.

Internal breaks are planted in a copy of the site. External links are checked
with the project's linkcheck settings in a throwaway project, against a local
server that answers as real hosts do (an anchor, a 404, redirects, a 429 with
Retry-After, a slow answer) and against hosts that cannot be reached.
"""

import contextlib
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sphinx.config import Config
from sphinx.util.tags import Tags

import check_links
from conftest import append, local_server, tool
from publication import ROOT, copy_project

# -- Internal links ------------------------------------------------------------------------

BASE = "https://example.org/en/latest/"  # html_baseurl of the copy
Run = subprocess.CompletedProcess[str]
# A link planted in a page (an image when it ends in .png), and the reason it fails.
PLANTED = [
    ("background/index.md", "../relations/index.html#nowhere", "no id 'nowhere'"),
    ("see-also/index.md", "../no-such-page.html", "no such file"),
    ("relations/official-relations.md", "../_static/none.png", "no such file"),
    # a page of the published site that is not built
    ("index.md", f"{BASE}no-such-page.html", "no such file: no-such-page.html"),
]


@pytest.fixture(scope="module")
def internal_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("internal")
    site = copy_project(tmp / "site")
    for page, link, _ in PLANTED:
        tag = f'<img src="{link}" alt="x">' if link.endswith(".png") else f'<a href="{link}">x</a>'
        append(site / page, tag)
    good = '<a href="/en/latest/background/index.html#background-referendum">ok</a>'
    append(site / "index.md", good)  # a link to the published site itself
    # Sphinx never checks that a stylesheet exists.
    append(site / "conf.py", f'html_baseurl = "{BASE}"\nhtml_css_files += ["no-such-style.css"]')
    return tool(site, "check_links.py", "--outdir", tmp / "out", "--no-external")


@pytest.mark.parametrize(("page", "link", "why"), PLANTED)
def test_an_internal_break_fails_naming_page_source_and_link(
    internal_run: Run, page: str, link: str, why: str
) -> None:
    html, output = re.escape(page.replace(".md", ".html")), internal_run.stdout
    pattern = rf"^FAILED {html}:\d+ \(from {re.escape(page)}\): {re.escape(link)}: .*{why}"
    assert internal_run.returncode == 1 and re.search(pattern, output, re.M), output


def test_a_missing_theme_asset_and_a_good_site_link(internal_run: Run) -> None:
    output = internal_run.stdout
    assert re.search(r"^FAILED \S+\.html:\d+.*: \S*no-such-style\.css: no such file", output, re.M)
    assert "background-referendum" not in output  # the good link to the published site passed
    assert re.search(r"unchecked, not asked for \(--no-external\):\n  https://", output)


# -- External links --------------------------------------------------------------------------

PAGE = b'<!DOCTYPE html><html><body><h1 id="present">A page</h1></body></html>'
# Paths that do not answer 200 at once; /rate-limited answers 429 the first time only.
ANSWERS = {"/missing": (404, {}), "/redirect": (301, {"Location": "/good"})}
ANSWERS["/allowed-redirect"] = ANSWERS["/redirect"]
HITS: dict[str, int] = {}  # requests by path


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("#")[0]
        HITS[path] = HITS.get(path, 0) + 1
        status, headers = ANSWERS.get(path, (200, {}))
        if path == "/rate-limited" and HITS[path] == 1:
            status, headers = 429, {"Retry-After": "1"}
        time.sleep(3 if path == "/slow" else 0)
        with contextlib.suppress(OSError):  # the client gave up: nothing to answer
            self.send_response(status)
            for name, value in {"Content-Type": "text/html", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(PAGE)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    HITS.clear()
    with local_server(Handler) as httpd:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


def throwaway(folder: Path, links: list[str], extra: str = "") -> Path:
    """A one-page project with the site's linkcheck settings (1 s timeout) linking to `links`."""
    config = Config.read(ROOT, overrides={}, tags=Tags())._raw_config
    settings = {k: v for k, v in config.items() if k.startswith("linkcheck_")}
    settings |= {"linkcheck_timeout": 1, "extensions": ["myst_parser", "site_html"]}
    folder.mkdir()
    conf = "".join(f"{k} = {v!r}\n" for k, v in settings.items())
    (folder / "conf.py").write_text(conf + extra, "utf-8")
    (folder / "index.md").write_text("# Links\n\n" + "".join(f"- <{u}>\n" for u in links), "utf-8")
    return folder


def verdicts(project: Path, template: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    found = check_links.external(project.parent / "out", project, template or {}, [])
    return {v.uri: (v.verdict, v.reason) for v in found}


EXPECTED = {  # the verdict on each link to the local server
    "/good": "passed",
    "/good#present": "passed",
    "/good#absent": "failed",
    "/missing": "failed",
    "/redirect": "failed",  # not in linkcheck_allowed_redirects
    "/allowed-redirect": "passed",
    "/rate-limited": "passed",  # after waiting as Retry-After said
    "/slow": "failed",  # a timeout counts as broken
    "/good?from=footer": "passed",  # a link only a template holds is checked too
}


def test_external_links_against_a_local_server(server: str, tmp_path: Path) -> None:
    links = [server + path for path in EXPECTED if path != "/good?from=footer"]
    allowed = f"linkcheck_allowed_redirects[r'{server}/allowed-redirect'] = r'{server}/good'\n"
    template = {f"{server}/good?from=footer": "index.html:9"}
    found = verdicts(throwaway(tmp_path / "p", links, allowed), template)
    assert {uri.removeprefix(server): v for uri, (v, _) in found.items()} == EXPECTED
    assert "not in linkcheck_allowed_redirects" in found[f"{server}/redirect"][1]


def test_unreachable_hosts_are_unchecked_with_the_reason_not_failed(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the socket is closed
    links = [f"http://127.0.0.1:{closed}/page", "https://no-such-host.invalid/page"]
    found = verdicts(throwaway(tmp_path / "p", links))
    assert {v for v, _ in found.values()} == {"unchecked"}, found
    assert all(reason.startswith("no network: none of 127.0.0.1:") for _, reason in found.values())
    status = check_links.report([check_links.Verdict("x", u, *found[u]) for u in found], tmp_path)
    assert status == 0
