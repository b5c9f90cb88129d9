"""Shared fixtures: the article as data, and strict builds of the site.

Every build here runs Sphinx exactly as `make html` does (-W --keep-going -n),
in a temporary folder, so the tests never depend on what is in _build/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "tests" / "data" / "article.txt"
STRICT = ["-W", "--keep-going", "-n"]

# Tests read what Sphinx prints; Sphinx colours it whenever CI=true (as in
# CI), so every build the tests start prints plain text.
os.environ["NO_COLOR"] = "1"

# What is not part of the site when the project is copied for a test build.
_NOT_SITE = shutil.ignore_patterns(
    "_build", ".venv", ".git", "node_modules", ".pytest_cache", ".ruff_cache", "__pycache__"
)


@dataclass(frozen=True)
class Article:
    """The source article, split the way the site splits it."""

    title: str
    headings: list[str]
    sentences: list[str]
    see_also: list[str]


def read_article(path: Path = ARTICLE) -> Article:
    """Parse the MediaWiki-like plain text of the article."""
    title = ""
    headings: list[str] = []
    see_also: list[str] = []
    prose: list[str] = []
    in_infobox = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        heading = re.fullmatch(r"(=+)\s*(.*?)\s*\1", line)
        if heading:
            in_infobox = False
            level, text = len(heading.group(1)), heading.group(2)
            if level == 1:
                title = text
            else:
                headings.append(text)
        elif line == "Infobox":
            in_infobox = True
        elif not line:
            in_infobox = False
        elif in_infobox:
            continue  # infobox fields are data (the map), not sentences
        elif line.startswith("- "):
            see_also.append(line[2:])
        else:
            prose.append(line)
    sentences = [s for p in prose for s in split_sentences(p)]
    return Article(title, headings, sentences, see_also)


def split_sentences(paragraph: str) -> list[str]:
    """Split after . ? or ! followed by a space and a capital or a quote."""
    return [s for s in re.split(r'(?<=[.?!])\s+(?=[A-Z"])', paragraph) if s]


def normalise(text: str) -> str:
    """Fold runs of white space, as a reader sees them."""
    return re.sub(r"\s+", " ", text).strip()


def copy_site(dest: Path) -> Path:
    """A throwaway copy of the project, to plant a fault in."""
    shutil.copytree(ROOT, dest, ignore=_NOT_SITE)
    return dest


def sphinx_build(
    srcdir: Path, outdir: Path, builder: str = "html", *extra: str
) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build strictly; return the finished process (never raises)."""
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *STRICT, *extra, str(srcdir), str(outdir)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def article() -> Article:
    return read_article()


@pytest.fixture(scope="session")
def site_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built strictly once per test session."""
    out = tmp_path_factory.mktemp("html")
    result = sphinx_build(ROOT, out, "html", "-d", str(out / ".doctrees"))
    assert result.returncode == 0, result.stderr
    return out


# -- Downloadable outputs: PDF, EPUB, HTML zip -------------------------------

EVENTS = ROOT / "_data" / "events.yaml"


def make(target: str, builddir: Path, project: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `make <target>` in `project`, output in `builddir` (never raises).

    The virtual environment is the one running the tests, taken as up to date
    (`-o`), so that a copy of the project does not reinstall it.
    """
    venv = Path(sys.prefix)
    cmd = ["make", "--no-print-directory", "-C", str(project), f"VENVDIR={venv}"]
    cmd += ["-o", f"{venv}/.docs-stamp", f"BUILDDIR={builddir}", target]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def make_ok(target: str, builddir: Path) -> Path:
    """`make <target>` of the real project into `builddir`, which it returns.

    Fails the calling test, with the log, unless the build succeeds without
    a single warning.
    """
    result = make(target, builddir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return builddir


def timeline_titles() -> list[str]:
    """The titles of the timeline's events, read by the extension's own loader."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from article_timeline import events

    return [event.title for event in events.load(EVENTS).events]


def sphinx_conf() -> dict[str, object]:
    """conf.py's settings, read as Sphinx reads them (with no tags set)."""
    import runpy

    from sphinx.util.tags import Tags

    return runpy.run_path(str(ROOT / "conf.py"), init_globals={"tags": Tags()})
