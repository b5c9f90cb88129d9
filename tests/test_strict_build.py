"""Bad input fails the build with a message naming the file and the line."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_site, sphinx_build


def plant(path: Path, after: str, text: str) -> int:
    """Insert `text` as a new line after the first line equal to `after`.

    Returns the 1-based line number of the planted line.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines.index(after) + 1
    lines.insert(index, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


def test_broken_cross_reference_fails_naming_file_and_line(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    page = site / "relations" / "official-relations.md"
    line = plant(page, "# Official relations (2022)", "\nSee [nowhere](#relations/no-such-label).")
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert f"official-relations.md:{line + 1}" in result.stderr, result.stderr
    assert "relations/no-such-label" in result.stderr


def test_missing_page_in_toctree_fails_naming_file_and_line(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    page = site / "relations" / "index.md"
    plant(page, "official-relations", "no-such-page")
    # Sphinx names the line of the toctree directive that holds the entry.
    directive_line = page.read_text(encoding="utf-8").splitlines().index("```{toctree}") + 1
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    assert f"relations/index.md:{directive_line}" in result.stderr, result.stderr
    assert "nonexisting document 'relations/no-such-page'" in result.stderr


def test_the_real_site_builds_without_a_warning(site_html: Path) -> None:
    assert (site_html / "index.html").exists()
