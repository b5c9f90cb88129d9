"""Shared helpers and fixtures.

- ``outputs``: every format, built once per session exactly as Read the Docs
  builds them (the commands of .readthedocs.yaml, as a non-root user, in its
  own environment): what readers download is what the tests read.
- ``build``: a throwaway copy of the project (publication.copy_project), a
  fault planted in it, built with the project's own build tool.
- ``local_server``: a stand-in on 127.0.0.1 for a web server the tools talk to.
- Sphinx's own testing fixtures, for the local extensions on small test
  projects under tests/roots/.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler
from subprocess import PIPE
from typing import Any

import pytest
import yaml

from publication import NAME, ROOT, copy_project

pytest_plugins = ("sphinx.testing.fixtures",)

# Tests read what Sphinx prints; Sphinx colours it whenever CI=true.
os.environ["NO_COLOR"] = "1"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
# What `make` exports: the tools and Sphinx, run by the tests, find the local modules.
os.environ["PYTHONPATH"] = f"{ROOT / '_ext'}:{ROOT / 'tools'}"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the test projects (``testroot="NAME"``: roots/test-NAME)."""
    return Path(__file__).parent / "roots"


@contextlib.contextmanager
def local_server(handler: Callable[..., BaseRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 (a free port), answering from a thread of its own."""
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        server.daemon_threads = True  # a client that stops waiting does not hold the tests
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield server
        finally:
            server.shutdown()


def tool(project: Path, name: str, *args: object, popen: bool = False, **options: Any) -> Any:
    """tools/NAME of `project`, run as `make` runs it: finished, or (popen) running."""
    pythonpath = {"PYTHONPATH": f"{project / '_ext'}:{project / 'tools'}"}
    env = os.environ | pythonpath | options.pop("env", {})
    cmd = [sys.executable, str(project / "tools" / name), *map(str, args)]
    if popen:
        return subprocess.Popen(cmd, env=env, stdout=PIPE, stderr=PIPE, text=True, **options)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, **options)


def build(fmt: str, project: Path, outdir: Path, *opts: str, env: dict | None = None) -> Any:
    """tools/build.py of `project` (never raises): the published output is outdir/<fmt>."""
    return tool(project, "build.py", fmt, "--outdir", outdir, *opts, env=env or {})


def latex(site: Path, out: Path, env: dict | None = None) -> Path:
    """The LaTeX sources of `site` (Sphinx's LaTeX builder alone) in `out`."""
    doctrees = tempfile.mkdtemp()  # not beside the output: nothing but LaTeX in `out`
    args = ["-m", "sphinx", "-b", "latex", "-q", "-d", doctrees, str(site), str(out)]
    env = os.environ | {"PYTHONPATH": str(site / "_ext")} | (env or {})
    subprocess.run([sys.executable, *args], check=True, env=env)
    return out


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must be in the file exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    """Add text at the end of a file, on lines of its own."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


# -- Every output, as Read the Docs builds it ----------------------------------------


@dataclass(frozen=True)
class Outputs:
    html: Path  # the site's folder
    pdf: Path
    epub: Path
    htmlzip: Path
    log: str  # what the commands printed


def read_the_docs_commands() -> dict[str, list[str]]:
    """The build commands of .readthedocs.yaml, by format."""
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    return config["build"]["jobs"]["build"]


def as_ordinary_user(cmd: list[str]) -> list[str]:
    """Run as "nobody" when the tests run as root (Read the Docs builds as a user)."""
    user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    return [*user, *cmd] if os.getuid() == 0 else cmd


def read_the_docs_venv(requirements: Path) -> Path:
    """A virtual environment made from requirements.txt alone, as python.install makes it.

    Kept in _build/ for the next run while requirements.txt stays the same.
    """
    venv = ROOT / "_build" / "readthedocs-venv"
    stamp = venv / "requirements.txt"
    venv.parent.mkdir(exist_ok=True)
    with (venv.parent / ".readthedocs-venv.lock").open("w") as lock:  # one test process makes it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_bytes() == requirements.read_bytes():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        # Debian's Python, not this one: an ordinary user may not reach a Python under /root.
        python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--isolated"]
        subprocess.run([*pip, "--require-hashes", "-r", str(requirements)], check=True)
        shutil.copyfile(requirements, stamp)
    return venv


@pytest.fixture(scope="session")
def outputs() -> Iterator[Outputs]:
    """HTML, PDF, EPUB and zip, built by Read the Docs' commands in a checkout of their own.

    As Read the Docs does: a virtual environment made from requirements.txt
    alone (python.install), READTHEDOCS=True and the variables it sets, an
    ordinary user, the project's full git history.
    """
    # Not under pytest's temporary folder: only its owner may enter that.
    tmp = Path(tempfile.mkdtemp(prefix="readthedocs-"))
    tmp.chmod(0o755)
    checkout = copy_project(tmp / "checkout", git=True)
    venv = read_the_docs_venv(checkout / "requirements.txt")
    home = tmp / "home"
    home.mkdir()
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", "nobody:nogroup", str(checkout), str(home)], check=True)
    out = f"{checkout}/_readthedocs/"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "NO_COLOR": "1"}
    # What the project reads of what Read the Docs sets.
    url = f"https://{NAME}.readthedocs.io/en/latest/"
    env |= {"READTHEDOCS": "True", "READTHEDOCS_OUTPUT": out, "READTHEDOCS_CANONICAL_URL": url}
    # The four jobs at once (Read the Docs runs them one after the other): quicker,
    # and it shows that builds of different formats do not get in each other's way.
    options = {"cwd": checkout, "env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    runs = {
        command: subprocess.Popen(as_ordinary_user(["sh", "-c", command]), text=True, **options)
        for command in itertools.chain(*read_the_docs_commands().values())
    }
    log = [f"$ {command}\n{run.communicate()[0]}" for command, run in runs.items()]
    failed = [entry for entry, run in zip(log, runs.values(), strict=True) if run.returncode]
    assert not failed, "\n".join(failed)[-4000:]
    found = {fmt: sorted((Path(out) / fmt).iterdir()) for fmt in ("pdf", "epub", "htmlzip")}
    for fmt, files in found.items():  # Read the Docs takes exactly one file of each
        assert len(files) == 1, f"{fmt}: Read the Docs wants one file, not {files}"
    files = [found[fmt][0] for fmt in ("pdf", "epub", "htmlzip")]
    yield Outputs(Path(out) / "html", *files, "\n".join(log))
    shutil.rmtree(tmp, ignore_errors=True)
