"""What the HTML pages carry beyond furo's defaults.

- OpenGraph tags for link previews and the page's licence as ``<link rel="license">``; the
  description comes from the front matter (page_rules.py requires one). No social-card images.
- Stylesheets that only some pages need (``page_css_files``: a class a page uses -> a file
  in html_static_path) are linked from those pages only, and Sphinx's pygments.css only
  from pages with code.
- Toctree captions get ``aria-level="2"``: Sphinx writes them as ``role="heading"`` without
  a level, which axe-core reports (sphinx-doc/sphinx#14030; remove once #14437 is released).
- A robots.txt at the site root names sitemap.xml by its absolute URL.
- For the linkcheck builder, the links only templates hold (the credit, the theme's),
  listed in the file ``linkcheck_template_links`` by tools/check_links.py, join the root
  page, so that they are checked too.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from page_rules import description_of

CAPTION = '<p class="caption" role="heading">'
PYGMENTS_CSS = "_static/pygments.css"


def head_tags(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """OpenGraph and licence tags, page stylesheets, caption levels."""
    web = not app.builder.name.startswith("epub")  # an e-book's chapters are not web pages
    tags = [f'<link rel="license" href="{escape(app.config.site_licence_url)}">'] if web else []
    if doctree is not None and web:
        og = {
            "title": app.env.titles[pagename].astext(),
            "type": "article",
            "url": f"{app.config.html_baseurl}{pagename}.html",
            "site_name": app.config.project,
            "description": description_of(doctree),
        }
        tags += [f'<meta property="og:{key}" content="{escape(v)}">' for key, v in og.items()]
    if doctree is not None:
        used = {name for node in doctree.findall(nodes.Element) for name in node.get("classes", [])}
        for css_class, filename in app.config.page_css_files.items():
            if css_class in used:
                app.add_css_file(filename)
        if "css_files" in context and not any(doctree.findall(nodes.literal_block)):
            context["css_files"] = [c for c in context["css_files"] if c.filename != PYGMENTS_CSS]
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"
    for key in ("body", "furo_navigation_tree"):
        if isinstance(context.get(key), str):
            context[key] = context[key].replace(CAPTION, CAPTION[:-1] + ' aria-level="2">')


def write_robots(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.name == "html":
        text = f"User-agent: *\nAllow: /\nSitemap: {app.config.html_baseurl}sitemap.xml\n"
        (Path(app.outdir) / "robots.txt").write_text(text, encoding="utf-8")


def template_links(app: Sphinx, doctree: nodes.document) -> None:
    listed = app.config.linkcheck_template_links
    if app.builder.name == "linkcheck" and listed and app.env.docname == app.config.root_doc:
        uris = Path(listed).read_text(encoding="utf-8").split()
        doctree += nodes.paragraph("", "", *(nodes.reference(u, u, refuri=u) for u in uris))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("page_css_files", {}, "html", types=(dict,))
    app.add_config_value("site_licence_url", "", "html", types=(str,))
    app.connect("html-page-context", head_tags, priority=600)  # after furo's navigation (500)
    app.add_config_value("linkcheck_template_links", "", "env", types=(str,))
    app.connect("build-finished", write_robots)
    app.connect("doctree-read", template_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
