"""Links to a label on another page work in the one-page HTML (the offline zip).

Sphinx's singlehtml builder gives every page the URI ``#document-<name>``, and
MyST appends the label's anchor to it: ``#document-background/index#background-
proclamation``, which no browser can follow. Sphinx 9 no longer repairs such
URIs itself (``SingleFileHTMLBuilder.fix_refuris`` is deprecated), so this
does: on the one page, the part after the last ``#`` is the target's id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def keep_last_anchor(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Rewrite ``#page#anchor`` references to ``#anchor`` in singlehtml output."""
    if app.builder.name != "singlehtml":
        return
    for reference in doctree.findall(nodes.reference):
        uri = reference.get("refuri", "")
        if uri.startswith("#") and uri.count("#") > 1:
            reference["refuri"] = uri[uri.rindex("#") :]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-resolved", keep_last_anchor)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
