"""Internal links: each kind of break, planted in a copy of the real site.

`make linkcheck`'s script (tools/check_links.py) runs on each copy as it
does on the site. Breaks that the strict Sphinx build catches (MyST links
and images) and breaks only the built HTML shows (raw HTML, theme assets)
are planted in two copies, one build each, each break in its own place; the
check must fail and name the file and the link of every one of them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_site

EVENTS = ROOT / "_data" / "events.yaml"
Run = tuple[subprocess.CompletedProcess[str], dict[str, int]]  # the check, the planted lines
Checked = tuple[subprocess.CompletedProcess[str], dict]  # the check, its summary.json


def append(page: Path, text: str) -> int:
    """Add a paragraph at the end of a page; return its line number."""
    lines = page.read_text(encoding="utf-8").rstrip("\n").splitlines()
    page.write_text("\n".join([*lines, "", text]) + "\n", encoding="utf-8")
    return len(lines) + 2


def run_check(site: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(site / "tools" / "check_links.py")]
    # External links are not these tests' business (and CI's build job must
    # not depend on the web): only the HTML is checked.
    cmd += ["--srcdir", str(site), "--builddir", str(site / "_build"), "--no-external"]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)


# -- Breaks in MyST: the strict build names the file and line ---------------

MYST_BREAKS = {
    "missing page": ("see-also/index.md", "[a page](../no-such-page.md)", "../no-such-page.md"),
    "missing anchor in a MyST link": (
        "background/index.md",
        "[the proclamation](../relations/index.md#no-such-anchor)",
        "no-such-anchor",
    ),
    "unknown label": (
        "relations/official-relations.md",
        "[the recognition](#relations/no-such-label)",
        "relations/no-such-label",
    ),
    "missing image": (
        "relations/unofficial-relations.md",
        "![A map](no-such-map.png)",
        "no-such-map.png",
    ),
}


@pytest.fixture(scope="module")
def myst_broken(tmp_path_factory: pytest.TempPathFactory) -> Run:
    site = copy_site(tmp_path_factory.mktemp("myst") / "site")
    lines = {name: append(site / page, text) for name, (page, text, _) in MYST_BREAKS.items()}
    return run_check(site), lines


@pytest.mark.parametrize("name", MYST_BREAKS)
def test_myst_break_fails_naming_file_line_and_link(myst_broken: Run, name: str) -> None:
    result, lines = myst_broken
    page, _text, link = MYST_BREAKS[name]
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED build:")]
    assert any(f"{page}:{lines[name]}:" in f and link in f for f in failures), result.stdout


def test_a_failed_build_is_not_reported_as_checked(myst_broken: Run) -> None:
    result, _lines = myst_broken
    assert "links in the built HTML: NOT CHECKED, the strict HTML build failed" in result.stdout
    assert re.search(r"^linkcheck: \d+ passed, [1-9]\d* failed", result.stdout, re.M)


# -- Breaks only the built HTML shows: LinkChecker names page and link -----

HTML_BREAKS = {
    "missing anchor in raw HTML": (
        "background/index.md",
        '<a href="../relations/index.html#no-such-anchor">relations</a>',
        "../relations/index.html#no-such-anchor",
        "Anchor `no-such-anchor' (decoded: `no-such-anchor') not found",
    ),
    "missing page in raw HTML": (
        "see-also/index.md",
        '<a href="../no-such-page.html">a page</a>',
        "../no-such-page.html",
        "no such file",
    ),
    "missing image in raw HTML": (
        "relations/official-relations.md",
        '<img src="../_static/no-such-map.png" alt="A map">',
        "../_static/no-such-map.png",
        "no such file",
    ),
}


SITE_URL = "https://example.org/en/latest/"


@pytest.fixture(scope="module")
def html_broken(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    site = copy_site(tmp_path_factory.mktemp("html") / "site")
    for page, text, _link, _why in HTML_BREAKS.values():
        append(site / page, text)
    # Links to the published site, as canonical links and a 404 page make
    # them: one to a page that is built, one to a page that is not.
    append(
        site / "index.md",
        '<a href="/en/latest/background/index.html#background-referendum">referendum</a> '
        f'<a href="{SITE_URL}no-such-page.html">gone</a>',
    )
    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        # A stylesheet that the theme links from every page but that does not
        # exist: Sphinx does not check html_css_files.
        conf.write('\nhtml_css_files = [*html_css_files, "no-such-style.css"]\n')
        conf.write(f"html_baseurl = {SITE_URL!r}\n")
    result = run_check(site)
    summary = json.loads((site / "_build" / "linkcheck" / "summary.json").read_text("utf-8"))
    return result, summary


@pytest.mark.parametrize("name", HTML_BREAKS)
def test_html_break_fails_naming_page_and_link(html_broken: Checked, name: str) -> None:
    result, _summary = html_broken
    page, _text, link, why = HTML_BREAKS[name]
    html_page = page.replace(".md", ".html")
    assert result.returncode == 1, result.stdout
    where = rf"{re.escape(html_page)}:\d+ \(from {re.escape(page)}\)"
    pattern = rf"^FAILED {where}: {re.escape(link)}: .*{re.escape(why)}"
    assert re.search(pattern, result.stdout, re.M), result.stdout


def test_missing_theme_asset_fails(html_broken: Checked) -> None:
    result, _summary = html_broken
    assert re.search(
        r"^FAILED \S+\.html:\d+.*: \S*_static/no-such-style\.css: no such file",
        result.stdout,
        re.M,
    ), result.stdout


def test_links_to_the_published_site_are_checked_in_the_build(html_broken: Checked) -> None:
    result, summary = html_broken
    assert re.search(
        rf"^FAILED index\.html:\d+ \(from index\.md\): {re.escape(SITE_URL)}no-such-page\.html: "
        r"no such file: no-such-page\.html$",
        result.stdout,
        re.M,
    ), result.stdout
    verdicts = {v["uri"]: v for v in summary["internal"]}
    good = verdicts["/en/latest/background/index.html#background-referendum"]
    assert (good["verdict"], good["reason"]) == ("passed", "found in the build")
    # Sphinx's canonical link (from html_baseurl) is found in the build too.
    assert verdicts[f"{SITE_URL}index.html"]["verdict"] == "passed"


def test_the_real_site_passes_and_says_what_it_did_not_check(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    result = run_check(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "links in the built HTML (LinkChecker: files and #anchors):" in result.stdout
    assert re.search(r"links in the built HTML .*: [1-9]\d* passed, 0 failed", result.stdout)
    assert re.search(r"external links: \d+ NOT CHECKED, skipped \(--no-external\)", result.stdout)
    internal = json.loads((site / "_build" / "linkcheck" / "internal.json").read_text("utf-8"))
    pages = {link["page"] for link in internal if link["page"]}
    assert {"index.html", "background/index.html", "see-also/index.html"} <= pages


# -- A broken link in a timeline event (the events file of the timeline work) --


def section_labels() -> list[str]:
    labels = []
    for page in ROOT.glob("**/*.md"):
        if "_build" not in page.parts and ".venv" not in page.parts:
            labels += re.findall(r"^\(([^)]+)\)=$", page.read_text(encoding="utf-8"), re.M)
    return sorted(set(labels), key=len, reverse=True)


def test_broken_link_in_a_timeline_event_fails(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    events = site / "_data" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    # The first event's section label, replaced by one that does not exist.
    alternatives = "|".join(map(re.escape, section_labels()))
    label = re.compile(rf"""(:\s*["']?)({alternatives})(["']?\s*$)""", re.M)
    assert label.search(text), f"{EVENTS} names no section label of the site"
    events.write_text(label.sub(r"\1relations/no-such-section\3", text, count=1), encoding="utf-8")
    result = run_check(site)
    assert result.returncode == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    named = [f for f in failures if "no-such-section" in f and ("events.yaml" in f or ".md" in f)]
    assert named, result.stdout + result.stderr
