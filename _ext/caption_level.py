"""Give the captions of tables of contents a heading level.

Sphinx writes a toctree caption (the "Article" above the navigation, and the
one above the contents on the front page) as ``<p class="caption"
role="heading">``. A heading role needs an ``aria-level`` (WAI-ARIA 1.2;
axe-core's rule aria-required-attr fails the page without one), and these
captions head a list just below the page's level-1 title: level 2.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

CAPTION = '<p class="caption" role="heading">'
CAPTION_WITH_LEVEL = '<p class="caption" role="heading" aria-level="2">'


def add_aria_level(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """html-page-context, after furo (priority 500) has built its navigation."""
    for key in ("body", "furo_navigation_tree"):
        if isinstance(context.get(key), str):
            context[key] = context[key].replace(CAPTION, CAPTION_WITH_LEVEL)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", add_aria_level, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
