"""`make bench`: the site's build times and page weights, as ratios to the floor.

The floor is a one-page MyST + furo project (benchmarks/projects.py) built in
the same run, on the same machine, the same way: `sphinx-build -b html -W
--keep-going -n`, as `make html` does, in a fresh process each time.
Builds of the site and the floor alternate, so that a change in the
machine's load falls on both; each figure is the median of several runs.
Each build is timed twice: wall-clock, and CPU time (user + system, of
sphinx-build and every process it runs, LaTeX included). Ratios and verdicts
use CPU time, which a busy machine disturbs far less than the wall clock.
Targets are reported beside each figure; missing one does not fail.

    .venv/bin/python benchmarks/run.py [--runs N] [--skip-pdf] [--skip-scaling]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sphinx
from projects import (
    ROOT,
    add_synthetic_pages,
    copy_site,
    make_floor,
    set_timeline_events,
    site_pages,
)
from weight import page_weight

STRICT = ["-W", "--keep-going", "-n"]
# Sphinx's own pages, compared with the floor's page of the same name.
GENERATED_PAGES = ("genindex", "search")
# Targets from the issue: ratio to the floor, at most.
CLEAN_TARGET = 2.0
NOOP_TARGET = 1.2
PAGE_TARGET = 1.15
FRONT_PAGE_TARGET = 1.5  # the front page carries the map
# Build time is linear when the cost of one more event or page at the
# largest size stays within this factor of its cost at the smallest.
LINEAR_TARGET = 1.5


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds
    cpu: float  # seconds of user + system time, the build and its child processes

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s CPU, {self.wall:.2f} s wall"


@dataclass
class Row:
    what: str
    project: str
    floor: str
    ratio: float | None = None
    target: float | None = None
    note: str = ""
    ratio_note: str = ""

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}x{self.ratio_note}"
        target = "" if self.target is None else f"≤ {self.target:g}x"
        verdict = ""
        if self.ratio is not None and self.target is not None:
            verdict = "met" if self.ratio <= self.target else "**missed**"
        return [self.what, self.project, self.floor, ratio, target, verdict or self.note]


class BuildFailed(Exception):
    """A build that failed; the message says why, in one line, and the log follows."""

    def __init__(self, cmd: list[str], result: subprocess.CompletedProcess[str]) -> None:
        lines = (result.stdout + result.stderr).splitlines()
        # LaTeX's own error line ("! LaTeX Error: ...") says more than make's.
        first = next((ln for ln in lines if ln.startswith("! ")), None)
        self.reason = first or next((ln for ln in reversed(lines) if ln.strip()), "no output")
        self.log = f"{' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        super().__init__(self.reason)


def sphinx_build(source: Path, out: Path, builder: str = "html") -> Timing:
    """Build; return how long it took, or raise BuildFailed."""
    if builder == "latexpdf":
        cmd = [sys.executable, "-m", "sphinx", "-M", "latexpdf", str(source), str(out), *STRICT]
    else:
        cmd = [sys.executable, "-m", "sphinx", "-b", builder, *STRICT, str(source), str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise BuildFailed(cmd, result)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Timing(wall, cpu)


Build = Callable[[int], Timing]


def alternate(runs: int, builds: dict[str, Build], label: str) -> dict[str, Timing]:
    """Run each build `runs` times, interleaved; return each one's medians."""
    times: dict[str, list[Timing]] = {name: [] for name in builds}
    for run in range(runs):
        for name, build in builds.items():
            times[name].append(build(run))
    for name, values in times.items():
        cpu = ", ".join(f"{t.cpu:.2f}" for t in values)
        wall = ", ".join(f"{t.wall:.2f}" for t in values)
        print(f"  {label}, {name}: CPU {cpu} s; wall {wall} s", file=sys.stderr)
    return {
        name: Timing(
            statistics.median(t.wall for t in values), statistics.median(t.cpu for t in values)
        )
        for name, values in times.items()
    }


def clean_build(source: Path, out: Path, builder: str = "html") -> Build:
    def build(_run: int) -> Timing:
        shutil.rmtree(out, ignore_errors=True)
        return sphinx_build(source, out, builder)

    return build


def edit_build(source: Path, out: Path, page: str) -> Build:
    """Rebuild after appending a new paragraph to one page."""

    def build(run: int) -> Timing:
        with (source / f"{page}.md").open("a", encoding="utf-8") as handle:
            handle.write(f"\nAn edit made by the benchmarks, number {run + 1}.\n")
        return sphinx_build(source, out)

    return build


def timing_row(
    what: str, site: Timing, floor: Timing, target: float | None = None, note: str = ""
) -> Row:
    return Row(
        what,
        str(site),
        str(floor),
        site.cpu / floor.cpu,
        target,
        note=note,
        ratio_note=f" (wall {site.wall / floor.wall:.2f}x)",
    )


def kilobytes(value: int) -> str:
    return f"{value / 1000:.1f} kB"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split()[1]
        memory = f", {int(mem) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = ""
    load = f", load average {os.getloadavg()[0]:.1f} at start"
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}{load}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, Sphinx {sphinx.__version__}"
    )


def weight_rows(site_html: Path, floor_html: Path, root: str) -> list[Row]:
    floor_page = page_weight(floor_html / "index.html", floor_html)
    rows = [
        Row(
            "first visit: floor page, gzip (raw)",
            "",
            f"{kilobytes(floor_page.gzip)} ({kilobytes(floor_page.raw)})",
        )
    ]
    pages = sorted(
        p.relative_to(site_html).with_suffix("").as_posix()
        for p in site_html.rglob("*.html")
        if not p.relative_to(site_html).parts[0].startswith("_")
    )
    for page in pages:
        site = page_weight(site_html / f"{page}.html", site_html, root)
        floor = floor_page
        if page in GENERATED_PAGES:
            floor = page_weight(floor_html / f"{page}.html", floor_html)
        target = FRONT_PAGE_TARGET if page == "index" else PAGE_TARGET
        remote = f"; remote, not counted: {', '.join(site.remote)}" if site.remote else ""
        rows.append(
            Row(
                f"first visit: {page} ({len(site.files)} files{remote})",
                f"{kilobytes(site.gzip)} ({kilobytes(site.raw)})",
                f"{kilobytes(floor.gzip)} ({kilobytes(floor.raw)})",
                site.gzip / floor.gzip,
                target,
            )
        )
    return rows


def scaling_rows(
    what: str, unit: str, sizes: list[int], times: list[Timing], multiples: list[int]
) -> list[Row]:
    """Rows for a build grown in steps. For each step: the CPU time per unit
    added since 1x; the verdict compares that at the largest step with the
    step before (linear: the same; worse than linear: it grows)."""
    rows = [Row(f"{what} 1x ({sizes[0]} {unit}s)", str(times[0]), "", note="baseline")]
    marginals: list[float] = []
    for multiple, size, timing in zip(multiples[1:], sizes[1:], times[1:], strict=True):
        marginals.append((timing.cpu - times[0].cpu) / (size - sizes[0]))
        rows.append(
            Row(
                f"{what} {multiple}x ({size} {unit}s)",
                f"{timing}; {marginals[-1] * 1000:.1f} ms CPU per added {unit}",
                f"1x: {times[0].cpu:.2f} s CPU",
            )
        )
    if len(marginals) >= 2 and marginals[-2] > 0:
        rows[-1].ratio = marginals[-1] / marginals[-2]
        rows[-1].target = LINEAR_TARGET
        rows[-1].floor += f"; {multiples[-2]}x: {marginals[-2] * 1000:.1f} ms per {unit}"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per HTML figure (default 5)")
    parser.add_argument("--skip-pdf", action="store_true", help="no PDF builds")
    parser.add_argument("--skip-scaling", action="store_true", help="no synthetic growth")
    args = parser.parse_args()
    runs, slow_runs = args.runs, max(1, (args.runs + 1) // 2)
    rows: list[Row] = []
    started, described = time.perf_counter(), machine()
    print(f"Machine: {described}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        conf = runpy.run_path(str(ROOT / "conf.py"))
        # The floor's PDF uses the project's LaTeX engine (Sphinx's default: pdflatex).
        engine = conf.get("latex_engine", "pdflatex")
        # Where the site is served: the 404 page links from there (/en/latest/...).
        root = urlsplit(conf.get("html_baseurl", "")).path or "/"
        floor = make_floor(tmp / "floor", engine)
        site = copy_site(tmp / "site")
        floor_out, site_out = tmp / "floor-html", tmp / "site-html"
        pages = site_pages(site)
        edited = next(p for p in pages if p != "index")

        # Warm the disk cache and Python's bytecode: not timed.
        sphinx_build(floor, tmp / "warm")

        print(f"HTML builds, {runs} runs each:", file=sys.stderr)
        clean = alternate(
            runs,
            {"site": clean_build(site, site_out), "floor": clean_build(floor, floor_out)},
            "clean",
        )
        noop = alternate(
            runs,
            {
                "site": lambda _: sphinx_build(site, site_out),
                "floor": lambda _: sphinx_build(floor, floor_out),
            },
            "no-op",
        )
        edit = alternate(
            runs,
            {
                "site": edit_build(site, site_out, edited),
                "floor": edit_build(floor, floor_out, "index"),
            },
            "edit",
        )
        rows += [
            timing_row(
                f"clean HTML build ({len(pages)} pages)",
                clean["site"],
                clean["floor"],
                CLEAN_TARGET,
            ),
            timing_row("no-op rebuild", noop["site"], noop["floor"], NOOP_TARGET),
            timing_row(
                f"rebuild after editing one page ({edited})",
                edit["site"],
                edit["floor"],
                note="no target",
            ),
        ]

        missing = [tool for tool in (engine, "latexmk", "make") if shutil.which(tool) is None]
        if args.skip_pdf or missing:
            reason = "--skip-pdf" if args.skip_pdf else f"{', '.join(missing)} not installed"
            rows.append(Row("PDF build (latexpdf)", "skipped", "", note=f"skipped: {reason}"))
        else:
            rows.append(pdf_row(tmp, site, floor, engine, slow_runs))

        # The edits above changed the copy: weigh a clean build of the site.
        sphinx_build(copy_site(tmp / "site-as-committed"), tmp / "weigh-html")
        rows += weight_rows(tmp / "weigh-html", floor_out, root)

        if not args.skip_scaling:
            rows += grow_pages(tmp, len(pages), clean, slow_runs)
            rows += grow_timeline(tmp, slow_runs)

    print(f"\nMachine: {described}")
    print(
        f"Medians of {runs} runs (PDF and growth: {slow_runs}; 100x pages, 1000x events: 1);"
        " floor = one-page MyST + furo.\n"
    )
    header = ["measure", "project", "floor", "ratio", "target", "verdict"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    print(f"\n{time.perf_counter() - started:.0f} s in all.", file=sys.stderr)


def pdf_row(tmp: Path, site: Path, floor: Path, engine: str, runs: int) -> Row:
    """Clean PDF builds (sphinx-build -M latexpdf: LaTeX, then latexmk)."""
    what = f"clean PDF build ({engine}, latexmk)"
    print(f"PDF builds ({engine}), {runs} runs each:", file=sys.stderr)
    try:
        pdf = alternate(
            runs,
            {
                "site": clean_build(site, tmp / "site-pdf", "latexpdf"),
                "floor": clean_build(floor, tmp / "floor-pdf", "latexpdf"),
            },
            "clean PDF",
        )
    except BuildFailed as failed:
        print(failed.log, file=sys.stderr)
        return Row(what, "failed", "", note=f"build failed: {failed.reason}")
    return timing_row(what, pdf["site"], pdf["floor"], note="no target")


def grow_pages(tmp: Path, base: int, clean: dict[str, Timing], runs: int) -> list[Row]:
    """The site grown to 10x and 100x its pages, and at 10x the floor grown by
    as many pages, to tell the site's cost per page from furo's. Every furo
    page carries the whole site's navigation, so 100x takes minutes: it is
    built once."""
    multiples, times = [1, 10, 100], [clean["site"]]
    floor_added = Timing(0, 0)
    for multiple in multiples[1:]:
        added = base * (multiple - 1)
        site = copy_site(tmp / f"pages-{multiple}")
        add_synthetic_pages(site, added)
        builds = {"site": clean_build(site, tmp / f"pages-{multiple}-html")}
        if multiple == 10:
            floor = make_floor(tmp / "floor-pages", "pdflatex")
            add_synthetic_pages(floor, added)
            builds["floor"] = clean_build(floor, tmp / "floor-pages-html")
        runs = 1 if multiple >= 100 else runs
        print(f"Site with {base * multiple} pages, {runs} runs:", file=sys.stderr)
        built = alternate(runs, builds, "clean")
        times.append(built["site"])
        floor_added = built.get("floor", floor_added)
    sizes = [base * m for m in multiples]
    rows = scaling_rows("site", "page", sizes, times, multiples)
    added = base * 9
    site_ms = (times[1].cpu - times[0].cpu) / added * 1000
    floor_ms = (floor_added.cpu - clean["floor"].cpu) / added * 1000
    rows[1].floor = f"floor + {added} pages: {floor_added}; {floor_ms:.1f} ms CPU per added page"
    rows[1].ratio = site_ms / floor_ms if floor_ms > 0 else None
    rows[1].note = "per added page, vs the floor's"
    return rows


def grow_timeline(tmp: Path, runs: int) -> list[Row]:
    """The site with its events file repeated 1x, 10x, 100x and 1000x (built once)."""
    multiples = [1, 10, 100, 1000]
    sizes: list[int] = []
    times: list[Timing] = []
    for multiple in multiples:
        site = copy_site(tmp / f"events-{multiple}")
        sizes.append(set_timeline_events(site, multiple))
        runs = 1 if multiple >= 1000 else runs
        print(f"Timeline with {sizes[-1]} events, {runs} runs:", file=sys.stderr)
        built = alternate(
            runs, {"site": clean_build(site, tmp / f"events-{multiple}-html")}, "clean"
        )
        times.append(built["site"])
    return scaling_rows("timeline", "event", sizes, times, multiples)


if __name__ == "__main__":
    try:
        main()
    except BuildFailed as failed:
        sys.exit(f"build failed: {failed.reason}\n{failed.log}")
