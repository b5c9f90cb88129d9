"""Sphinx configuration for "Donetsk People's Republic–Russia relations".

Read top to bottom: project, pages, extensions, MyST, HTML, site metadata,
LaTeX, EPUB, link checking. What the publication is (title, source, licence,
file names, the folders that hold pages) is in _ext/publication.py, which
the tools and the tests read too. The options are documented at
https://www.sphinx-doc.org/en/master/usage/configuration.html
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

# Local extensions (_ext/), as Sphinx's own documentation adds them.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))
import publication as pub

# -- Project ---------------------------------------------------------------------

project = pub.TITLE
author = pub.AUTHOR
copyright = f"{pub.AUTHOR}; text licensed {pub.LICENCE}"
language = pub.LANGUAGE
# The edition (the EPUB requires one; nothing prints it). Raise it when the
# article's text is updated from its source.
version = release = "1.0"

# -- Pages -------------------------------------------------------------------------
# Only the front page and the content folders are pages: a note anywhere else
# (tools/, tests/, _data/, ...) is never read (publication.CONTENT).
include_patterns = pub.content_patterns()

# Strict: the Makefile builds with -W --keep-going -n. Warnings show their
# type, so one can be silenced by name, never wholesale.
nitpicky = True
show_warning_types = True
suppress_warnings: list[str] = []
# The article is the record: its straight quotes stay straight.
smartquotes = False

# -- Extensions --------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinxcontrib.rsvgconverter",  # SVG images as vector PDF for LaTeX (rsvg-convert)
    "notfound.extension",  # the 404 page
    "sphinx_sitemap",  # sitemap.xml
    # Local (_ext/), each documented in its docstring:
    "article_timeline",  # the `timeline` directive: sphinx-timeline, extended
    "page_rules",  # one H1, a file name, a description, labels declared once
    "site_html",  # OpenGraph, licence link, per-page CSS, robots.txt
    "offline_html",  # the one-page HTML of the offline zip
    "a11y_downloads",  # the EPUB's accessibility metadata, the PDF's alt text
]

# The article's dated events: the source of every timeline and download.
article_timeline_events = pub.EVENTS

# -- MyST --------------------------------------------------------------------------
# Cross-references are written [text](#label) against namespaced labels such
# as (relations/official)=.

source_suffix = {".md": "markdown"}
# [](#label) names labels and documents: look in the std domain only (a
# third of the time of a long timeline went to the other domains).
myst_ref_domains = ["std"]
# Short links to Wikipedia: [text](wiki:Page_title).
myst_url_schemes = dict.fromkeys(["http", "https", "mailto"]) | {
    "wiki": {"url": "https://en.wikipedia.org/wiki/{{path}}", "title": "Wikipedia: {{path}}"},
}

# -- HTML --------------------------------------------------------------------------

html_theme = "furo"
html_title = project
html_theme_options = {"navigation_with_keys": True}
templates_path = ["_templates"]  # the credit in every footer (page.html, credit.html)
html_show_copyright = False  # the credit says it, with its links
html_static_path = ["_static"]
html_css_files = ["reader.css"]
# Keyboard access to furo's drawers on narrow screens (see the file).
html_js_files = ["reader.js"]
# Stylesheets only some pages need, by a class they use (_ext/site_html.py).
page_css_files = {
    "infobox": "infobox.css",
    "article-timeline": "timeline.css",
    "tl-axis": "timeline.css",
}
html_favicon = "_static/favicon.svg"  # an abstract mark: no flag, no emblem
html_show_sourcelink = False
html_copy_source = False  # the Markdown is not published
html_use_index = False  # the article has no index entries
# The credit at the foot of every page and chapter (_templates/credit.html).
html_context = {
    "credit": {
        "source_url": pub.source_url(),
        "revision": pub.ARTICLE_REVISION,
        "history_url": pub.history_url(),
        "licence": pub.LICENCE,
        "licence_url": pub.LICENCE_URL,
        "adapted": pub.ADAPTED,
    }
}
site_licence_url = pub.LICENCE_URL  # <link rel="license"> on every page

# -- Site metadata -----------------------------------------------------------------
# One base URL makes every absolute link: canonical links, OpenGraph, the
# sitemap, robots.txt and the 404 page. Read the Docs gives it per build.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", pub.DEFAULT_BASE_URL)
sitemap_url_scheme = "{link}"  # html_baseurl holds the language and version
sitemap_excludes = ["404.html", "search.html"]

# The 404 page is served for any missing URL, so its links are absolute paths.
notfound_urls_prefix = urlsplit(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n<p>There is no page at this address. Go to "
        f'<a href="{notfound_urls_prefix}index.html">the front page of the article</a> or '
        f'<a href="{notfound_urls_prefix}search.html">search the site</a>.</p>'
    ),
    "metatags": '<meta name="robots" content="noindex">',
}

# "Last updated": the date of each page's last commit, in UTC. Outside a git
# checkout, the date of SOURCE_DATE_EPOCH when it is set, else none.
html_last_updated_fmt = "%d %B %Y"
git_last_updated_timezone = "UTC"
if (Path(__file__).parent / ".git").exists():
    extensions.append("sphinx_last_updated_by_git")
    sitemap_show_lastmod = True
    # A shallow clone cannot date a page unchanged since its oldest commit.
    suppress_warnings.append("git.too_shallow")
elif "SOURCE_DATE_EPOCH" not in os.environ:
    html_last_updated_fmt = None

# -- LaTeX (PDF) ---------------------------------------------------------------------
# A short article (the `howto` class) typeset by xelatex: the TeX is in
# latex/wikiarticle.sty; only what comes from publication.py is set here.

latex_engine = "xelatex"
latex_documents = [("index", f"{pub.NAME}.tex", project, author, "howto")]
latex_additional_files = ["latex/wikiarticle.sty"]
latex_use_xindy = False  # Read the Docs has no xindy; nothing to index
latex_domain_indices = False
latex_show_urls = "footnote"  # paper cannot follow a link: URLs in footnotes
latex_table_style = ["booktabs"]


def _tex(text: str) -> str:
    """A URL or text for a TeX macro argument: % starts a comment, # is a parameter."""
    return text.replace("\\", r"\\").replace("%", r"\%").replace("#", r"\#")


# Before hyperref: the values wikiarticle.sty takes from publication.py.
_tex_macros = [
    rf"\newcommand*{{\{name}}}{{{_tex(str(value))}}}"
    for name, value in {
        "articlesource": pub.source_url(),
        "articlehistory": pub.history_url(),
        "articlerevision": pub.ARTICLE_REVISION or "",
        "articlelicence": pub.LICENCE,
        "articlelicenceurl": pub.LICENCE_URL,
        "articleadapted": pub.ADAPTED,
        "articlekeywords": pub.KEYWORDS,
    }.items()
]
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "fontpkg": "",  # set by wikiarticle.sty
    "cmappkg": "",  # pdflatex only
    "sphinxsetup": "hmargin={1.25in,1.25in}, vmargin={1in,1in}",
    "figure_align": "H",  # figures stay where the text puts them
    "extrapackages": "\n".join([*_tex_macros, r"\usepackage{wikiarticle}"]),
    "maketitle": r"\articletitleblock",
    "tableofcontents": r"\articlecontents",
    "makeindex": "",
    "printindex": "",
}

# -- EPUB --------------------------------------------------------------------------

epub_basename = pub.NAME
epub_title = project
epub_author = epub_publisher = epub_contributor = author
epub_copyright = f"Text: {pub.AUTHOR}, licensed {pub.LICENCE} ({pub.LICENCE_URL})"
epub_description = (
    "The Wikipedia article on the bilateral relations between Russia and the Donetsk "
    f"People's Republic (DPR), licensed {pub.LICENCE}."
)
# Sphinx writes epub_uid where the NCX wants the identifier; epubcheck wants both equal.
epub_identifier = epub_uid = pub.NAME
# Links stay links: "footnote" adds an empty "Footnotes" heading to chapters without one.
epub_show_urls = "no"
epub_use_index = False
# EPUB Accessibility 1.1 metadata (_ext/a11y_downloads.py): true of this book only.
_FEATURES = ("structuralNavigation", "tableOfContents", "readingOrder", "alternativeText")
epub_a11y_metadata = [
    *(("schema:accessMode", mode) for mode in ("textual", "visual")),
    ("schema:accessModeSufficient", "textual"),
    *(("schema:accessibilityFeature", f) for f in (*_FEATURES, "displayTransformability")),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "Reflowable text with headings and a table of contents. "
        "The two images, a locator map and a timeline drawn to scale, each have a text "
        "alternative, and the text gives everything they show. No sound, animation or flashing.",
    ),
]

# -- Link checking -------------------------------------------------------------------
# `make linkcheck`: Sphinx's linkcheck builder for external links, sorted by
# tools/check_links.py, which also checks every link of the built HTML.

linkcheck_timeout = 15  # slower than this is down for a reader too
# Three tries; timeouts count as broken so that they are retried too (as
# "timeout" they would not be: sphinx-doc/sphinx#14339).
linkcheck_retries = 3
linkcheck_report_timeouts_as_broken = True
linkcheck_rate_limit_timeout = 120.0  # HTTP 429: wait as Retry-After says, up to this
linkcheck_anchors = True
linkcheck_anchors_ignore_for_url = [
    # GitHub makes its anchors with JavaScript (sphinx-doc/sphinx#6779).
    r"https://github\.com/.+",
]
# Any redirect not listed here fails: update the link, or list it with its reason.
linkcheck_allowed_redirects = {
    # Creative Commons sends a licence to its deed in the reader's language.
    r"https://creativecommons\.org/licenses/.+": r"https://creativecommons\.org/licenses/.+",
}
linkcheck_ignore: list[str] = []  # add a pattern only with its reason above it
