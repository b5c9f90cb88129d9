"""Sphinx configuration for "Donetsk People's Republic–Russia relations".

Read top to bottom: project, extensions, MyST, HTML, LaTeX, linkcheck.
Every option here is documented at https://www.sphinx-doc.org/en/master/usage/configuration.html
"""

from __future__ import annotations

import sys
from pathlib import Path

# Local extensions live in _ext/ (none yet in the foundation; the folder is
# added by the first extension that needs it).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# -- Project ---------------------------------------------------------------
# The text is the Wikipedia article of the same title, CC BY-SA 4.0.

project = "Donetsk People's Republic–Russia relations"
author = "Wikipedia contributors"
copyright = "Wikipedia contributors, text licensed CC BY-SA 4.0"
language = "en"

SOURCE_ARTICLE_URL = (
    "https://en.wikipedia.org/wiki/Donetsk_People%27s_Republic%E2%80%93Russia_relations"
)
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"

# Pages are the Markdown files under index.md's toctree; everything else in
# the repository is not a page.
exclude_patterns = [
    "_build",
    ".*",  # .venv, .git, .pytest_cache, .ci, .github and other dot-folders
    "README.md",
    "LICENSE",
    "tests",
    "node_modules",
]

# Strictness: `make html` adds -W --keep-going -n (nitpicky). Show the
# warning type so that one can be suppressed by name, never wholesale.
nitpicky = True
show_warning_types = True
suppress_warnings: list[str] = []

# The article is the record: keep its straight quotes and dashes exactly as
# written instead of letting Sphinx "educate" them into curly ones.
smartquotes = False

# -- Extensions ------------------------------------------------------------

extensions = [
    "myst_parser",
    # SVG images (the infobox map) become vector PDF for LaTeX, via rsvg-convert.
    "sphinxcontrib.rsvgconverter",
    "sphinx_timeline",  # the `timeline` directive (pinned 0.2.1)
    "article_timeline",  # _ext/article_timeline: checked events, honest dates
    "page_css",  # _ext/page_css.py: stylesheets only on the pages that use them
]

# The article's dated events, the one source of every timeline and of the
# JSON/CSV downloads (format: README.md, "Timeline events").
article_timeline_events = "_data/events.yaml"

# -- MyST ------------------------------------------------------------------
# Markdown only; cross-references are written as [text](#label) against the
# namespaced labels, e.g. (relations/official)=.

source_suffix = {".md": "markdown"}
myst_enable_extensions: list[str] = []
# [text](#label) links name labels and documents (the std domain): do not
# search the Python, C++, ... domains for them too (a third of the time of a
# long timeline went there; see benchmarks/README.md).
myst_ref_domains = ["std"]
# Short link schemes instead of pasted URLs: [text](wiki:Page_title).
myst_url_schemes = {
    "http": None,
    "https": None,
    "mailto": None,
    "wiki": {
        "url": "https://en.wikipedia.org/wiki/{{path}}",
        "title": "Wikipedia: {{path}}",
        "classes": ["wikipedia-link"],
    },
}

# -- HTML ------------------------------------------------------------------

html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_css_files = ["credit.css"]
# Stylesheets that only some pages need, by a class those pages use
# (_ext/page_css.py): the others do not download them.
page_css_files = {"infobox": "infobox.css", "article-timeline": "timeline.css"}
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    # The credit and licence of the article, in the footer of every page.
    "footer_icons": [
        {
            "name": f"Text from the Wikipedia article “{project}”",
            "url": SOURCE_ARTICLE_URL,
            "html": f"Text from the Wikipedia article “{project}”",
            "class": "credit-link",
        },
        {
            "name": "Licensed CC BY-SA 4.0",
            "url": LICENCE_URL,
            "html": "licensed CC BY-SA 4.0",
            "class": "credit-link",
        },
    ],
}

# -- LaTeX -----------------------------------------------------------------
# (filled in by the PDF work)

# -- Linkcheck -------------------------------------------------------------
# (filled in by the link-check work)
