"""Rules every page follows. Each broken rule is a warning at the page, so a strict build fails.

- A page has exactly one level-1 heading (its title; the navigation lists it).
- Its file name is lowercase words joined by hyphens, so every URL is too.
- It has a description in its front matter (meta description, link previews)::

      ---
      myst:
        html_meta:
          description: "One sentence on what the page holds."
      ---

- A label is declared once in the whole site. Sphinx warns about a duplicate label only
  when it names a section; a label above a paragraph declared again on another page
  silently wins (sphinx/domains/std: process_doc keeps such "anonymous" labels without a
  check, no upstream issue).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

NO_DESCRIPTION = "no description: add `myst: html_meta: description: ...` to the front matter"
PAGE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*")


def warn(message: str, location: object, subtype: str) -> None:
    logger.warning(message, location=location, type="page", subtype=subtype)


def description_of(doctree: nodes.document) -> str:
    """The page's description (meta tag from the front matter), or ""."""
    for meta in doctree.findall(nodes.meta):
        if meta.get("name") == "description":
            return str(meta.get("content", "")).strip()
    return ""


def check_page(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: one H1, a good file name, a description."""
    docname = app.env.docname
    h1s = [node for node in doctree.children if isinstance(node, nodes.section)]
    if len(h1s) != 1:
        lines = ", ".join(str(h1.line or "?") for h1 in h1s) or "none"
        warn(f"a page has one level-1 heading, this one {len(h1s)} (lines {lines})", docname, "h1")
    if not PAGE_NAME.fullmatch(docname):
        warn(f"page name {docname!r}: use lowercase words joined by hyphens", docname, "name")
    if not description_of(doctree):
        warn(NO_DESCRIPTION, docname, "description")


def check_labels(app: Sphinx, env: BuildEnvironment) -> None:
    """env-check-consistency: every label is declared in one place only (read from the
    pages' saved doctrees, so that it holds however the pages were read)."""
    places: dict[str, list[str]] = {}
    for docname in sorted(env.all_docs):
        doctree = env.get_doctree(docname)
        for name, explicit in doctree.nametypes.items():
            if explicit:  # a label, not a heading's implicit name
                node = doctree.ids.get(doctree.nameids.get(name) or "")
                line = getattr(node, "line", None) or 0
                places.setdefault(name, []).append(f"{env.doc2path(docname, False)}:{line}")
    for name, where in sorted(places.items()):
        if len(where) > 1:
            listed = ", ".join(where)
            warn(f"label {name!r} is declared more than once: {listed}", where[-1], "label")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", check_page)
    app.connect("env-check-consistency", check_labels)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
