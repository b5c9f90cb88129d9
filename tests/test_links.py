"""`make linkcheck` (tools/check_links.py): every kind of break is caught and named.

Internal breaks are planted in a copy of the site. External links are
checked by the project's linkcheck settings (read with Sphinx's config API)
in a throwaway project against a local server on 127.0.0.1 that answers as
real hosts do: a good page, an anchor, a 404, redirects, a 429 with
Retry-After, a slow answer; and against hosts that cannot be reached.
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sphinx.config import Config
from sphinx.util.tags import Tags

import check_links
from conftest import local_server
from publication import ROOT, copy_project

# -- Internal links ------------------------------------------------------------------------

PLANTED = {
    "a missing anchor": (
        "background/index.md",
        '<a href="../relations/index.html#nowhere">x</a>',
        "no id 'nowhere'",
    ),
    "a missing page": ("see-also/index.md", '<a href="../no-such-page.html">x</a>', "no such file"),
    "a missing image": (
        "relations/official-relations.md",
        '<img src="../_static/none.png" alt="x">',
        "no such file",
    ),
    "a page of the published site that is not built": (
        "index.md",
        '<a href="https://example.org/en/latest/no-such-page.html">x</a>',
        "no such file: no-such-page.html",
    ),
}


@pytest.fixture(scope="module")
def internal_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    tmp = tmp_path_factory.mktemp("internal")
    site = copy_project(tmp / "site")
    for page, markup, _ in PLANTED.values():
        with (site / page).open("a", encoding="utf-8") as handle:
            handle.write(f"\n{markup}\n")
    with (site / "index.md").open(
        "a", encoding="utf-8"
    ) as handle:  # a good link to the site itself
        handle.write('\n<a href="/en/latest/background/index.html#background-referendum">ok</a>\n')
    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('html_baseurl = "https://example.org/en/latest/"\n')
        conf.write(
            'html_css_files = [*html_css_files, "no-such-style.css"]\n'
        )  # Sphinx never checks
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = check_links.main(
            ["--srcdir", str(site), "--outdir", str(tmp / "out"), "--no-external"]
        )
    return status, out.getvalue()


@pytest.mark.parametrize("case", PLANTED)
def test_an_internal_break_fails_naming_page_source_and_link(
    internal_run: tuple[int, str], case: str
) -> None:
    status, output = internal_run
    page, markup, why = PLANTED[case]
    link = re.search(r'(?:href|src)="([^"]+)"', markup).group(1)
    html = page.replace(".md", ".html")
    pattern = (
        rf"^FAILED {re.escape(html)}:\d+ \(from {re.escape(page)}\): {re.escape(link)}: .*{why}"
    )
    assert status == 1 and re.search(pattern, output, re.M), output


def test_a_missing_theme_asset_and_a_good_site_link(internal_run: tuple[int, str]) -> None:
    _, output = internal_run
    assert re.search(r"^FAILED \S+\.html:\d+.*: \S*no-such-style\.css: no such file", output, re.M)
    assert "background-referendum" not in output  # the good link to the published site passed
    assert re.search(r"unchecked, not asked for \(--no-external\):\n  https://", output)


# -- External links --------------------------------------------------------------------------

PAGE = b'<!DOCTYPE html><html><body><h1 id="present">A page</h1></body></html>'


HITS: dict[str, int] = {}  # requests by path, for the one that answers 429 once


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.answer(body=False)

    def do_GET(self) -> None:
        self.answer(body=True)

    def answer(self, *, body: bool) -> None:
        path = self.path.split("#")[0]
        HITS[path] = HITS.get(path, 0) + 1
        status, headers = 200, {}
        if path == "/rate-limited" and HITS[path] == 1:
            status, headers = 429, {"Retry-After": "1"}
        elif path in ("/redirect", "/allowed-redirect"):
            status, headers = 301, {"Location": "/good"}
        elif path == "/missing":
            status = 404
        elif path == "/slow":
            time.sleep(3)
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "text/html", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE if body else b"")
        except OSError:
            pass  # the client gave up: nothing to answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    HITS.clear()
    with local_server(Handler) as httpd:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"


def throwaway(folder: Path, links: list[str], extra: str = "") -> Path:
    """A one-page project with the site's linkcheck settings (1 s timeout) linking to `links`."""
    site = Config.read(ROOT, overrides={}, tags=Tags())
    settings = {k: v for k, v in site._raw_config.items() if k.startswith("linkcheck_")}
    settings["linkcheck_timeout"] = 1
    folder.mkdir()
    conf = "".join(f"{k} = {v!r}\n" for k, v in settings.items())
    (folder / "conf.py").write_text(
        f'extensions = ["myst_parser", "site_html"]\n{conf}{extra}', "utf-8"
    )
    (folder / "index.md").write_text("# Links\n\n" + "".join(f"- <{u}>\n" for u in links), "utf-8")
    return folder


def verdicts(
    project: Path, out: Path, template: dict[str, str] | None = None
) -> dict[str, tuple[str, str]]:
    found = check_links.external(out, project, template or {}, [])
    return {v.uri: (v.verdict, v.reason) for v in found}


def test_external_links_against_a_local_server(server: str, tmp_path: Path) -> None:
    links = [
        f"{server}/{p}" for p in ("good", "good#present", "good#absent", "missing", "redirect")
    ]
    links += [f"{server}/allowed-redirect", f"{server}/rate-limited", f"{server}/slow"]
    allowed = f"linkcheck_allowed_redirects[r'{server}/allowed-redirect'] = r'{server}/good'\n"
    template = {f"{server}/good?from=footer": "index.html:9"}
    found = verdicts(throwaway(tmp_path / "p", links, allowed), tmp_path / "out", template)
    verdict = {uri.removeprefix(server): v for uri, (v, _) in found.items()}
    assert verdict == {
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
    assert "not in linkcheck_allowed_redirects" in found[f"{server}/redirect"][1]


def test_unreachable_hosts_are_unchecked_with_the_reason_not_failed(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens here once the socket is closed
    links = [f"http://127.0.0.1:{closed}/page", "https://no-such-host.invalid/page"]
    found = verdicts(throwaway(tmp_path / "p", links), tmp_path / "out")
    assert {v for v, _ in found.values()} == {"unchecked"}, found
    assert all(reason.startswith("no network: none of 127.0.0.1:") for _, reason in found.values())
    status = check_links.report([check_links.Verdict("x", u, *found[u]) for u in found], tmp_path)
    assert status == 0
