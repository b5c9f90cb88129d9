"""Every page has a description, used for search results and link previews.

Pages declare it in their front matter::

    ---
    myst:
      html_meta:
        description: "One sentence on what the page holds."
    ---

MyST turns that into a ``<meta name="description">`` tag. This extension

- warns (an error under ``-W``), naming the file, when a page has none, and
- hands the same text to sphinxext-opengraph as ``og:description``, which
  would otherwise cut the first 200 characters out of the page's body.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


def description_of(doctree: nodes.document) -> str:
    """The content of the page's description meta tag, or "" when it has none."""
    for meta in doctree.findall(nodes.meta):
        if meta.get("name") == "description":
            return str(meta.get("content", "")).strip()
    return ""


def check_description(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: a page without a description fails a strict build."""
    if not description_of(doctree):
        logger.warning(
            "page has no description: add `myst: html_meta: description: ...` to its front matter",
            location=app.env.docname,
            type="description",
            subtype="missing",
        )


def add_og_description(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """html-page-context: pass the description to sphinxext-opengraph.

    Runs before it (priority 400 < 500). Its per-page fields come from
    ``context["meta"]``, which is the environment's own metadata dict, so it is
    copied rather than changed in place.
    """
    description = description_of(doctree) if doctree is not None else ""
    if description:
        context["meta"] = {**(context.get("meta") or {}), "og:description": description}


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", check_description)
    app.connect("html-page-context", add_og_description, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
