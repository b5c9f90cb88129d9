"""The repository's own promises: pinned dependencies, one supported Python,
valid CI and Read the Docs configurations, editor conventions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from publication import ROOT

LOCKS = {ROOT / "requirements.in": ROOT / "requirements.txt"}
LOCKS[ROOT / "tests" / "requirements.in"] = ROOT / "tests" / "requirements.txt"


def requirements(path: Path) -> list[str]:
    """Each requirement line of a requirements file, continuations joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def pins(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in requirements(path):
        requirement = Requirement(re.sub(r"\s--hash=\S+", "", line))
        versions = {s.version for s in requirement.specifier if s.operator == "=="}
        found.setdefault(canonicalize_name(requirement.name), set()).update(versions)
    return found


@pytest.mark.parametrize("source", LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_locks_are_exact_hashed_and_up_to_date(source: Path) -> None:
    lock = LOCKS[source]
    unpinned = [
        line.split()[0]
        for line in requirements(lock)
        if not re.match(r"^[A-Za-z0-9._-]+==\S+", line) or "--hash=sha256:" not in line
    ]
    assert not unpinned, f"{lock.name}: not pinned with == and a hash: {unpinned}"
    assert all(re.match(r"^[A-Za-z0-9._-]+==[^*\s]+$", line) for line in requirements(source))
    stale = {n: v for n, v in pins(source).items() if not v <= pins(lock).get(n, set())}
    assert not stale, f"run `make lock`: {stale}"


def test_the_tools_share_the_builds_versions() -> None:
    site, tools = pins(ROOT / "requirements.txt"), pins(ROOT / "tests" / "requirements.txt")
    assert {n: (site[n], tools[n]) for n in site.keys() & tools.keys() if site[n] != tools[n]} == {}


def test_one_supported_python_everywhere() -> None:
    import tomllib

    supported = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    oldest = re.fullmatch(r">=(\d+\.\d+)", supported).group(1)
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert str(config["build"]["tools"]["python"]) == oldest  # Read the Docs: the oldest
    assert f"--python-version {oldest}" in (ROOT / "Makefile").read_text()  # the lock: it and later
    assert f"Python {oldest} or later" in (ROOT / "README.md").read_text()
    assert sys.version_info[:2] >= tuple(map(int, oldest.split("."))), (
        "this Python is not supported"
    )
    assert SpecifierSet(supported).contains(".".join(map(str, sys.version_info[:3])))


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    cmd = ["-m", "check_jsonschema", "--builtin-schema", f"vendor.{schema}", str(path)]
    return subprocess.run([sys.executable, *cmd], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("schema", "path", "fault"),
    [
        ("readthedocs", ROOT / ".readthedocs.yaml", ("- pdf", "- docx")),
        ("github-workflows", ROOT / ".github/workflows/docs.yml", ("runs-on:", "runs_on:")),
    ],
)
def test_configurations_are_valid_and_the_check_can_fail(
    schema: str, path: Path, fault: tuple[str, str], tmp_path: Path
) -> None:
    assert check_jsonschema(schema, path).returncode == 0
    broken = tmp_path / path.name
    broken.write_text(path.read_text(encoding="utf-8").replace(*fault, 1), encoding="utf-8")
    assert check_jsonschema(schema, broken).returncode == 1


def test_ci_actions_are_pinned_and_privileges_least() -> None:
    text = (ROOT / ".github/workflows/docs.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    assert all(job["permissions"] == {"contents": "read"} for job in workflow["jobs"].values())
    for action in re.findall(r"uses: (\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"v\d+(\.\d+)+", repo["rev"]) for repo in hooks["repos"]), (
        "hooks pinned"
    )


def test_files_keep_the_editorconfig() -> None:
    listed = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True)
    suffixes = {".md", ".yaml", ".yml", ".py", ".css", ".js", ".html", ".jinja", ".sty"}
    for name in listed.stdout.split():
        path = ROOT / name
        if path.suffix in suffixes and path.is_file():
            text = path.read_text(encoding="utf-8")
            assert text.endswith("\n") and not re.search(r"[ \t]+$", text, re.M), name
            assert "\t" not in text or path.suffix == ".py", f"{name}: a tab"


def test_make_help_needs_nothing_installed() -> None:
    cmd = ["make", "-C", str(ROOT), "help", "VENV=/nonexistent", "PYTHON=/nonexistent"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=True)
    targets = re.findall(r"^  ([a-z -]+?)\s{2,}\S", result.stdout, re.M)
    assert {"html", "check", "test", "linkcheck", "source-diff"} <= {t.split()[0] for t in targets}
