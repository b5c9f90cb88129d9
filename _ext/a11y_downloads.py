r"""Accessible downloads: what Sphinx's EPUB and LaTeX writers leave out.

EPUB. Sphinx has no setting for what this builder, registered as ``epub``, adds (no
upstream issue yet): the EPUB Accessibility 1.1 metadata of ``epub_a11y_metadata`` (conf.py)
in the package document, after Sphinx's own; ``lang`` and ``xml:lang`` on every chapter's
<html>; ``role="doc-toc"`` on the navigation document's table of contents; one viewport
<meta> per chapter (the theme writes one, docutils a second); and, to be reproducible, its
files dated SOURCE_DATE_EPOCH in the zip.

PDF. Sphinx's LaTeX writer drops an image's ``:alt:``. Here every image with alt text is
wrapped in ``\sphinxalttext{alt}{image}`` (latex/wikiarticle.sty: marked content whose /Alt
is the text alternative).
"""

from __future__ import annotations

import html
import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import HTML_TAG, Epub3Builder
from sphinx.errors import SphinxError
from sphinx.util.typing import ExtensionMetadata
from sphinx.writers.latex import LaTeXTranslator

DOCUTILS_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
MODIFIED = '<meta property="dcterms:modified">'
TOC_NAV = '<nav epub:type="toc">'


class AccessibleEpub3Builder(Epub3Builder):
    def prepare_writing(self, docnames: Any) -> None:
        super().prepare_writing(docnames)
        lang = html.escape(self.config.epub_language)
        self.globalcontext["html_tag"] = HTML_TAG[:-1] + f' lang="{lang}" xml:lang="{lang}">'

    def get_doc_context(self, docname: str, body: str, metatags: str) -> dict[str, Any]:
        return super().get_doc_context(docname, body, metatags.replace(DOCUTILS_VIEWPORT, ""))

    def build_content(self) -> None:
        super().build_content()
        lines = "".join(
            f'<meta property="{html.escape(p)}">{html.escape(v)}</meta>\n    '
            for p, v in self.config.epub_a11y_metadata
        )
        self._edit("content.opf", MODIFIED, lines + MODIFIED)

    def build_navigation_doc(self) -> None:
        super().build_navigation_doc()
        self._edit("nav.xhtml", TOC_NAV, TOC_NAV[:-1] + ' role="doc-toc">')

    def build_epub(self) -> None:
        if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
            for path in self.outdir.rglob("*"):
                os.utime(path, (int(epoch), int(epoch)))
        super().build_epub()

    def _edit(self, name: str, old: str, new: str) -> None:
        """Replace Sphinx's markup in a file it just wrote; it must be there exactly once."""
        path = self.outdir / name
        text = path.read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise SphinxError(f"{name}: expected {old!r} once; has Sphinx's template changed?")
        path.write_text(text.replace(old, new), encoding="utf-8")


def visit_image_latex(self: LaTeXTranslator, node: nodes.image) -> None:
    start = len(self.body)
    LaTeXTranslator.visit_image(self, node)
    alt = " ".join(node.get("alt", "").split())
    for i in range(len(self.body) - 1, start - 1, -1) if alt else ():
        if r"\sphinxincludegraphics" in self.body[i]:
            self.body[i] = rf"\sphinxalttext{{{self.encode(alt)}}}{{{self.body[i]}}}"
            break


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinx.builders.epub3")
    app.add_config_value("epub_a11y_metadata", [], "epub", types=(list,))
    app.add_builder(AccessibleEpub3Builder, override=True)
    app.add_node(
        nodes.image, override=True, latex=(visit_image_latex, LaTeXTranslator.depart_image)
    )
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
