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

# Local extensions live in _ext/ (the timeline, one-page HTML anchors, page
# descriptions, toctree caption levels).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# -- Project ---------------------------------------------------------------
# The text is the Wikipedia article of the same title, CC BY-SA 4.0.

project = "Donetsk People's Republic–Russia relations"
author = "Wikipedia contributors"
copyright = "Wikipedia contributors, text licensed CC BY-SA 4.0"
language = "en"
# The edition of this publication (the EPUB requires one; the PDF does not
# print it). Raise it when the article text is updated from its source.
version = "1.0"
release = version

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
    "benchmarks",  # `make bench` and its README
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
    "notfound.extension",  # sphinx-notfound-page: the 404 page
    "sphinx_sitemap",  # sitemap.xml
    "sphinxext.opengraph",  # OpenGraph tags for link previews
    "page_description",  # local: each page's description, also as og:description
    "caption_level",  # local: an aria-level for toctree captions (accessibility)
    # Cross-page links that work in the one-page HTML (`make htmlzip`).
    "singlehtml_anchors",
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
html_css_files = ["credit.css", "reader.css"]
# Stylesheets that only some pages need, by a class those pages use
# (_ext/page_css.py): the others do not download them.
page_css_files = {"infobox": "infobox.css", "article-timeline": "timeline.css"}
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
# `make latexpdf` (alias `make pdf`) gives _build/latex/dpr-russia-relations.pdf:
# a short article (the `howto` class), not a manual. xelatex with Debian's
# FreeSerif/FreeSans/FreeMono (fonts-freefont-otf), which also cover Cyrillic,
# so a Russian or Ukrainian name builds without changes.

DOC_NAME = "dpr-russia-relations"  # file name of the PDF, EPUB and HTML zip

latex_engine = "xelatex"
latex_documents = [
    # (start file, .tex name, title, author, class)
    ("index", f"{DOC_NAME}.tex", project, author, "howto"),
]
# Read the Docs has no xindy, and this article has no index to sort.
latex_use_xindy = False
latex_domain_indices = False
# A printed reader cannot follow a link: external URLs go into footnotes.
latex_show_urls = "footnote"
latex_table_style = ["booktabs"]

# In LaTeX a bare % starts a comment: the percent-encoded URL needs \%.
_SOURCE_URL_TEX = SOURCE_ARTICLE_URL.replace("%", r"\%")
_LATEX_TITLE_BLOCK = rf"""
\makeatletter
\begingroup
  \hypersetup{{pdftitle={{\@title}}, pdfauthor={{\@author}},
    pdfsubject={{Text of the Wikipedia article, licensed CC BY-SA 4.0}}}}
\endgroup
\noindent\rule{{\linewidth}}{{1pt}}\par
\begin{{flushleft}}
  {{\py@HeaderFamily\huge\bfseries \@title\par}}
  \vspace{{1.5ex}}
  {{\py@HeaderFamily\large \@author\par}}
  \vspace{{1ex}}
  {{\small
    Text of the Wikipedia article
    \href{{{_SOURCE_URL_TEX}}}{{\textit{{\@title}}}},
    licensed under the \href{{{LICENCE_URL}}}{{Creative Commons
    Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0)}}.\par
    Source: \url{{{_SOURCE_URL_TEX}}}\par
    Licence: \url{{{LICENCE_URL}}}\par}}
\end{{flushleft}}
\makeatother
"""

latex_elements = {
    # A4: the paper size of the article's readers outside North America.
    "papersize": "a4paper",
    "pointsize": "11pt",
    # Explicit, so that the fonts do not change with Sphinx's defaults. No
    # TeX ligatures: ' and " stay straight, as in the article.
    "fontpkg": r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,
  BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{FreeMono}[Scale=0.9, Extension=.otf, UprightFont=*,
  ItalicFont=*Oblique, BoldFont=*Bold, BoldItalicFont=*BoldOblique]
""",
    "sphinxsetup": "hmargin={1.25in,1.25in}, vmargin={1in,1in}",
    "preamble": r"""
% An article: sections unnumbered, like the site and Wikipedia.
\setcounter{secnumdepth}{0}
% Words are never hyphenated, so the PDF's text is the article's text;
% a little extra stretch keeps justified lines from overflowing instead.
\hyphenpenalty=10000
\emergencystretch=3em
% Links within the article are coloured, not italic: italics would read as
% emphasis the article does not have.
\protected\def\sphinxcrossref#1{#1}
% latexmk sees that the .aux changed by its time and size, to the second.
% The first two runs can end within one second with .aux files of equal size
% (page numbers moved), and latexmk then stops a run early, leaving wrong
% page references. A line only the first run writes makes the sizes differ.
\makeatletter
\AtBeginDocument{\IfFileExists{\jobname.toc}{}{%
  \immediate\write\@auxout{\@percentchar\space first run: no contents yet}}}
% The infobox (a `sidebar`, drawn as a full-width box): its map at most a
% third of the page high, and the box starts on a new page rather than be
% split across two.
\AddToHook{env/sphinxsidebar/before}{\needspace{0.36\textheight}}
\AddToHook{env/sphinxsidebar/begin}{\spx@image@maxheight=0.3\textheight}
% A term of a definition list (a date in a timeline) is never left at the
% foot of a page: it moves on with the first lines of what it defines.
\AddToHook{cmd/sphinxlineitem/before}{\needspace{5\baselineskip}}
\makeatother
""",
    # cmap is for pdflatex only; with xelatex it just logs a warning.
    "cmappkg": "",
    # The title block: title, credit and licence; no empty release line.
    "maketitle": _LATEX_TITLE_BLOCK,
    # "Contents", not the toctree's caption ("Article").
    "tableofcontents": r"\renewcommand{\contentsname}{Contents}\sphinxtableofcontents",
    # No index page: the article has nothing to index.
    "makeindex": "",
    "printindex": "",
}

# -- EPUB ------------------------------------------------------------------
# `make epub` gives _build/epub/dpr-russia-relations.epub, checked by epubcheck
# in the tests. Its metadata names the article's authors and licence; every
# chapter ends with the credit (a small theme on top of Sphinx's "epub").

epub_basename = DOC_NAME
epub_title = project
epub_author = author
epub_publisher = author
epub_contributor = author
epub_copyright = copyright
epub_description = (
    "The Wikipedia article on the bilateral relations between Russia and the "
    "Donetsk People's Republic (DPR), licensed CC BY-SA 4.0."
)
# Sphinx writes epub_uid (an XML id) where the NCX wants the identifier, and
# epubcheck requires them equal: one short name serves as both.
epub_identifier = DOC_NAME
epub_uid = DOC_NAME
# Links stay clickable; "footnote" would add an empty "Footnotes" heading to
# every chapter without external links (Sphinx 9.0).
epub_show_urls = "no"
epub_use_index = False
html_theme_path = ["_themes"]
epub_theme = "epub-credit"
epub_theme_options = {
    "author": author,
    "source_url": SOURCE_ARTICLE_URL,
    "licence_url": LICENCE_URL,
}

# -- Offline HTML ----------------------------------------------------------
# `make htmlzip` builds the one-page site with `-t offline` for a zip that is
# read without a server: no search box and no index, which would lead to
# pages the one-page build does not make.

# Sphinx gives conf.py its `tags`; a tool that reads this file may not.
_tags = globals().get("tags")
if _tags is not None and _tags.has("offline"):
    html_use_index = False
    html_sidebars = {
        "**": [
            "sidebar/brand.html",
            "sidebar/scroll-start.html",
            "sidebar/navigation.html",
            "sidebar/scroll-end.html",
        ]
    }

# -- Linkcheck -------------------------------------------------------------
# `make linkcheck` runs the linkcheck builder strictly, then
# tools/check_links.py sorts its results (a link that could not be reached
# because this machine has no network is reported NOT CHECKED, never passed)
# and checks every link of the built HTML. See "Link checking" in README.md.

# A page that takes longer than this to answer is down for a reader too.
linkcheck_timeout = 15
# Three tries before a link counts as broken. Timeouts count as broken, so
# they are retried as well (as "timeout" they would not be, sphinx #14339).
linkcheck_retries = 3
linkcheck_report_timeouts_as_broken = True
# HTTP 429: Sphinx waits as long as the server's Retry-After says; without
# one it waits 60 s, doubling each time, and gives up (broken) past this.
linkcheck_rate_limit_timeout = 120.0

# Anchors (#fragment) are checked in the page the server sends, except where
# the page makes its anchors with JavaScript after loading.
linkcheck_anchors = True
linkcheck_anchors_ignore_for_url = [
    # GitHub renders heading and line anchors in the browser (sphinx #6779).
    r"https://github\.com/.+",
]

# Redirects: any redirect not listed here is a warning, and the strict build
# fails. Update the link to where it now points, or list the redirect with
# its reason.
linkcheck_allowed_redirects = {
    # Creative Commons sends a licence URL on to the licence's deed in the
    # reader's language (.../by-sa/4.0/ -> .../by-sa/4.0/deed.en).
    r"https://creativecommons\.org/licenses/.+": r"https://creativecommons\.org/licenses/.+",
}

# Links never checked. None yet: add a pattern only with the reason on the
# line above it (and the upstream issue, where there is one).
linkcheck_ignore: list[str] = []
