"""Reproducible builds: the same commit gives byte-identical HTML and LaTeX.

Two clean builds from copies of the project in two different folders, with
different hash seeds (so that any ordering that depends on set or dict
iteration of strings shows up), must give the same files, byte for byte.
SOURCE_DATE_EPOCH is fixed, as the Makefile sets it from the last commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_site, sphinx_build

# Any fixed date will do: the Makefile uses the last commit's.
EPOCH = "1700000000"
# Build bookkeeping that is not published: pickled doctrees hold the absolute
# source paths; they are written outside the output folder anyway.
_NOT_OUTPUT = {".doctrees"}


def tree_differences(one: Path, two: Path) -> list[str]:
    """Every file that is in only one tree, or whose bytes differ."""

    def files(root: Path) -> set[str]:
        return {
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and not _NOT_OUTPUT & set(path.relative_to(root).parts)
        }

    first, second = files(one), files(two)
    return sorted(
        [f"only in first: {name}" for name in first - second]
        + [f"only in second: {name}" for name in second - first]
        + [
            f"differs: {name}"
            for name in first & second
            if (one / name).read_bytes() != (two / name).read_bytes()
        ]
    )


def test_tree_differences_names_each_differing_file(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        (root / "sub").mkdir(parents=True)
        (root / "same.txt").write_text("same")
    # Same size, different bytes.
    (one / "sub" / "page.html").write_text("built at 10:00")
    (two / "sub" / "page.html").write_text("built at 11:00")
    (one / "extra.js").write_text("")
    assert tree_differences(one, two) == ["differs: sub/page.html", "only in first: extra.js"]
    assert tree_differences(one, one) == []


@pytest.mark.parametrize("builder", ["html", "latex"])
def test_two_clean_builds_are_byte_identical(
    builder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    outputs: list[Path] = []
    for folder, seed in (("first", "1"), ("second/elsewhere", "2")):
        source = copy_site(tmp_path / folder / "site")
        out = tmp_path / folder / builder
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        result = sphinx_build(source, out, builder, "-d", str(tmp_path / folder / "doctrees"))
        assert result.returncode == 0, result.stderr
        outputs.append(out)
    differences = tree_differences(*outputs)
    assert not differences, f"{builder} builds differ:\n" + "\n".join(differences)
