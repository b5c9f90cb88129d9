#!/usr/bin/env python3
"""`make linkcheck`: every link of the site is checked, or it says why not.

1. Internal links: the HTML is built strictly (tools/build.py: a broken MyST
   link, label or image fails there, naming file and line), then every href,
   src and srcset of every page, and every url() of its stylesheets, must name
   a file of the build, and every #fragment an id in its page. Links to the
   published site itself (html_baseurl: canonical links, the 404 page's
   /en/latest/... links) are looked up in the build.
2. External links: Sphinx's linkcheck builder (tuned in conf.py), handed the
   links only templates hold too (site_html.py). Offline, when none of the
   links' hosts answers, the links that cannot connect are "unchecked", listed
   with the reason, and do not fail. Anything else broken, redirected without
   leave or too slow fails.

Reports in OUTDIR/linkcheck/: output.json (Sphinx's), summary.json (every
verdict). Exit status 0 only when nothing failed.
"""

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
VERDICTS = ("passed", "failed", "unchecked")
SORTED = {"working": ("passed", ""), "ignored": ("unchecked", "linkcheck_ignore")}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
LINKS = {"href", "src", "srcset", "action", "xlink:href"}  # the canonical link is checked apart
NOT_FILES = ("mailto:", "tel:", "data:", "javascript:", "about:")


@dataclass(frozen=True)
class Verdict:
    where: str  # page:line (from source.md), or source.md:line for external links
    uri: str
    verdict: str  # one of VERDICTS
    reason: str = ""


class Page(HTMLParser):
    """The ids of a page (or a stylesheet: none) and the links in it, with their lines."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            self.links = [
                (text.count("\n", 0, m.start()) + 1, m[1]) for m in CSS_URL.finditer(text)
            ]
        else:
            self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)
            elif value and name in LINKS and ("rel", "canonical") not in attrs:
                uris = [p.split()[0] for p in value.split(",")] if name == "srcset" else [value]
                self.links += [(self.getpos()[0], uri) for uri in uris]

    handle_startendtag = handle_starttag


def internal(htmldir: Path, srcdir: Path) -> tuple[list[Verdict], dict[str, str]]:
    """Every link of the built HTML judged; and the external URLs, with where each is first."""
    htmldir = htmldir.resolve()
    files = sorted([*htmldir.rglob("*.html"), *htmldir.rglob("*.css")])
    pages = {path: Page(path) for path in files}
    index = (htmldir / "index.html").read_text("utf-8")
    canonical = re.search(r'rel="canonical" href="([^"]*)index\.html"', index)
    base = canonical[1] if canonical else ""  # html_baseurl
    verdicts, external = [], {}
    for path, page in pages.items():
        name = path.relative_to(htmldir).as_posix()
        source = Path(name).with_suffix(".md")
        where = f"{name}:{{}}" + (f" (from {source})" if (srcdir / source).is_file() else "")
        for line, uri in page.links:
            if uri.startswith(("http:", "https:")) and not (base and uri.startswith(base)):
                external.setdefault(uri, where.format(line))
            elif not uri.startswith(NOT_FILES):
                problem = check(uri, path, htmldir, base, pages)
                verdict = "failed" if problem else "passed"
                verdicts.append(Verdict(where.format(line), uri, verdict, problem or ""))
    return verdicts, external


def check(uri: str, page: Path, htmldir: Path, base: str, pages: dict[Path, Page]) -> str | None:
    """What is wrong with a link from `page` to a file of the build (None: nothing)."""
    prefix = urlsplit(base).path or "/"
    if base and uri.startswith(base):  # the published site: as a root-relative link
        uri = prefix + uri.removeprefix(base)
    parts = urlsplit(uri)
    path = unquote(parts.path)
    if path.startswith("/"):  # root-relative: on the published site (the 404 page's links)
        if not path.startswith(prefix):
            return f"outside the published site ({prefix})"
        target = htmldir / path.removeprefix(prefix)
    else:
        target = page.parent / path if path else page
    target = (target / "index.html" if target.is_dir() or path.endswith("/") else target).resolve()
    if not target.is_file():
        shown = target.relative_to(htmldir) if target.is_relative_to(htmldir) else target
        return f"no such file: {shown}"
    ids = pages[target].ids if target in pages else None
    if parts.fragment and ids is not None and unquote(parts.fragment) not in ids:
        return f"no id {unquote(parts.fragment)!r} in {target.relative_to(htmldir)}"
    return None


def reachable(uris: list[str], timeout: float = 3.0) -> tuple[list[str], bool]:
    """The links' distinct hosts (host:port), and whether any accepts a TCP connection."""
    ports = {"http": 80, "https": 443}
    hosts = {(p.hostname, p.port or ports[p.scheme]) for p in map(urlsplit, uris) if p.hostname}

    def connects(host: tuple[str | None, int]) -> bool:
        try:
            with socket.create_connection(host, timeout=timeout):
                return True
        except OSError:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = any(pool.map(connects, hosts))
    return sorted(f"{host}:{port}" for host, port in hosts), answered


def external(outdir: Path, srcdir: Path, extra: dict[str, str], opts: list[str]) -> list[Verdict]:
    """Sphinx's linkcheck builder on the documents and the template links, sorted."""
    report = outdir / "linkcheck"
    report.mkdir(parents=True, exist_ok=True)
    (report / "template-links.txt").write_text("".join(f"{u}\n" for u in sorted(extra)), "utf-8")
    cmd = [sys.executable, "-m", "sphinx", "-b", "linkcheck", "-E", "-q", "-d", str(report / "dt")]
    cmd += ["-D", f"linkcheck_template_links={report / 'template-links.txt'}", *opts]
    run = subprocess.run([*cmd, str(srcdir), str(report)], capture_output=True, text=True)
    if run.returncode not in (0, 1) or not (report / "output.json").is_file():
        sys.stderr.write(run.stderr)
        return [Verdict("sphinx-build -b linkcheck", "", "failed", f"status {run.returncode}")]
    results = [json.loads(line) for line in (report / "output.json").read_text().splitlines()]
    results = [r for r in results if r["status"] != "unchecked"]  # #anchors, mailto: (step 1)
    hosts, online = reachable([r["uri"] for r in results])
    verdicts = []
    for r in results:
        # A link handed over from the built HTML has no line: say where the HTML has it.
        where = extra.get(r["uri"], "?") if r["lineno"] == -1 else f"{r['filename']}:{r['lineno']}"
        verdict, reason = SORTED.get(r["status"], ("failed", f"{r['status']}: {r['info']}"))
        if verdict == "failed" and not online and UNREACHABLE.search(r.get("info") or ""):
            verdict, reason = "unchecked", f"no network: none of {', '.join(hosts)} answered"
        elif r["status"] == "redirected":
            reason = f"redirects to {r['info']} (not in linkcheck_allowed_redirects)"
        verdicts.append(Verdict(where, r["uri"], verdict, reason))
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=pub.ROOT / "_build")
    parser.add_argument("--no-external", action="store_true", help="leave the web out, and say so")
    args, opts = parser.parse_known_args(argv)
    outdir = args.outdir.resolve()
    if build.main(["html", "--outdir", str(outdir), *opts]):
        print("linkcheck: 0 passed, 1 failed (the strict HTML build, above); links not checked")
        return 1
    verdicts, found = internal(outdir / "html", pub.ROOT)
    if args.no_external:
        reason = "not asked for (--no-external)"
        verdicts += [Verdict(where, uri, "unchecked", reason) for uri, where in found.items()]
    else:
        verdicts += external(outdir, pub.ROOT, found, opts)
    return report(verdicts, outdir / "linkcheck")


def report(verdicts: list[Verdict], folder: Path) -> int:
    """Print what failed and what was not checked; write summary.json; the exit status."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps([asdict(v) for v in verdicts], indent=1))
    passed, failed, unchecked = ([v for v in verdicts if v.verdict == k] for k in VERDICTS)
    for v in failed:
        print(f"FAILED {v.where}: {v.uri}: {v.reason}")
    for reason in dict.fromkeys(v.reason for v in unchecked):
        print(f"unchecked, {reason}:")
        print(*(f"  {v.uri} ({v.where})" for v in unchecked if v.reason == reason), sep="\n")
    counts = f"{len(passed)} passed, {len(failed)} failed, {len(unchecked)} unchecked"
    print(f"linkcheck: {counts}; reports in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
