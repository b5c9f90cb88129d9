"""Sphinx configuration for "Donetsk People's Republic–Russia relations".

Read top to bottom: project, extensions, MyST, HTML, LaTeX, linkcheck.
Every option here is documented at https://www.sphinx-doc.org/en/master/usage/configuration.html
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
    "notfound.extension",  # sphinx-notfound-page: the 404 page
    "sphinx_sitemap",  # sitemap.xml
    "sphinxext.opengraph",  # OpenGraph tags for link previews
    "page_description",  # local: each page's description, also as og:description
    "caption_level",  # local: an aria-level for toctree captions (accessibility)
]

# The article's dated events, the one source of every timeline and of the
# JSON/CSV downloads (format: README.md, "Timeline events").
article_timeline_events = "_data/events.yaml"

# -- MyST ------------------------------------------------------------------
# Markdown only; cross-references are written as [text](#label) against the
# namespaced labels, e.g. (relations/official)=.

source_suffix = {".md": "markdown"}
myst_enable_extensions: list[str] = []
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
html_css_files = ["credit.css", "infobox.css", "reader.css"]
# Keyboard access to the navigation drawer on narrow screens (see the file).
html_js_files = ["reader.js"]
html_show_sourcelink = False
# No general index: the article has no index entries, and an empty page helps nobody.
html_use_index = False
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

# -- HTML: site metadata --------------------------------------------------
# One base URL drives the canonical links, the sitemap, OpenGraph and the 404
# page. Read the Docs sets READTHEDOCS_CANONICAL_URL for each build (it ends
# in "/<lang>/<version>/"); elsewhere the default is the published site.
html_baseurl = os.environ.get(
    "READTHEDOCS_CANONICAL_URL", "https://dpr-russia-relations.readthedocs.io/en/latest/"
)
html_favicon = "_static/favicon.svg"  # an abstract mark, no flag or emblem

# Sitemap: html_baseurl already holds the language and version.
sitemap_url_scheme = "{link}"
sitemap_excludes = ["404.html", "search.html"]

# OpenGraph: og:description and the meta description come from each page's
# `myst: html_meta: description:` front matter (the local page_description
# extension fails the build when a page has none). No generated social-card
# images: they would need matplotlib.
ogp_site_url = html_baseurl
ogp_type = "article"
ogp_social_cards = {"enable": False}

# 404 page: served by Read the Docs for any missing URL, so its links are
# absolute paths under the base URL.
notfound_urls_prefix = urlsplit(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>There is no page at this address. Go to "
        f'<a href="{notfound_urls_prefix}index.html">the front page of the article</a> '
        f'or <a href="{notfound_urls_prefix}search.html">search the site</a>.</p>'
    ),
    "metatags": '<meta name="robots" content="noindex">',  # not for search engines
}

# "Last updated" dates come from each page's last commit (in UTC, so every
# machine builds the same bytes). Outside a git checkout (a source tarball,
# no git) the date is SOURCE_DATE_EPOCH's when that is set, else none.
html_last_updated_fmt = "%d %B %Y"
git_last_updated_timezone = "UTC"


def _in_git_checkout() -> bool:
    """True when git runs and this folder is inside a repository with commits."""
    cmd = ["git", "-C", str(Path(__file__).parent), "rev-parse", "--verify", "HEAD"]
    try:
        return subprocess.run(cmd, capture_output=True, check=False).returncode == 0
    except OSError:  # git is not installed
        return False


if _in_git_checkout():
    extensions.append("sphinx_last_updated_by_git")
    sitemap_show_lastmod = True  # <lastmod> from the same git dates
    # A shallow clone (Read the Docs fetches 50 commits) cannot date a page
    # unchanged since its oldest commit: it shows no date instead of failing.
    suppress_warnings.append("git.too_shallow")
elif "SOURCE_DATE_EPOCH" not in os.environ:
    html_last_updated_fmt = None

# -- LaTeX -----------------------------------------------------------------
# (filled in by the PDF work)

# -- Linkcheck -------------------------------------------------------------
# (filled in by the link-check work)
