#!/usr/bin/env python3
"""`make linkcheck`: every link of the site is checked, or it says why not.

1. Internal links: the HTML is built strictly (tools/build.py; a broken
   MyST link, label or image fails there, naming file and line), then every
   href, src and srcset of every page, and every url() of its stylesheets,
   must name a file of the build, and every #fragment an id in its page.
   Links to the published site itself (html_baseurl: canonical links, the
   404 page's /en/latest/... links) are looked up in the build.
2. External links: Sphinx's linkcheck builder, tuned in conf.py, run
   quietly; the links only templates hold (the footer's credit, the theme's
   links) are handed to it too (site_html.py). Offline, every link fails to
   connect: when none of the links' hosts answers, those links are
   "unchecked", listed with the reason, and do not fail. Anything else that
   is broken, redirected without leave or too slow fails.

Reports in OUTDIR/linkcheck/: output.json (Sphinx's), summary.json (every
verdict). Exit status 0 only when nothing failed.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import build
import publication as pub

# How requests says that a host could not be reached at all, as opposed to
# a host that answered badly: only these can be "unchecked".
UNREACHABLE = re.compile(
    r"NameResolutionError|Failed to resolve|Name or service not known|Temporary failure in name"
    r"|nodename nor servname|Failed to establish a new connection|Connection refused"
    r"|Network is unreachable|No route to host|ConnectTimeoutError|connect timeout="
)
LINK_ATTRIBUTES = {"href", "src", "srcset", "action", "xlink:href"}
NOT_FILES = ("mailto:", "tel:", "data:", "javascript:", "about:")


@dataclass(frozen=True)
class Verdict:
    where: str  # page:line (from source.md), or source.md:line for external links
    uri: str
    verdict: str  # passed | failed | unchecked
    reason: str = ""


class Page(HTMLParser):
    """The ids of a page and the links in it, with their lines."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in LINK_ATTRIBUTES and not (tag == "link" and ("rel", "canonical") in attrs):
                uris = (
                    [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
                )
                self.links += [(line, uri) for uri in uris if uri]

    handle_startendtag = handle_starttag


def internal(htmldir: Path, srcdir: Path) -> tuple[list[Verdict], dict[str, str]]:
    """Every link of the built HTML judged; and the external URLs, with where each is first."""
    pages = {p: Page(p.read_text(encoding="utf-8")) for p in sorted(htmldir.rglob("*.html"))}
    base = published_base(htmldir)
    verdicts, external = [], {}
    for path, page in pages.items():
        name = path.relative_to(htmldir).as_posix()
        source = srcdir / Path(name).with_suffix(".md")
        where_from = f" (from {source.relative_to(srcdir)})" if source.is_file() else ""
        for line, uri in page.links:
            where = f"{name}:{line}{where_from}"
            target = resolve(uri, path, htmldir, base)
            if target is None:
                if uri.startswith(("http:", "https:")):
                    external.setdefault(uri, where)
                continue
            problem = check_target(*target, pages, htmldir)
            verdicts.append(Verdict(where, uri, "failed" if problem else "passed", problem or ""))
    for css in sorted(htmldir.rglob("*.css")):  # what the stylesheets load
        for match in re.finditer(r"""url\(\s*['"]?([^'")]+)""", css.read_text(encoding="utf-8")):
            uri = match.group(1)
            target = resolve(uri, css, htmldir, base)
            if target is not None:
                problem = check_target(target[0], "", pages, htmldir)
                where = css.relative_to(htmldir).as_posix()
                verdicts.append(
                    Verdict(where, uri, "failed" if problem else "passed", problem or "")
                )
    return verdicts, external


def published_base(htmldir: Path) -> str:
    """html_baseurl, as the front page's canonical link gives it ("" without one)."""
    index = htmldir / "index.html"
    text = index.read_text(encoding="utf-8") if index.is_file() else ""
    found = re.search(r'<link rel="canonical" href="([^"]*?)index\.html"', text)
    return found.group(1) if found else ""


def resolve(uri: str, page: Path, htmldir: Path, base: str) -> tuple[Path, str] | None:
    """The built file and fragment a link names, or None for the web and non-files."""
    if uri.startswith(NOT_FILES):
        return None
    parts = urlsplit(uri)
    prefix = urlsplit(base).path or "/"
    if base and uri.startswith(base):  # the published site, absolutely
        path = htmldir / unquote(uri[len(base) :].split("#")[0].split("?")[0])
    elif parts.scheme or parts.netloc:
        return None
    elif parts.path.startswith("/"):  # the 404 page: /en/latest/...
        if not parts.path.startswith(prefix):
            return (htmldir / "/".join(["(outside the site)", parts.path]), "")
        path = htmldir / unquote(parts.path[len(prefix) :])
    elif parts.path:
        path = page.parent / unquote(parts.path)
    else:
        path = page
    if path.is_dir() or str(path).endswith("/"):
        path = path / "index.html"
    return path.resolve(), parts.fragment


def check_target(path: Path, fragment: str, pages: dict[Path, Page], htmldir: Path) -> str | None:
    """What is wrong with a link to `path#fragment` in the build; None when nothing."""
    if not path.is_file():
        shown = (
            path.relative_to(htmldir.resolve()) if path.is_relative_to(htmldir.resolve()) else path
        )
        return f"no such file: {shown}"
    page = pages.get(path) or (Page(path.read_text("utf-8")) if path.suffix == ".html" else None)
    if fragment and page is not None and unquote(fragment) not in page.ids:
        return f"no id {unquote(fragment)!r} in {path.relative_to(htmldir.resolve())}"
    return None


def reachable_hosts(uris: list[str], timeout: float = 3.0) -> tuple[list[str], list[str]]:
    """The distinct host:port of the links, and those that accept a TCP connection."""
    parts = [urlsplit(uri) for uri in uris]
    hosts = sorted(
        {
            f"{p.hostname}:{p.port or (443 if p.scheme == 'https' else 80)}"
            for p in parts
            if p.hostname
        }
    )

    def connects(host: str) -> bool:
        name, _, port = host.rpartition(":")
        try:
            with socket.create_connection((name, int(port)), timeout=timeout):
                return True
        except OSError:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(connects, hosts))
    return hosts, [h for h, ok in zip(hosts, answers, strict=True) if ok]


def external(outdir: Path, srcdir: Path, extra: dict[str, str], opts: list[str]) -> list[Verdict]:
    """Sphinx's linkcheck builder on the documents and the template links, sorted."""
    report = outdir / "linkcheck"
    report.mkdir(parents=True, exist_ok=True)
    (report / "template-links.txt").write_text("".join(f"{u}\n" for u in sorted(extra)), "utf-8")
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "linkcheck",
        "-E",
        "-q",
        "-d",
        str(report / "doctrees"),
    ]
    cmd += ["-D", f"linkcheck_template_links={report / 'template-links.txt'}", *opts]
    run = subprocess.run(
        [*cmd, str(srcdir), str(report)], capture_output=True, text=True, check=False
    )
    output = report / "output.json"
    if run.returncode not in (0, 1) or not output.is_file():
        sys.stderr.write(run.stderr)
        return [
            Verdict(
                "sphinx-build -b linkcheck", "", "failed", f"exited with status {run.returncode}"
            )
        ]
    results = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    results = [r for r in results if r["status"] != "unchecked"]  # #anchors, mailto: (step 1)
    hosts, reachable = reachable_hosts([r["uri"] for r in results])
    offline = f"no network: none of the {len(hosts)} hosts ({', '.join(hosts)}) answered"
    verdicts = []
    for r in results:
        # Links handed over from the built HTML have no line: say where the HTML has them.
        where = extra.get(r["uri"], "?") if r["lineno"] == -1 else f"{r['filename']}:{r['lineno']}"
        if r["status"] == "working":
            verdicts.append(Verdict(where, r["uri"], "passed"))
        elif r["status"] == "ignored":
            verdicts.append(Verdict(where, r["uri"], "unchecked", "linkcheck_ignore"))
        elif not reachable and UNREACHABLE.search(r.get("info") or ""):
            verdicts.append(Verdict(where, r["uri"], "unchecked", offline))
        elif r["status"] == "redirected":
            reason = f"redirects to {r['info']} (not in linkcheck_allowed_redirects)"
            verdicts.append(Verdict(where, r["uri"], "failed", reason))
        else:
            verdicts.append(Verdict(where, r["uri"], "failed", f"{r['status']}: {r['info']}"))
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=pub.ROOT / "_build")
    parser.add_argument("--srcdir", type=Path, default=pub.ROOT)
    parser.add_argument("--no-external", action="store_true", help="leave the web out, and say so")
    args, opts = parser.parse_known_args(argv)
    outdir, srcdir = args.outdir.resolve(), args.srcdir.resolve()
    if build.main(["html", "--outdir", str(outdir), "--srcdir", str(srcdir), *opts]):
        print("linkcheck: 0 passed, 1 failed (the strict HTML build, above); links not checked")
        return 1
    verdicts, found = internal(outdir / "html", srcdir)
    if args.no_external:
        reason = "not asked for (--no-external)"
        verdicts += [
            Verdict(where, uri, "unchecked", reason) for uri, where in sorted(found.items())
        ]
    else:
        verdicts += external(outdir, srcdir, found, opts)
    return report(verdicts, outdir / "linkcheck")


def report(verdicts: list[Verdict], folder: Path) -> int:
    """Print what failed and what was not checked; write summary.json; the exit status."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(
        json.dumps([asdict(v) for v in verdicts], indent=1), "utf-8"
    )
    count = {
        kind: [v for v in verdicts if v.verdict == kind]
        for kind in ("passed", "failed", "unchecked")
    }
    for v in count["failed"]:
        print(f"FAILED {v.where}: {v.uri}: {v.reason}")
    for reason in dict.fromkeys(v.reason for v in count["unchecked"]):
        shown = [v for v in count["unchecked"] if v.reason == reason]
        print(f"unchecked, {reason}:")
        print(*(f"  {v.uri} ({v.where})" for v in shown), sep="\n")
    print(
        f"linkcheck: {len(count['passed'])} passed, {len(count['failed'])} failed, "
        f"{len(count['unchecked'])} unchecked; reports in {folder}"
    )
    return 1 if count["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
