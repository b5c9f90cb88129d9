#!/usr/bin/env python3
"""`make linkcheck`: check every link of the site, or say why it was not.

1. External links: Sphinx's linkcheck builder, strict, writes
   _build/linkcheck/output.json. Offline it calls every external link
   "broken" with a name-resolution or connection error, so each result is
   sorted here: a real TCP probe of the links' own hosts tells whether this
   machine reaches them; if none answers, links that failed only to connect
   are NOT CHECKED (counted, with the reason) and do not fail. Anything else
   that is broken, redirected without leave or timed out fails.
2. Internal links: the HTML is built strictly, then LinkChecker (PyPI) reads
   every page of _build/html and checks that each href and src (theme
   navigation, raw HTML, images, downloads, CSS, JS) names a file that
   exists, and each #anchor an element id in it. Links to the published
   site itself (html_baseurl: canonical links, a 404 page's /en/latest/...
   links) are looked up in the build, not fetched.
3. External links that only the theme's templates hold (footer credits),
   which the builder cannot see, go through the same builder and settings
   in a one-page project, and are sorted like those of step 1.

Reports, under <builddir>/linkcheck/: output.json (Sphinx, every external
link), internal.json (LinkChecker, every link of the HTML) and summary.json
(the verdict on each link, the probe, the counts). Exit status 0 only when
nothing failed.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import runpy
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

STRICT = ["-W", "--keep-going", "-n"]
LINKCHECKERRC = Path(__file__).with_name("linkcheckerrc")
PROBE_TIMEOUT = 3.0

# How requests/urllib3 say that a host could not be reached at all (as
# opposed to a host that answered badly). Only these can be "not checked".
UNREACHABLE = re.compile(
    r"NameResolutionError|Failed to resolve|Name or service not known"
    r"|Temporary failure in name resolution|nodename nor servname"
    r"|Failed to establish a new connection|Connection refused"
    r"|Network is unreachable|No route to host|ConnectTimeoutError|connect timeout="
)
WARNING_LINE = re.compile(r"\b(WARNING|ERROR|CRITICAL):")
# The linkcheck builder's warning for a redirect not allowed: a verdict on a
# link (from output.json), not a failure of the build.
REDIRECT_WARNING = re.compile(r"WARNING: redirect  ")

# LinkChecker, as its command line, but keeping the caller's user: as root
# (CI, this machine) it otherwise switches to "nobody", who can read neither
# a build under a private temporary folder nor write anything. It only reads
# our own files here, and checks no web host (see linkcheckerrc).
_LINKCHECKER = (
    "import linkcheck.command.linkchecker as cli; "
    "cli.drop_privileges = lambda: None; cli.linkchecker()"
)


@dataclass(frozen=True)
class Verdict:
    """What became of one link."""

    where: str  # source file and line, or built page and line
    uri: str
    verdict: str  # passed | failed | not checked | ignored | internal
    reason: str = ""


@dataclass(frozen=True)
class Probe:
    """Which of the external links' hosts this machine can open a connection to."""

    endpoints: list[str]
    reachable: list[str]

    @property
    def online(self) -> bool:
        return bool(self.reachable)

    def reason(self) -> str:
        shown = ", ".join(self.endpoints[:3]) + (" ..." if len(self.endpoints) > 3 else "")
        return f"no network: none of {len(self.endpoints)} link host(s) ({shown}) answered"


# -- Step 1: external links -------------------------------------------------


def endpoint(uri: str) -> str | None:
    """host:port of an http(s) link, or None for anything else."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def _connects(target: str, timeout: float) -> bool:
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:  # includes socket.gaierror (name resolution) and timeouts
        return False


def probe(uris: list[str], timeout: float = PROBE_TIMEOUT) -> Probe:
    """Resolve and open a TCP connection to each distinct host of `uris`.

    The links' own hosts are probed, not a fixed "well-known" host: on a
    machine that reaches only package registries, a registry answering says
    nothing about the web. Honours no proxy settings.
    """
    targets = sorted({e for e in map(endpoint, uris) if e})
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda t: _connects(t, timeout), targets))
    return Probe(targets, [t for t, ok in zip(targets, answers, strict=True) if ok])


def classify(results: list[dict[str, object]], probe: Probe) -> list[Verdict]:
    """Give a verdict on each record of the linkcheck builder's output.json."""
    verdicts = []
    for r in results:
        uri, status, info = str(r["uri"]), str(r["status"]), str(r.get("info") or "")
        where = str(r.get("where") or f"{r['filename']}:{r['lineno']}")
        if status == "working":
            verdicts.append(Verdict(where, uri, "passed"))
        elif status == "ignored":
            verdicts.append(Verdict(where, uri, "ignored", info or "linkcheck_ignore"))
        elif status == "unchecked":
            # '#anchor', mailto:, tel:: anchors are checked in the HTML (step 2).
            verdicts.append(Verdict(where, uri, "internal", "checked in the built HTML"))
        elif status == "redirected":
            reason = f"redirects to {info} (not in linkcheck_allowed_redirects)"
            verdicts.append(Verdict(where, uri, "failed", reason))
        elif not probe.online and endpoint(uri) and UNREACHABLE.search(info):
            verdicts.append(Verdict(where, uri, "not checked", probe.reason()))
        else:  # broken, timeout
            verdicts.append(Verdict(where, uri, "failed", f"{status}: {info}"))
    return verdicts


def run_sphinx(
    builder: str, srcdir: Path, builddir: Path, opts: list[str], *, quiet: bool = False
) -> list[str]:
    """Run `sphinx-build -M builder`; return its warning lines (output shown as it runs)."""
    cmd = [sys.executable, "-m", "sphinx", "-M", builder, str(srcdir), str(builddir), *opts]
    print("$", " ".join(cmd[2:]), flush=True)
    out = subprocess.DEVNULL if quiet else sys.stdout
    proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True, check=False)
    sys.stderr.write(proc.stderr)
    warnings = [
        line
        for line in proc.stderr.splitlines()
        if WARNING_LINE.search(line) and not REDIRECT_WARNING.search(line)
    ]
    # The linkcheck builder exits 1 for any broken link: those are judged
    # from output.json. Any other failure is a failure of the build.
    tolerated = (0, 1) if builder == "linkcheck" else (0,)
    if proc.returncode not in tolerated and not warnings:
        warnings = [f"sphinx-build -M {builder} exited with status {proc.returncode}"]
    return warnings


# -- Step 2: internal links -------------------------------------------------
# LinkChecker fits: it reads local files offline, checks anchors in them
# (its AnchorCheck plugin), installs from PyPI and needs ~2 s for this site.
# It reports a link target once, naming the first page that links to it.


def source_of(page: Path, htmldir: Path, srcdir: Path) -> str | None:
    """The Markdown file a built page comes from, if there is one."""
    md = srcdir / page.relative_to(htmldir).with_suffix(".md")
    return str(md.relative_to(srcdir)) if md.exists() else None


def run_linkchecker(htmldir: Path) -> str:
    """LinkChecker's XML report on every page of `htmldir`."""
    pages = [p.resolve().as_uri() for p in sorted(htmldir.rglob("*.html"))]
    cmd = [sys.executable, "-c", _LINKCHECKER, "--config", str(LINKCHECKERRC)]
    cmd += ["--no-status", "--verbose", "--output", "xml", *pages]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1) or "<linkchecker" not in proc.stdout:
        raise RuntimeError(f"LinkChecker failed (status {proc.returncode}):\n{proc.stderr}")
    return proc.stdout


@dataclass(frozen=True)
class Link:
    """One link LinkChecker checked (a start page has no `page`)."""

    page: str | None  # the built page that holds the link, relative to the HTML folder
    source: str | None  # the Markdown file that page is built from
    line: int | None
    url: str  # as written in the page
    target: str  # as resolved
    extern: bool
    valid: bool
    result: str
    warnings: list[str]


def read_linkchecker(report: str, htmldir: Path, srcdir: Path) -> list[Link]:
    """One record per link in LinkChecker's XML report."""
    links = []
    for item in ET.fromstring(report).iter("urldata"):
        parent, valid = item.find("parent"), item.find("valid")
        page = line = source = None
        if parent is not None and parent.text:
            page_path = Path(unquote(urlsplit(parent.text).path))
            page = str(page_path.relative_to(htmldir.resolve()))
            line = int(parent.get("line", "0"))
            source = source_of(htmldir / page, htmldir, srcdir)
        links.append(
            Link(
                page=page,
                source=source,
                line=line,
                url=item.findtext("url", ""),
                target=item.findtext("realurl", ""),
                extern=item.findtext("extern") == "1",
                valid=valid is not None and valid.text == "1",
                result=html.unescape(valid.get("result", "")) if valid is not None else "",
                warnings=[w.text or "" for w in item.iter("warning")],
            )
        )
    return links


def short(problem: str, htmldir: Path) -> str:
    """LinkChecker's message without the noise: no URLError wrapper, no anchor list."""
    missing = re.search(r"No such file or directory: '([^']+)'", problem)
    if missing:
        path, root = Path(missing.group(1)), htmldir.resolve()
        return f"no such file: {path.relative_to(root) if path.is_relative_to(root) else path}"
    return problem.split(" Available anchors:")[0]


def site_url(srcdir: Path) -> str:
    """Where the site is published (conf.py's html_baseurl, ending in /), or ''."""
    base = str(runpy.run_path(str(srcdir / "conf.py")).get("html_baseurl") or "")
    return base if not base or base.endswith("/") else base + "/"


def on_site(url: str, base: str, htmldir: Path) -> tuple[Path, str] | None:
    """The built file and anchor that a link to the published site names, if it is one.

    Canonical links and the 404 page's root-relative links (/en/latest/...)
    point at the published site; LinkChecker sees them as external. They are
    resolved against the build instead of being fetched from the web (where
    the pages of a pull request do not exist yet).
    """
    parts, prefix = urlsplit(url), urlsplit(base).path
    if base and url.startswith(base):
        rest = url[len(base) :]
    elif base and not parts.scheme and not parts.netloc and parts.path.startswith(prefix):
        rest = url[len(prefix) :]
    else:
        return None
    path, _, anchor = rest.partition("#")
    path = unquote(path.split("?")[0])
    return htmldir / (path + "index.html" if path.endswith("/") or not path else path), anchor


def check_on_site(target: Path, anchor: str, htmldir: Path) -> str | None:
    """What is wrong with a link to the published site, found in the build; None if nothing."""
    if not target.is_file():
        return f"no such file: {target.relative_to(htmldir)}"
    if anchor and not re.search(rf'\bid="{re.escape(anchor)}"', target.read_text("utf-8")):
        return f"Anchor `{anchor}' not found in {target.relative_to(htmldir)}"
    return None


def judge_internal(links: list[Link], htmldir: Path, base: str = "") -> list[Verdict]:
    """A link in the HTML fails if its file is missing or it warns (a missing anchor)."""
    verdicts = []
    for link in links:
        if link.page is None or link.url.startswith("data:"):
            continue  # a start page, or inline content (furo's icons): not links
        where = f"{link.page}:{link.line}" + (f" (from {link.source})" if link.source else "")
        problems = [
            short(p, htmldir) for p in ([] if link.valid else [link.result]) + link.warnings
        ]
        local = on_site(link.url, base, htmldir) if link.extern else None
        if local:
            problem = check_on_site(*local, htmldir)
            verdict = Verdict(where, link.url, "failed", problem) if problem else None
            verdicts.append(verdict or Verdict(where, link.url, "passed", "found in the build"))
        elif link.extern:
            reason = "external: the linkcheck builder's (steps 1 and 3)"
            verdicts.append(Verdict(where, link.url, "external", reason))
        elif problems:
            verdicts.append(Verdict(where, link.url, "failed", "; ".join(problems)))
        else:
            verdicts.append(Verdict(where, link.url, "passed"))
    return verdicts


# -- Step 3: external links only the theme's templates hold ----------------
# The builder reads documents, so it never sees the footer credits or the
# theme's own links. They are handed to the same builder, with the same
# settings, in a one-page project of their own.


def theme_project(uris: list[str], srcdir: Path, dest: Path) -> Path:
    """A one-page project linking to `uris`, with the site's linkcheck settings."""
    dest.mkdir(parents=True, exist_ok=True)
    conf = (srcdir / "conf.py").resolve()
    (dest / "conf.py").write_text(
        "import runpy\n"
        f"_site = runpy.run_path({str(conf)!r})\n"
        "_kept = ('linkcheck_', 'user_agent', 'tls_')\n"
        "globals().update({k: v for k, v in _site.items() if k.startswith(_kept)})\n",
        encoding="utf-8",
    )
    items = "".join(f"* `{i} <{uri}>`__\n" for i, uri in enumerate(uris))
    (dest / "index.rst").write_text(f"Theme links\n===========\n\n{items}", encoding="utf-8")
    return dest


def read_output_json(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


# -- Orchestration ----------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--srcdir", type=Path, default=Path("."))
    parser.add_argument("--builddir", type=Path, default=Path("_build"))
    parser.add_argument(
        "--no-external",
        action="store_true",
        help="skip steps 1 and 3, and say so (CI's build job: a job of its own does them)",
    )
    parser.add_argument("sphinxopts", nargs="*", help="passed to sphinx-build (after --)")
    args = parser.parse_args(argv)
    opts = args.sphinxopts or STRICT
    outdir = args.builddir / "linkcheck"
    htmldir = args.builddir / "html"
    build_failures: list[str] = []
    for stale in ("output.json", "internal.json", "summary.json"):
        (outdir / stale).unlink(missing_ok=True)

    # 1. External links of the documents.
    results: list[dict[str, object]] = []
    if not args.no_external:
        build_failures += run_sphinx("linkcheck", args.srcdir, args.builddir, opts)
        if (outdir / "output.json").exists():
            results = read_output_json(outdir / "output.json")
        else:
            build_failures.append(f"{outdir / 'output.json'} was not written")
    outdir.mkdir(parents=True, exist_ok=True)

    # 2. Every link of the HTML as built.
    html_failures = run_sphinx("html", args.srcdir, args.builddir, opts)
    build_failures += html_failures
    internal: list[Verdict] = []
    if not html_failures:
        links = read_linkchecker(run_linkchecker(htmldir), htmldir, args.srcdir)
        report_json = json.dumps([asdict(link) for link in links], indent=1)
        (outdir / "internal.json").write_text(report_json, "utf-8")
        internal = judge_internal(links, htmldir, site_url(args.srcdir))

    # 3. External links that only the theme's templates hold.
    checked = {str(r["uri"]) for r in results}
    theme_where = {v.uri: v.where for v in internal if v.verdict == "external"}
    theme_uris = sorted(u for u in theme_where if u not in checked and endpoint(u))
    theme_results: list[dict[str, object]] = []
    if not args.no_external and theme_uris:
        project = theme_project(theme_uris, args.srcdir, args.builddir / "linkcheck-theme")
        run_sphinx("linkcheck", project, project / "_build", STRICT, quiet=True)
        theme_json = project / "_build" / "linkcheck" / "output.json"
        if theme_json.exists():
            theme_results = read_output_json(theme_json)
        else:
            build_failures.append(f"{theme_json} was not written")
        for r in theme_results:
            page = theme_where[str(r["uri"])].split(" (from ")[0]
            r["where"] = f"{page} (theme template)"
    if not args.no_external:  # what the builder checked is not listed as unchecked
        done = checked | set(theme_uris)
        internal = [v for v in internal if not (v.verdict == "external" and v.uri in done)]

    # One probe for all: does this machine reach any of the links' hosts?
    net = probe([str(r["uri"]) for r in results + theme_results])
    verdicts = classify(results + theme_results, net)

    summary = {
        "probe": {**asdict(net), "online": net.online},
        "build_failures": build_failures,
        "external": [asdict(v) for v in verdicts],
        "internal": [asdict(v) for v in internal],
        "html_checked": not html_failures,
        "external_checked": not args.no_external,
    }
    (outdir / "summary.json").write_text(json.dumps(summary, indent=1), "utf-8")
    return report(
        verdicts,
        internal,
        build_failures,
        net,
        html_checked=not html_failures,
        external_skipped=args.no_external,
        reports=outdir,
    )


def report(
    external: list[Verdict],
    internal: list[Verdict],
    build_failures: list[str],
    net: Probe,
    *,
    html_checked: bool,
    external_skipped: bool = False,
    reports: Path = Path("_build/linkcheck"),
) -> int:
    """Print what failed, what was checked and what was not; return the exit status."""
    failed = [v for v in external + internal if v.verdict == "failed"]
    ext = Counter(v.verdict for v in external)
    intl = Counter(v.verdict for v in internal)
    print("\n== Link check ==")
    for line in dict.fromkeys(build_failures):  # each once, though both builds warn
        print(f"FAILED build: {line}")
    for v in failed:
        print(f"FAILED {v.where}: {v.uri}: {v.reason}")
    html_external = sorted({v.uri for v in internal if v.verdict == "external"})
    theme = [] if external_skipped else html_external
    if external_skipped:
        print(f"external links: {len(html_external)} NOT CHECKED, skipped (--no-external)")
    else:
        print(
            f"external links (Sphinx linkcheck builder, pages and theme): {ext['passed']} passed, "
            f"{ext['failed']} failed, {ext['not checked']} NOT CHECKED, {ext['ignored']} ignored"
        )
    if ext["not checked"]:
        print(f"  NOT CHECKED: {ext['not checked']} external links; {net.reason()}")
    for v in external:
        if v.verdict == "ignored":
            print(f"  ignored: {v.uri}: {v.reason}")
    if html_checked:
        print(
            f"links in the built HTML (LinkChecker: files and #anchors): "
            f"{intl['passed']} passed, {intl['failed']} failed"
        )
    else:
        print("links in the built HTML: NOT CHECKED, the strict HTML build failed (above)")
    if theme:
        print(f"  NOT CHECKED: {len(theme)} links of a scheme no step checks: {', '.join(theme)}")
    print(f"reports: {reports}/output.json, internal.json, summary.json")
    passed = ext["passed"] + intl["passed"]
    skipped = ext["not checked"] + ext["ignored"] + len(html_external)
    n_failed = len(failed) + len(set(build_failures))
    print(f"linkcheck: {passed} passed, {n_failed} failed, {skipped} skipped")
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
