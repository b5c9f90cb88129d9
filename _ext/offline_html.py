"""The one-page HTML (``singlehtml``, the offline zip) works without a server.

However it is built (``make htmlzip``, Read the Docs, a bare ``sphinx-build -b singlehtml``):

- it has no search box and no link to ``search.html``, a page the builder does not make:
  furo always shows both (its sidebar/search.html and base.html; Sphinx's own theme hides
  them for singlehtml since sphinx-doc/sphinx#1147);
- a link to a label on another page works: Sphinx 8.2+ writes ``#document-x#anchor``,
  which no browser follows, and no longer repairs it (sphinx-doc/sphinx#14221; remove
  when #14241 is released).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata


def keep_last_anchor(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """On the one page, the part after the last ``#`` is the target's id."""
    if app.builder.name == "singlehtml":
        for reference in doctree.findall(nodes.reference):
            uri = reference.get("refuri", "")
            if uri.startswith("#") and uri.count("#") > 1:
                reference["refuri"] = uri[uri.rindex("#") :]


def no_search(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if app.builder.name != "singlehtml":
        return
    context["sidebars"] = [s for s in context.get("sidebars") or [] if "search" not in s]
    hasdoc = context["hasdoc"]
    context["hasdoc"] = lambda name: name != "search" and hasdoc(name)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-resolved", keep_last_anchor)
    app.connect("html-page-context", no_search)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
