#!/usr/bin/env python3
"""Fail when a LaTeX log holds an error or a warning of substance.

latexmk (and Read the Docs, which runs it with -f) still produces a PDF after
many of these: an overfull line runs into the margin, a missing glyph is
dropped silently, an undefined reference prints "??". Reading the log is the
only way to catch them.

Usage: check-latex-log.py FILE.log|LATEX-DIR ...
A directory means the .log of every .tex file in it. Prints one line per
finding, "path:line: text", and exits 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# What a reader would see in the PDF, or that means the PDF is wrong.
SUBSTANTIAL = re.compile(
    r"^! "  # a TeX or LaTeX error
    r"|^Overfull \\[hv]box"  # text runs into the margin or off the page
    r"|^Missing character: There is no"  # the font lacks a glyph: it is dropped
    r"|^LaTeX Warning: (Reference|Citation|Hyper reference) .* undefined"
    r"|^LaTeX Warning: There were (undefined|multiply-defined) references"
    r"|^LaTeX Warning: Label .* multiply defined"
    r"|^LaTeX Warning: .*Rerun to get"  # cross-references not settled
    r"|^LaTeX Font Warning:"  # a font or shape substituted
    r"|^Package fontspec Warning:"  # e.g. a script the font does not have
    r"|^Package hyperref Warning:"  # e.g. a broken PDF bookmark
    r"|^Package rerunfilecheck Warning:"
)


def findings(log: Path) -> list[str]:
    """Every line of `log` that reports an error or a substantial warning."""
    # TeX writes the log in the input's encoding, but may cut a UTF-8
    # character in two where it wraps a long line.
    text = log.read_text(encoding="utf-8", errors="replace")
    return [
        f"{log}:{number}: {line}"
        for number, line in enumerate(text.splitlines(), start=1)
        if SUBSTANTIAL.match(line)
    ]


def logs(arguments: list[str]) -> list[Path]:
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            paths += [tex.with_suffix(".log") for tex in sorted(path.glob("*.tex"))]
        else:
            paths.append(path)
    return paths


def main(arguments: list[str]) -> int:
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    problems: list[str] = []
    for log in logs(arguments):
        if not log.is_file():
            problems.append(f"{log}: no such LaTeX log (did LaTeX run?)")
            continue
        problems += findings(log)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"LaTeX log check: {len(problems)} problem(s), see above.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
