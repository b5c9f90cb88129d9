#!/usr/bin/env python3
"""Build one output strictly and from scratch; publish it only if it succeeded.

    python tools/build.py {html,pdf,epub,htmlzip} [--outdir _build] [SPHINXOPTS ...]

- Strict: -W --keep-going -n, from scratch (-E) every time, so every warning
  in the sources is reported on every build, not only after an edit
  (sphinx-doc/sphinx#725), and no page or sitemap.xml is left stale.
- Safe: the build goes to OUTDIR/.partial/FORMAT and replaces the published
  output only when it succeeded: Ctrl-C or a failure leaves it as it was. A
  second build of the same format into the same OUTDIR waits for the first.
- Quiet: Sphinx prints its warnings only; one line at the end says what was built.
- pdf: latexmk stops at the first LaTeX error; what still gives a PDF (overfull
  lines, missing glyphs, undefined references) is read from its log, and fails too.

Outputs, as Read the Docs expects them under $READTHEDOCS_OUTPUT: OUTDIR/html/,
OUTDIR/pdf/NAME.pdf (LaTeX sources and log in OUTDIR/latex/),
OUTDIR/epub/NAME.epub, OUTDIR/htmlzip/NAME.zip (the one-page HTML in a folder).
"""

import argparse
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from subprocess import PIPE

import publication as pub

STRICT = ["-W", "--keep-going", "-n"]
BUILDERS = {"html": "html", "pdf": "latex", "epub": "epub", "htmlzip": "singlehtml"}
UNCHANGED = "The published output is unchanged."
# LaTeX log lines that mean the PDF is wrong, though latexmk made one.
LATEX_PROBLEMS = re.compile(
    r"^! "  # an error
    r"|^Overfull \\[hv]box"  # text runs into the margin
    r"|^Missing character: There is no"  # the font lacks a glyph: dropped silently
    r"|^LaTeX Warning: (Reference|Citation|Hyper reference) .* undefined"
    r"|^LaTeX Warning: There were (undefined|multiply-defined) references"
    r"|^LaTeX Warning: Label .* multiply defined"
    r"|^LaTeX Warning: .*Rerun to get"
    r"|^LaTeX Font Warning:|^Package (fontspec|hyperref|rerunfilecheck) Warning:"
)


class BuildError(Exception):
    """A build that failed; the message says why in one line."""


def latex_problems(log: Path) -> list[str]:
    """Each line of a LaTeX log that means the PDF is wrong, as path:line: text."""
    if not log.is_file():
        return [f"{log}: no LaTeX log (did LaTeX run?)"]
    # TeX may cut a UTF-8 character in two where it wraps a long line.
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [f"{log}:{n}: {line}" for n, line in enumerate(lines, 1) if LATEX_PROBLEMS.match(line)]


def run(cmd: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    """subprocess.run, but Ctrl-C reaches the command, which then ends cleanly.

    (Killed outright, sphinx-build would leave sphinx-sitemap's
    multiprocessing manager behind, holding the terminal's pipes.)
    """
    with subprocess.Popen(cmd, text=True, **options) as process:  # type: ignore[call-overload]
        try:
            stdout, stderr = process.communicate()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
            raise
    return subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr)


def build(fmt: str, srcdir: Path, partial: Path, opts: list[str]) -> dict[str, Path]:
    """Build into `partial`; return the outputs to publish, by name."""
    out, folder = partial / "sphinx", partial / fmt
    cmd = [sys.executable, "-m", "sphinx", "-b", BUILDERS[fmt], "-E", "-q"]
    cmd += ["-d", str(partial / "doctrees"), *STRICT, *opts, str(srcdir), str(out)]
    if run(cmd).returncode:
        raise BuildError("Sphinx reported the problems above")
    if fmt == "html":
        return {"html": out}
    folder.mkdir()
    if fmt == "epub":
        (out / f"{pub.NAME}.epub").rename(folder / f"{pub.NAME}.epub")
        return {"epub": folder}
    if fmt == "htmlzip":
        zip_folder(out, folder / f"{pub.NAME}.zip")
        return {"htmlzip": folder}
    env = os.environ | {"LATEXOPTS": "-interaction=nonstopmode -halt-on-error"}
    latexmk = run(["make", "-C", str(out), "all-pdf"], env=env, stdout=PIPE, stderr=PIPE)
    problems = latex_problems(out / f"{pub.NAME}.log")
    if latexmk.returncode or problems:
        print(*(problems or [latexmk.stdout[-2000:], latexmk.stderr]), sep="\n", file=sys.stderr)
        raise BuildError(f"LaTeX reported the problems above; the whole log: {out / pub.NAME}.log")
    shutil.copy2(out / f"{pub.NAME}.pdf", folder)
    return {"pdf": folder, "latex": out}


def zip_folder(folder: Path, target: Path) -> None:
    """The one-page site in a folder named NAME, zipped the same way every time."""
    stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]  # zip: 1980+
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != ".buildinfo"):
            info = zipfile.ZipInfo(f"{pub.NAME}/{path.relative_to(folder).as_posix()}", stamp)
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)


def publish(outputs: dict[str, Path], outdir: Path) -> None:
    for name, new in outputs.items():
        final, old = outdir / name, outdir / f".old-{name}"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        new.rename(final)
        shutil.rmtree(old, ignore_errors=True)


def source_date_epoch() -> str:
    """The last commit's time, so that every date Sphinx writes is the commit's."""
    git = ["git", "-C", str(pub.ROOT), "log", "-1", "--format=%ct"]
    try:
        return subprocess.run(git, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "1795693149"  # no git: a fixed date (the project's first commit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=BUILDERS)
    parser.add_argument("--outdir", type=Path, default=pub.ROOT / "_build")
    parser.add_argument("--srcdir", type=Path, default=pub.ROOT)
    args, opts = parser.parse_known_args(argv)
    if not (args.srcdir / "conf.py").is_file():
        parser.error(f"{args.srcdir} is not a Sphinx project (no conf.py)")
    os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch())
    fmt, outdir, started = args.format, args.outdir.resolve(), time.monotonic()
    outdir.mkdir(parents=True, exist_ok=True)
    with (outdir / f".build-{fmt}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"another {fmt} build is writing to {outdir}; waiting", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        partial = outdir / ".partial" / fmt
        shutil.rmtree(partial, ignore_errors=True)  # left by an interrupted or failed build
        partial.mkdir(parents=True)
        try:
            outputs = build(fmt, args.srcdir.resolve(), partial, opts)
        except BuildError as failed:
            print(f"{fmt}: FAILED: {failed}. {UNCHANGED}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"\n{fmt}: interrupted. {UNCHANGED}", file=sys.stderr)
            return 130
        publish(outputs, outdir)
        shutil.rmtree(partial)
    print(f"{fmt}: built with no warnings in {time.monotonic() - started:.1f} s: {outdir / fmt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
