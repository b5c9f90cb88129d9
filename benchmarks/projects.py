"""The projects that the benchmarks build, made in a temporary folder.

- the floor: one page of MyST Markdown with the furo theme and nothing else,
  what Sphinx and furo cost by themselves;
- a copy of the site, as committed;
- the site grown: with synthetic pages, or with its events repeated.

Nothing here is ever written into the project itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "tests" / "data" / "article.txt"

# What is not part of the site when it is copied (as in tests/conftest.py).
_NOT_SITE = shutil.ignore_patterns(
    "_build", ".venv", ".git", "node_modules", ".pytest_cache", ".ruff_cache", "__pycache__"
)


def article_paragraphs() -> list[str]:
    """The article's prose paragraphs: filler text that is the site's own."""
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if len(line) > 80 and not line.startswith(("=", "-"))]


def make_floor(dest: Path, latex_engine: str) -> Path:
    """One page of MyST + furo: the article's lead, as plain text."""
    dest.mkdir(parents=True)
    (dest / "conf.py").write_text(
        'project = "Floor"\n'
        'extensions = ["myst_parser"]\n'
        'html_theme = "furo"\n'
        f"latex_engine = {latex_engine!r}\n",
        encoding="utf-8",
    )
    (dest / "index.md").write_text(
        f"# Floor\n\n{article_paragraphs()[0]}\n",
        encoding="utf-8",
    )
    return dest


def copy_site(dest: Path) -> Path:
    """A copy of the project's sources, to build and to grow."""
    shutil.copytree(ROOT, dest, ignore=_NOT_SITE)
    return dest


def site_pages(site: Path) -> list[str]:
    """The site's page names (index, background/index, ...), excluding synthetic ones."""
    return sorted(
        path.relative_to(site).with_suffix("").as_posix()
        for path in site.rglob("*.md")
        if not path.relative_to(site).parts[0].startswith(("_", ".", "tests", "benchmarks"))
        and path.name != "README.md"
        and "synthetic" not in path.parts
    )


def _append_hidden_toctree(site: Path, entry: str) -> None:
    with (site / "index.md").open("a", encoding="utf-8") as index:
        index.write(f"\n```{{toctree}}\n:hidden:\n\n{entry}\n```\n")


def _front_matter(description: str) -> str:
    """Every page of the site has a description (page_description)."""
    return f'---\nmyst:\n  html_meta:\n    description: "{description}"\n---\n\n'


def add_synthetic_pages(site: Path, count: int) -> None:
    """Add count pages like the site's own: a label, headings, the article's
    paragraphs, a cross-reference to the previous page, a link to Wikipedia
    and a note. They sit under synthetic/, linked from the front page. They
    use nothing of the site's configuration, so the floor can grow too."""
    paragraphs = article_paragraphs()
    folder = site / "synthetic"
    folder.mkdir()
    names = [f"page-{n:04d}" for n in range(1, count + 1)]
    (folder / "index.md").write_text(
        _front_matter("The synthetic pages that the benchmarks add to the site.")
        + "(synthetic)=\n# Synthetic pages\n\n```{toctree}\n:maxdepth: 1\n\n"
        + "\n".join(names)
        + "\n```\n",
        encoding="utf-8",
    )
    for n, name in enumerate(names, start=1):
        previous = f"synthetic/page-{n - 1:04d}" if n > 1 else "synthetic"
        text = [paragraphs[(n + k) % len(paragraphs)] for k in range(3)]
        (folder / f"{name}.md").write_text(
            _front_matter(f"Synthetic page {n}, made by the benchmarks to measure build time.")
            + f"(synthetic/{name})=\n# Synthetic page {n}\n\n{text[0]}\n\n"
            f"## First section\n\n{text[1]} See [the previous page](#{previous}).\n\n"
            f"## Second section\n\n{text[2]} See also [Russia](https://en.wikipedia.org/wiki/Russia).\n\n"
            "```{note}\nA synthetic page, made by the benchmarks.\n```\n",
            encoding="utf-8",
        )
    _append_hidden_toctree(site, "synthetic/index")


# -- Timeline --------------------------------------------------------------
# Every timeline of the site (the Timeline page, the section pages, the JSON
# and CSV downloads) is made from one events file. Growing the timeline means
# repeating its events: each copy keeps the dates, titles and sections and
# gets ids of its own, so the file stays valid and the build strict.

EVENTS = Path("_data") / "events.yaml"


def read_events(site: Path) -> list[dict[str, str]]:
    """The site's events, every value as written (YAML's base loader)."""
    events = yaml.load((site / EVENTS).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    if not isinstance(events, list):
        raise ValueError(f"{site / EVENTS}: expected a list of events")
    return events


def set_timeline_events(site: Path, multiple: int) -> int:
    """Repeat the site's events `multiple` times; return how many there are now."""
    events = read_events(site)
    grown: list[dict[str, str]] = []
    for copy in range(multiple):
        suffix = f"-copy-{copy}" if copy else ""
        for event in events:
            grown.append(dict(event))
            grown[-1]["id"] = event["id"] + suffix
            if "after" in event:
                grown[-1]["after"] = event["after"] + suffix
    (site / EVENTS).write_text(
        yaml.safe_dump(grown, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    return len(grown)
