"""`make bench`: what the site costs its editors and readers, against a floor (README.md)."""

import argparse
import gzip
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup

try:
    import publication as pub
except ModuleNotFoundError:
    sys.exit("benchmarks/bench.py: run `make bench`, or set PYTHONPATH=_ext:tools as it does")

ROOT = pub.ROOT
ENV = os.environ | {"PYTHONPATH": f"{ROOT / '_ext'}:{ROOT / 'tools'}", "NO_COLOR": "1"}
FOLDER = next(entry for entry in pub.CONTENT if not entry.endswith(".md"))  # of pages
SYNTHETIC = f"{FOLDER}/synthetic"  # where pages are added: a folder the site builds
EDITED = {"site": f"{FOLDER}/index.md", "floor": "index.md"}  # the page edited
LINES = pub.ARTICLE_COPY.read_text(encoding="utf-8").splitlines()
PARAGRAPHS = [line for line in LINES if len(line) > 80 and not line.startswith(("=", "-"))]
FETCHED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}
PRECOMPRESSED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".woff", ".woff2"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
ROWS: list[list[str]] = []  # the table


class Timing(NamedTuple):
    cpu: float  # user + system, of the command and its children
    wall: float

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s CPU, {self.wall:.2f} s wall"


def row(what: str, site: object, floor: object = "", ratio: float | None = None, target=None):
    """A row of the table. Of two timings, the ratio is the CPU time's, the wall's beside it."""
    shown = "" if ratio is None else f"{ratio:.2f}x"
    if isinstance(site, Timing) and isinstance(floor, Timing):
        ratio = site.cpu / floor.cpu
        shown = f"{ratio:.2f}x (wall {site.wall / floor.wall:.2f}x)"
    # A ratio of zero or less is of noise (a cost lost in it): it meets or misses nothing.
    judged = ratio is not None and ratio > 0 and target is not None
    verdict = ("met", "**missed**")[ratio > target] if judged else ""
    ROWS.append([what, str(site), str(floor), shown, f"≤ {target:g}x" if target else "", verdict])


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[Timing, subprocess.CompletedProcess]:
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(sum(after[:2]) - sum(before[:2]), wall), done


def build(fmt: str, project: Path, outdir: Path) -> Timing:
    cmd = [sys.executable, str(ROOT / "tools/build.py"), fmt, "--srcdir", str(project)]
    timing, done = timed([*cmd, "--outdir", str(outdir)])
    if done.returncode:
        output = (done.stdout + done.stderr)[-3000:]
        raise SystemExit(f"{output}\nbenchmarks: {fmt} of {project.name} failed")
    return timing


def measure(runs: int, projects: dict, fmt: str = "html", first: str = "") -> dict:
    """Build each project `runs` times, alternately, the output deleted first (first="clean")
    or a page edited (first="edit"); the median timings, by project."""
    times: dict[str, list[Timing]] = {name: [] for name in projects}
    for run in range(runs):
        for name, project in projects.items():
            out, page = project.with_name(f"{project.name}-{fmt}"), project / EDITED[name]
            if first == "clean":
                shutil.rmtree(out, ignore_errors=True)
            elif first == "edit":
                page.write_text(f"{page.read_text('utf-8')}\nAn edit, number {run}.\n", "utf-8")
            times[name].append(build(fmt, project, out))
    for name, got in times.items():
        print(f"  {fmt}, {name}:", *(f"{t.cpu:.2f}/{t.wall:.2f}" for t in got), file=sys.stderr)
    return {n: Timing(*map(statistics.median, zip(*got, strict=True))) for n, got in times.items()}


def make_floor(dest: Path) -> Path:
    """One page of MyST + furo: the article's lead. Its PDF as the site's: xelatex, howto."""
    dest.mkdir()
    (dest / "index.md").write_text(f"# Floor\n\n{PARAGRAPHS[0]}\n", encoding="utf-8")
    (dest / "conf.py").write_text(
        'project = "Floor"\nextensions = ["myst_parser"]\nhtml_theme = "furo"\nlatex_engine = '
        f'"xelatex"\nlatex_documents = [("index", "{pub.NAME}.tex", "Floor", "", "howto")]\n'
    )
    return dest


def add_pages(project: Path, count: int) -> None:
    """Pages like the site's: a description, a label, the article's paragraphs in two
    sections, a cross-reference, a link, a note; in a hidden toctree on the front page."""
    folder, names = project / SYNTHETIC, [f"page-{n}" for n in range(1, count + 1)]
    folder.mkdir(parents=True)
    front = '---\nmyst:\n  html_meta:\n    description: "{}"\n---\n\n({})=\n# {}\n\n'
    toctree = "\n".join(["```{toctree}", *names, "```\n"])
    index = front.format("The added pages.", SYNTHETIC, "Added pages") + toctree
    (folder / "index.md").write_text(index)
    for n, name in enumerate(names, start=1):
        p = [PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(3)]
        previous = f"{SYNTHETIC}/page-{n - 1}" if n > 1 else SYNTHETIC
        (folder / f"{name}.md").write_text(
            front.format(f"Page {n}.", f"{SYNTHETIC}/{name}", f"Page {n}") + f"{p[0]}\n\n## One\n\n"
            f"{p[1]} See [the previous page](#{previous}).\n\n## Two\n\n{p[2]} See also "
            "[Russia](https://en.wikipedia.org/wiki/Russia).\n\n```{note}\nAdded.\n```\n"
        )
    with (project / "index.md").open("a", encoding="utf-8") as front_page:
        front_page.write(f"\n```{{toctree}}\n:hidden:\n\n{SYNTHETIC}/index\n```\n")


def repeat_events(project: Path, times: int) -> int:
    """The events file repeated, each copy with ids of its own; how many events now."""
    path, copies = project / pub.EVENTS, ["", *(f"-copy-{n}" for n in range(1, times))]
    events = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    grown = [e | {k: e[k] + c for k in ("id", "after") if k in e} for c in copies for e in events]
    path.write_text(yaml.safe_dump(grown, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return len(grown)


class Weight(NamedTuple):
    """What a first visit with an empty cache downloads: raw, and gzipped as served."""

    raw: int
    gzip: int
    files: list[str]
    remote: list[str]  # named, not counted

    def __str__(self) -> str:
        return f"{self.gzip / 1000:.1f} kB ({self.raw / 1000:.1f} kB)"


def page_weight(page: Path, site: Path, root: str = "/") -> Weight:
    """Every file a first visit to page fetches, once each: what HTML and CSS reference. A path
    from the server's root is in the site if it starts with root, the site's URL path."""
    site, sizes, remote, todo = site.resolve(), {}, [], [page.resolve()]
    while todo:
        if (path := todo.pop()) in sizes:
            continue
        data = path.read_bytes()
        small = data if path.suffix in PRECOMPRESSED else gzip.compress(data, 6, mtime=0)
        sizes[path], text = (len(data), len(small)), data.decode("utf-8", "replace")
        urls, css = [], text if path.suffix == ".css" else ""
        if path.suffix == ".html":
            soup = BeautifulSoup(text, "html.parser")
            links = soup("link", href=True)
            urls = [t["href"] for t in links if FETCHED_RELS & {*t.get("rel", [])}]
            urls += [t["src"] for t in soup(src=True)]
            styles = [t.text for t in soup("style")] + [t["style"] for t in soup(style=True)]
            css = "\n".join(styles)
        for url in (u.strip() for u in urls + [m[2] or m[4] for m in CSS_URL.finditer(css)]):
            parts, local = urlsplit(url), unquote(urlsplit(url).path)
            if not url or url[0] == "#" or parts.scheme in {"data", "javascript", "about"}:
                continue
            if parts.scheme or parts.netloc or (local[:1] == "/" and not local.startswith(root)):
                remote.append(url)
                continue
            target = site / local.removeprefix(root) if local[:1] == "/" else path.parent / local
            if not target.is_file():
                raise FileNotFoundError(f"{page}: references {url}, which is not in the site")
            todo.append(target.resolve())
    files = [path.relative_to(site).as_posix() for path in sizes]
    return Weight(*map(sum, zip(*sizes.values(), strict=True)), files, remote)


# First-visit weight, at most, against the floor's page: the pages with a picture carry it
# (the front page its map, the Timeline page the events drawn to scale, 1.2 kB gzipped).
TARGETS = {"index": 1.5, "timeline/index": 1.25}


def weigh(site: Path, floor: Path) -> None:
    root = urlsplit(pub.DEFAULT_BASE_URL).path  # the 404 page's links start with it
    floor_page = page_weight(floor / "index.html", floor)
    row("first visit: the floor's page, gzip (raw)", "", floor_page)
    for page in sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0][0] != "_"):
        name = page.relative_to(site).with_suffix("").as_posix()
        own = name in ("genindex", "search")  # Sphinx's own: against the floor's own
        base = page_weight(floor / f"{name}.html", floor) if own else floor_page
        got = page_weight(page, site, root)
        remote = f"; not counted: {', '.join(got.remote)}" if got.remote else ""
        what = f"first visit: {name} ({len(got.files)} files{remote})"
        row(what, got, base, got.gzip / base.gzip, TARGETS.get(name, 1.15))


def growth(tmp: Path, runs: int, base: dict[str, Timing], pages: int) -> None:
    """The site with 10x its pages, against the floor grown as much; the events 10x, 100x."""
    grown = {"site": pub.copy_project(tmp / "site-10x"), "floor": make_floor(tmp / "floor-10x")}
    for project in grown.values():
        add_pages(project, 9 * pages)
    took = measure(runs, grown)
    cost = {k: (took[k].cpu - base[k].cpu) / (9 * pages) * 1000 for k in took}  # ms per page
    site, floor = (f"{took[k]}; {cost[k]:.0f} ms per added page" for k in ("site", "floor"))
    row(f"10x pages ({10 * pages}), per added page", site, floor, cost["site"] / cost["floor"])
    for times in (10, 100):  # cost[10], cost[100]: ms per added event
        count = repeat_events(project := pub.copy_project(tmp / f"events-{times}x"), times)
        took = measure(runs, {"site": project})["site"]
        cost[times] = (took.cpu - base["site"].cpu) / (count - count // times) * 1000
        ratio = cost[100] / cost[10] if times == 100 else None
        site = f"{took}; {cost[times]:.1f} ms per added event"
        row(f"events file {times}x ({count} events)", site, "", ratio, 1.5 if ratio else None)


def suite(site: Timing) -> None:
    """`make check`, and the test suite (pytest, then make linkcheck), in the project."""
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    make = ["make", "--no-print-directory"]  # not "Leaving directory" last
    for what, cmds, target in [
        ("`make check`", [[*make, "check"]], 25),
        ("the test suite: pytest, `make linkcheck`", [pytest, [*make, "linkcheck"]], 100),
    ]:
        print(f"{what}, in {ROOT}", file=sys.stderr)
        done = [timed(cmd, ROOT) for cmd in cmds]
        said = "; ".join(  # how long each command took, how it ended, its last line
            f"{t.wall:.0f} s, exit {run.returncode}: {''.join(run.stdout.splitlines()[-1:])}"
            for t, run in done
        ).replace("|", "/")
        wall = sum(t.wall for t, _ in done)
        one = f"one clean site build: {site.wall:.2f} s"
        row(f"{what} ({said})", f"{wall:.0f} s wall", one, wall / site.wall, target)


def machine() -> str:
    cpu = re.search(r"model name\s*: (.*)", Path("/proc/cpuinfo").read_text())
    git = ["git", "-C", str(ROOT), "describe", "--always", "--dirty"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()
    versions = ", ".join(f"{p} {version(p)}" for p in ("sphinx", "furo", "myst-parser"))
    ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    return (
        f"{time.strftime('%Y-%m-%d')}, commit {commit}; {cpu[1] if cpu else os.uname().machine}, "
        f"{os.cpu_count()} cores, {ram:.0f} GiB RAM, load {os.getloadavg()[0]:.1f} at start; "
        f"Linux {os.uname().release}, Python {sys.version.split()[0]}, {versions}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per HTML figure (5)")
    for name, what in [("pdf", "PDF builds"), ("growth", "growth"), ("suite", "check, tests")]:
        parser.add_argument(f"--no-{name}", action="store_true", help=f"no {what}")
    args = parser.parse_args()
    runs, slow = args.runs, max(1, (args.runs + 1) // 2)  # PDF, growth
    started, described = time.perf_counter(), machine()
    print(described, file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        tmp = Path(folder)
        both = {"site": pub.copy_project(tmp / "site"), "floor": make_floor(tmp / "floor")}
        build("html", both["floor"], tmp / "warm")  # disk cache and bytecode: not timed
        first = measure(runs, both, first="clean")
        for name in both:  # to weigh, as built before the edits
            shutil.copytree(tmp / f"{name}-html/html", tmp / f"{name}-weighed")
        pages = len(pub.pages(both["site"]))
        row(f"clean HTML build ({pages} pages)", *first.values(), target=2.0)
        # No target: every build is from scratch, so a no-op costs a clean build (the old
        # 1.2x was set for Sphinx's incremental rebuild, which could pass with warnings left).
        row("no-op rebuild (from scratch, as every build)", *measure(runs, both).values())
        edited = measure(runs, both, first="edit")
        row(f"rebuild after editing one page ({EDITED['site']})", *edited.values())
        missing = [tool for tool in ("xelatex", "latexmk", "make") if not shutil.which(tool)]
        why = "--no-pdf" if args.no_pdf else f"{', '.join(missing)} missing" if missing else ""
        pdf = [f"skipped: {why}"] if why else measure(slow, both, "pdf", "clean").values()
        row("clean PDF build (xelatex, latexmk)", *pdf)
        weigh(tmp / "site-weighed", tmp / "floor-weighed")
        if not args.no_growth:
            growth(tmp, slow, first, pages)
    if not args.no_suite:
        suite(first["site"])
    print(f"\n{described}. Medians of {runs} runs (PDF, growth: {slow}; suite: 1).\n")
    for cells in [["measure", "site", "floor", "ratio", "target", "verdict"], ["---"] * 6, *ROWS]:
        print("| " + " | ".join(cells) + " |")
    print(f"\n{time.perf_counter() - started:.0f} s in all.", file=sys.stderr)


if __name__ == "__main__":
    main()
