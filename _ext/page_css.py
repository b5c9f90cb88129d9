"""Stylesheets loaded only on the pages that use them.

``page_css_files`` in conf.py maps a class name to a file in html_static_path:
a page whose document has an element with that class links the file; other
pages do not download it. (``html_css_files`` links a file from every page.)
Sphinx allows ``app.add_css_file`` inside ``html-page-context`` for this.

Likewise Sphinx's ``pygments.css``, which only colours code blocks, is linked
only from pages that have a code block (Sphinx links it from every page).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

__version__ = "1.0"


def page_classes(doctree: nodes.document) -> set[str]:
    """Every class name used in a document."""
    return {name for node in doctree.findall(nodes.Element) for name in node.get("classes", [])}


PYGMENTS_CSS = "_static/pygments.css"


def add_page_css(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if doctree is None:  # genindex, search: pages without a source document
        return
    used = page_classes(doctree)
    for css_class, filename in app.config.page_css_files.items():
        if css_class in used:
            app.add_css_file(filename)
    if "css_files" in context and not any(doctree.findall(nodes.literal_block)):
        context["css_files"] = [c for c in context["css_files"] if c.filename != PYGMENTS_CSS]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("page_css_files", {}, "html", types=(dict,))
    app.connect("html-page-context", add_page_css)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
