#!/usr/bin/env python3
"""`make check`: the editor's quick check before a push, in well under 30 seconds.

1. the site, built strictly from scratch (tools/build.py): a broken
   reference, a missing page, a bad event in _data/events.yaml or a broken
   page rule fails here, each with its file and line;
2. the article's text, whole and in order in the pages' bodies (article_text.py);
3. every link and anchor inside the built HTML (check_links.py, without the web).

It ends with one line saying what was checked and what failed. With
--labels (`make labels`) it lists every label instead, and where it is declared.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import article_text
import build
import check_links
import publication as pub
from article_timeline import events


def labels() -> int:
    for page in pub.pages().values():
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if re.fullmatch(r"\(([a-z0-9/-]+)\)=", line):
                print(f"{line[1:-2]:45} {page.relative_to(pub.ROOT)}:{number}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=pub.ROOT / "_build")
    parser.add_argument("--labels", action="store_true", help="list the labels instead")
    args, opts = parser.parse_known_args(argv)
    if args.labels:
        return labels()
    started = time.monotonic()
    if build.main(["html", "--outdir", str(args.outdir), *opts]):
        print("check: FAILED: the strict build (its problems are above)")
        return 1
    htmldir = args.outdir.resolve() / "html"
    problems, paragraphs = article_text.check("html", htmldir)
    links, _ = check_links.internal(htmldir, pub.ROOT)
    broken = [v for v in links if v.verdict == "failed"]
    for line in [*problems, *(f"FAILED {v.where}: {v.uri}: {v.reason}" for v in broken)]:
        print(line)
    count = len(events.load(pub.ROOT / pub.EVENTS).events)
    verdict = "FAILED" if problems or broken else "ok"
    print(
        f"check: {verdict}: build with no warnings, {count} events; article text: {paragraphs} "
        f"paragraphs, {len(problems)} problems; links: {len(links)} checked, {len(broken)} broken "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 1 if problems or broken else 0


if __name__ == "__main__":
    sys.exit(main())
