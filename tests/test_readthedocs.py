"""Read the Docs: its configuration is valid, and its own PDF commands build cleanly.

Read the Docs builds the PDF without -W and without Sphinx's Makefile, and
reports success whenever a PDF comes out. Here the same commands run exactly,
and the LaTeX log must be clean: what Read the Docs would hide is caught.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, copy_site, read_article, sphinx_conf
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

CONFIG = ROOT / ".readthedocs.yaml"
CONF = sphinx_conf()
# Read the Docs names the PDF after the project's slug; ours is DOC_NAME.
SLUG = CONF["DOC_NAME"]
CHECK_LOG = ROOT / "tools" / "check-latex-log.py"
# Read the Docs' PDF commands (its build log shows them): Sphinx into <out>,
# then latexmk in <out>, with -f (go on after errors).
RTD_SPHINX = [
    "-m",
    "sphinx",
    "-T",
    "-b",
    "latex",
    "-d",
    "_build/doctrees",
    "-D",
    "language=en",
    ".",
]
RTD_LATEXMK = ["latexmk", "-r", "latexmkrc", "-pdf", "-f", "-dvi-", "-ps-"]


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    """Read the Docs' published schema, vendored in check-jsonschema (offline)."""
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.readthedocs"]
    return subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)


def pinned_requirements(path: Path) -> list[Requirement]:
    """The pins of a lock file that apply to this Python (hashes, comments dropped)."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = (re.sub(r"\s--hash=\S+|(^|\s)#.*", "", line).strip() for line in text.splitlines())
    pins = [Requirement(line) for line in lines if line and not line.startswith("-")]
    return [pin for pin in pins if pin.marker is None or pin.marker.evaluate()]


def problems(config: dict[str, Any], root: Path = ROOT) -> list[str]:
    """What Read the Docs' schema lets through but this project requires."""
    found: list[str] = []
    build = config.get("build") or {}
    if not build.get("os"):
        found.append("build.os is missing (Read the Docs requires it; the schema does not)")
    python = str((build.get("tools") or {}).get("python", ""))
    if not re.fullmatch(r"3\.\d+", python):
        found.append(f"build.tools.python must be a version like 3.11, not {python!r}")
    sphinx = config.get("sphinx") or {}
    configuration = sphinx.get("configuration")
    if not configuration or not (root / configuration).is_file():
        found.append(f"sphinx.configuration {configuration!r} is not a file in the project")
    if sphinx.get("fail_on_warning") is not True:
        found.append("sphinx.fail_on_warning must be true")
    if sorted(config.get("formats") or []) != ["epub", "htmlzip", "pdf"]:
        found.append(f"formats must be pdf, epub, htmlzip, not {config.get('formats')!r}")
    installs = (config.get("python") or {}).get("install") or []
    files = [entry.get("requirements") for entry in installs]
    if "requirements.txt" not in files:
        found.append("python.install must install requirements.txt")
    for name in files:
        if name and not (root / name).is_file():
            found.append(f"python.install requirements {name!r} is not a file")
    return found


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def test_config_is_valid_against_read_the_docs_schema() -> None:
    result = check_jsonschema(CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / ".readthedocs.yaml"
    bad.write_text("version: 2\nformats: [pdf, docx]\n", encoding="utf-8")
    result = check_jsonschema(bad)
    assert result.returncode == 1 and "docx" in result.stdout


def test_config_has_what_the_schema_misses(config: dict[str, Any]) -> None:
    assert config["version"] == 2
    assert problems(config) == []


def test_project_checks_catch_a_config_the_schema_accepts(tmp_path: Path) -> None:
    bad = tmp_path / ".readthedocs.yaml"
    bad.write_text("version: 2\nsphinx:\n  configuration: docs/conf.py\n", encoding="utf-8")
    assert check_jsonschema(bad).returncode == 0  # the schema lets it through
    found = problems(yaml.safe_load(bad.read_text()))
    assert any("build.os" in p for p in found)
    assert any("docs/conf.py" in p for p in found)
    assert any("formats" in p for p in found)
    assert any("fail_on_warning" in p for p in found)


def test_python_version_installs_the_pins(config: dict[str, Any]) -> None:
    """The pins are installed and tested on this Python: Read the Docs must use it.

    Read the Docs' "3.11" is the newest 3.11.x, never older than the one here,
    so each pin's Requires-Python is checked against this exact version.
    """
    python = Version(str(config["build"]["tools"]["python"]))
    here = Version(platform.python_version())
    assert python.release == here.release[:2], (
        f"Read the Docs uses Python {python}; the pins are installed and tested on {here}"
    )
    for requirement in pinned_requirements(ROOT / "requirements.txt"):
        installed = importlib.metadata.distribution(requirement.name)
        assert installed.version in requirement.specifier, f"{requirement} is not installed"
        supported = installed.metadata.get("Requires-Python")
        if supported:
            assert here in SpecifierSet(supported), (
                f"{requirement} requires Python {supported}, not {here}"
            )


# -- The PDF, built with Read the Docs' own commands -------------------------


def read_the_docs_pdf(project: Path) -> tuple[Path, str]:
    """Read the Docs' two commands, run exactly; the output folder and what they print."""
    out = project / "_readthedocs" / "pdf"
    sphinx = subprocess.run(
        [sys.executable, *RTD_SPHINX, str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert sphinx.returncode == 0, sphinx.stderr
    # Read the Docs ignores latexmk's exit status: any PDF counts as success.
    latexmk = subprocess.run(
        [*RTD_LATEXMK, f"-jobname={SLUG}", "-interaction=nonstopmode"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    return out, sphinx.stderr + latexmk.stdout + latexmk.stderr


def check_log(log: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, CHECK_LOG, str(log)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def rtd_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The real project, built the Read the Docs way in a copy."""
    return read_the_docs_pdf(copy_site(tmp_path_factory.mktemp("rtd") / "project"))


def test_read_the_docs_sphinx_step_has_no_warning(rtd_pdf: tuple[Path, str]) -> None:
    _, output = rtd_pdf
    assert "WARNING" not in output and "ERROR" not in output, output


def test_read_the_docs_latexmk_gives_the_pdf(rtd_pdf: tuple[Path, str]) -> None:
    out, output = rtd_pdf
    assert (out / f"{SLUG}.pdf").is_file(), output[-3000:]


def test_read_the_docs_latex_log_is_clean(rtd_pdf: tuple[Path, str]) -> None:
    out, _ = rtd_pdf
    check = check_log(out / f"{SLUG}.log")
    assert check.returncode == 0, check.stderr


def test_what_read_the_docs_hides_is_caught(tmp_path: Path) -> None:
    """A LaTeX error still gives Read the Docs a PDF; the log check fails."""
    project = copy_site(tmp_path / "project")
    page = project / "background" / "index.md"
    page.write_text(page.read_text() + "\n```{raw} latex\n\\nosuchcommand\n```\n")
    out, output = read_the_docs_pdf(project)
    assert (out / f"{SLUG}.pdf").is_file(), output[-3000:]  # Read the Docs: "success"
    check = check_log(out / f"{SLUG}.log")
    assert check.returncode == 1
    assert "Undefined control sequence" in check.stderr, check.stderr


def test_read_the_docs_pdf_has_the_article(rtd_pdf: tuple[Path, str]) -> None:
    out, _ = rtd_pdf
    text = subprocess.run(
        ["pdftotext", str(out / f"{SLUG}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    article = read_article()
    assert words.startswith(article.title)
    assert article.see_also[-1] in words
