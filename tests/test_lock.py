"""Supply chain: the lock files are hashed, exact and up to date with the .in files.

requirements.in and tests/requirements.in are edited by hand; `make lock`
compiles them into requirements.txt and tests/requirements.txt. These checks
are offline: they catch an .in file edited without `make lock`, and a lock
file edited by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCKS = {
    ROOT / "requirements.in": ROOT / "requirements.txt",
    ROOT / "tests" / "requirements.in": ROOT / "tests" / "requirements.txt",
}


def requirement_lines(path: Path) -> list[str]:
    """Each requirement of a requirements file, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def pins(path: Path) -> dict[str, set[str]]:
    """Package name -> the exact versions pinned for it (several under markers)."""
    found: dict[str, set[str]] = {}
    for line in requirement_lines(path):
        requirement = Requirement(re.sub(r"\s--hash=\S+", "", line))
        versions = {spec.version for spec in requirement.specifier if spec.operator == "=="}
        found.setdefault(canonicalize_name(requirement.name), set()).update(versions)
    return found


@pytest.mark.parametrize("lock", LOCKS.values(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_locked_package_is_exact_and_hashed(lock: Path) -> None:
    lines = requirement_lines(lock)
    assert lines, f"{lock} has no requirements"
    bad = [
        line.split()[0]
        for line in lines
        if not re.match(r"^[A-Za-z0-9._-]+==\S+", line)
        or not re.search(r"--hash=sha256:[0-9a-f]{64}", line)
    ]
    assert not bad, f"{lock.name}: not pinned with == and a sha256 hash: {bad}"


@pytest.mark.parametrize("source", LOCKS.keys(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_lock_matches_its_in_file(source: Path) -> None:
    wanted, locked = pins(source), pins(LOCKS[source])
    stale = {
        name: f"{source.name} pins {sorted(versions)}, lock has {sorted(locked.get(name, []))}"
        for name, versions in wanted.items()
        if not versions <= locked.get(name, set())
    }
    assert not stale, f"run `make lock`: {stale}"


def test_tools_share_the_site_build_versions() -> None:
    site = pins(ROOT / "requirements.txt")
    tools = pins(ROOT / "tests" / "requirements.txt")
    clash = {name: (site[name], tools[name]) for name in site.keys() & tools.keys()}
    clash = {name: pair for name, pair in clash.items() if pair[0] != pair[1]}
    assert not clash, f"tests/requirements.txt locks other versions than requirements.txt: {clash}"


def test_in_files_pin_exactly() -> None:
    loose = [
        f"{source.name}: {line}"
        for source in LOCKS
        for line in requirement_lines(source)
        if not re.match(r"^[A-Za-z0-9._-]+==[^*\s]+$", line)
    ]
    assert not loose, f"direct dependencies are pinned exactly (name==version): {loose}"
