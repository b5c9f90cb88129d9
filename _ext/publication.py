"""What this publication is: its source, licence, names and pages, in one place.

conf.py, the tools and the tests read these settings from here; nothing here
imports Sphinx, so a script can use them without running conf.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TITLE = "Donetsk People's Republic–Russia relations"
AUTHOR = "Wikipedia contributors"
LANGUAGE = "en"
# The file name of the PDF, EPUB and zip, and the project's slug on Read the Docs.
NAME = "dpr-russia-relations"
DEFAULT_BASE_URL = f"https://{NAME}.readthedocs.io/en/latest/"

# -- The source of record -------------------------------------------------------

ARTICLE_URL = "https://en.wikipedia.org/wiki/Donetsk_People%27s_Republic%E2%80%93Russia_relations"
# The revision (oldid) of the article that tests/data/article.txt follows, as
# `make source-diff` prints it; None while it is not known. When it is set,
# every credit links to that revision and names it (CONTRIBUTING.md).
ARTICLE_REVISION: int | None = None
ARTICLE_COPY = ROOT / "tests" / "data" / "article.txt"
LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
# What this edition changes, said wherever the credit is (the licence asks it).
ADAPTED = (
    "Adapted: split into pages, with a map, timelines and captions added; "
    "the article's wording is unchanged."
)


# Metadata keywords (PDF), in the article's own words.
KEYWORDS = "Donetsk People's Republic, Russia, Ukraine, Donetsk Oblast, bilateral relations"


def history_url() -> str:
    """The article's history: its authors."""
    return f"{_index_url()}&action=history"


def source_url() -> str:
    """The revision this copy follows (a permanent link), else the live article."""
    if ARTICLE_REVISION is None:
        return ARTICLE_URL
    return f"{_index_url()}&oldid={ARTICLE_REVISION}"


def _index_url() -> str:
    page = ARTICLE_URL.rsplit("/wiki/", 1)[1]
    return f"https://en.wikipedia.org/w/index.php?title={page}"


# -- The pages ------------------------------------------------------------------

# The front page and the folders whose Markdown files are pages. Nothing else
# in the repository is ever read as a page (notes in tools/, tests/, ...).
CONTENT = ("index.md", "background", "relations", "see-also", "timeline")
# The timeline's events, relative to the project root.
EVENTS = "_data/events.yaml"


def content_patterns() -> list[str]:
    """Sphinx's include_patterns for CONTENT."""
    return [entry if entry.endswith(".md") else f"{entry}/**" for entry in CONTENT]


def pages(root: Path = ROOT) -> dict[str, Path]:
    """Each page's name (as Sphinx names it: relations/index) and Markdown file."""
    found = (root.glob(e if e.endswith(".md") else f"{e}/**/*.md") for e in CONTENT)
    return {p.relative_to(root).with_suffix("").as_posix(): p for g in found for p in sorted(g)}


# What builds and tools make: never part of a copy of the sources.
BUILT = ("_build", "_readthedocs", ".venv", "node_modules", "__pycache__", "*_cache", ".hypothesis")


def copy_project(dest: Path, *, git: bool = False) -> Path:
    """A copy of the project's sources (not its builds, nor .git unless asked) at dest."""
    ignored = (*BUILT, *([] if git else [".git"]))
    return Path(shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*ignored)))
