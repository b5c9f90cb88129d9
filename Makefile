# Makefile for the "Donetsk People's Republic–Russia relations" site.
#
#   make html       build the site into _build/html (creates .venv on demand)
#   make test       run the whole test suite (ends with make linkcheck)
#   make test-browser  only the browser tests (screenshots in _build/screenshots/)
#   make linkcheck  check every link: external ones and the built HTML's
#   make livehtml   rebuild and reload the site in a browser as you edit
#   make bench      measure build times and page weights against the floor
#   make lock       compile requirements*.in into hash-locked requirements*.txt
#   make pdf        the article as a PDF (alias of make latexpdf)
#   make epub       the article as an EPUB e-book
#   make htmlzip    the site as one page in a zip, for offline reading
#   make map        redraw the infobox map from Natural Earth data
#   make help       list every Sphinx builder (make <builder> runs it)

PYTHON      ?= python3
VENVDIR     ?= .venv
SPHINXOPTS  ?=
# Strict: every warning is an error (-W), all of them are reported
# (--keep-going), and every reference must resolve (-n, nitpicky).
STRICT      := -W --keep-going -n
SOURCEDIR   := .
BUILDDIR    := _build
BIN         := $(VENVDIR)/bin
SPHINXBUILD := $(BIN)/sphinx-build

# Reproducible builds: every date Sphinx writes (|today|, the PDF's date) is
# the last commit's, not the clock's; without git, a fixed date (the
# project's first commit). Two builds of one commit are byte-identical.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1795693149)
export SOURCE_DATE_EPOCH

.DEFAULT_GOAL := help

# -- Virtual environment --------------------------------------------------
# Created when missing and refreshed when a requirements file changes; the
# stamp files record which requirements the venv was last installed from.
# The requirements files are lock files with hashes (see `make lock`): pip
# installs nothing whose hash is not in them.

$(VENVDIR)/.docs-stamp: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENVDIR)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	@touch $@

$(VENVDIR)/.test-stamp: tests/requirements.txt $(VENVDIR)/.docs-stamp
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r tests/requirements.txt
	@touch $@

.PHONY: venv venv-test
venv: $(VENVDIR)/.docs-stamp
venv-test: $(VENVDIR)/.test-stamp

# -- Lock files -----------------------------------------------------------
# requirements.in and tests/requirements.in list the direct dependencies,
# pinned by hand; `make lock` compiles each into its requirements.txt: every
# package pulled in, pinned, with the hashes of its files. It resolves
# against PyPI alone, whatever this machine's pip or uv configuration says,
# so the hashes are those of the files every machine downloads. Versions
# already locked are kept; `make lock UPGRADE=1` takes the newest allowed.

LOCK := $(BIN)/uv pip compile --quiet --no-config --index-url https://pypi.org/simple \
	--generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" \
	$(if $(UPGRADE),--upgrade)

.PHONY: lock
lock: venv-test
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) tests/requirements.in -o tests/requirements.txt

# -- System packages ------------------------------------------------------
# Debian packages that some builds and checks need beyond Python. Each
# feature adds its packages to DEB_PACKAGES; `make system-deps` installs the
# missing ones as root, or prints the apt-get line to run.

DEB_PACKAGES :=
# Browser tests: Chromium, and fonts for it to draw text with (Chromium only
# recommends fonts-liberation, which --no-install-recommends leaves out).
# npm comes with Node.js from NodeSource; Debian packages it apart.
DEB_PACKAGES += chromium fonts-dejavu-core fonts-liberation
DEB_PACKAGES += $(if $(shell command -v npm),,npm)
# PDF: xelatex, latexmk, the FreeSerif/FreeSans/FreeMono fonts (Latin and
# Cyrillic), rsvg-convert (the infobox map's SVG as a vector PDF). Tests: pdftotext, and epubcheck (which
# pulls in a Java runtime, default-jre).
PDF_DEB_PACKAGES := texlive-xetex latexmk fonts-freefont-otf texlive-fonts-recommended librsvg2-bin
DEB_PACKAGES += $(PDF_DEB_PACKAGES) poppler-utils epubcheck

.PHONY: system-deps
system-deps:
	@tools/ensure-debian-packages $(DEB_PACKAGES)

# -- Browser test tools ---------------------------------------------------
# axe-core, pinned in tests/browser/package-lock.json, installed by npm ci
# (again whenever the lock file changes).

BROWSERTESTS := tests/browser

$(BROWSERTESTS)/node_modules/.ci-stamp: $(BROWSERTESTS)/package-lock.json
	npm ci --prefix $(BROWSERTESTS) --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: browser-tools
browser-tools: system-deps venv-test $(BROWSERTESTS)/node_modules/.ci-stamp

# -- PDF, EPUB and offline HTML -------------------------------------------
# The same outputs as Read the Docs (formats: pdf, epub, htmlzip), strict.
# DOC_NAME is conf.py's DOC_NAME (a test checks that they agree).

DOC_NAME := dpr-russia-relations

# Sphinx's LaTeX builder (strict), then latexmk through the Makefile Sphinx
# writes: non-interactive and halting at the first LaTeX error, so that an
# error fails the target. Then the log is read for what still gives a PDF
# (overfull lines, missing glyphs, undefined references): that fails too.
.PHONY: latexpdf pdf
latexpdf: venv
	@tools/ensure-debian-packages $(PDF_DEB_PACKAGES)
	LATEXOPTS="-interaction=nonstopmode -halt-on-error" \
		$(SPHINXBUILD) -M latexpdf $(SOURCEDIR) $(BUILDDIR) $(STRICT) $(SPHINXOPTS)
	$(BIN)/python tools/check-latex-log.py $(BUILDDIR)/latex
pdf: latexpdf

# Read the Docs' htmlzip: the one-page HTML in a folder of its own, zipped,
# _build/dpr-russia-relations-html.zip. Tagged "offline" (see conf.py).
.PHONY: htmlzip
htmlzip: venv
	rm -rf $(BUILDDIR)/htmlzip $(BUILDDIR)/$(DOC_NAME)-html.zip
	$(SPHINXBUILD) -b singlehtml -d $(BUILDDIR)/doctrees-offline -t offline $(STRICT) \
		$(SPHINXOPTS) $(SOURCEDIR) $(BUILDDIR)/htmlzip/$(DOC_NAME)
	rm -f $(BUILDDIR)/htmlzip/$(DOC_NAME)/.buildinfo
	$(BIN)/python -m zipfile -c $(BUILDDIR)/$(DOC_NAME)-html.zip $(BUILDDIR)/htmlzip/$(DOC_NAME)

# -- Editors --------------------------------------------------------------

.PHONY: livehtml
livehtml: venv-test
	$(BIN)/sphinx-autobuild $(SOURCEDIR) $(BUILDDIR)/html $(STRICT) $(SPHINXOPTS) \
		--ignore "$(VENVDIR)/*" --ignore "tests/*" --ignore "*.pytest_cache*"

# -- Benchmarks -----------------------------------------------------------
# Build times and page weights against a bare one-page MyST + furo project
# built in the same run; see benchmarks/README.md.

.PHONY: bench
bench: venv-test
	$(BIN)/python benchmarks/run.py

# -- Map ----------------------------------------------------------------
# The infobox map, images/donetsk-and-russia.svg, is drawn by a script from
# Natural Earth data that it fetches itself (apt-get download, pinned
# SHA-256) into _build/geodata/. The SVG is committed: `make html` needs none
# of this.

.PHONY: map
map: venv-test
	$(BIN)/python tools/make_map.py

# -- Tests ----------------------------------------------------------------

.PHONY: test lint test-browser
test: system-deps html lint venv-test browser-tools
	$(BIN)/python -m pytest tests
	@$(MAKE) --no-print-directory linkcheck

# Only the browser tests; screenshots land in _build/screenshots/.
test-browser: browser-tools
	$(BIN)/python -m pytest tests/browser

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# -- Link checking --------------------------------------------------------
# Sphinx's linkcheck builder for external links, then every href, src and
# #anchor of the built HTML (LinkChecker). Offline, external links are
# reported NOT CHECKED with the reason. Reports: $(BUILDDIR)/linkcheck/.

# LINKCHECK_EXTERNAL=no skips the external step and says so (CI's build
# job: the external links are checked, with the network, by a job of their own).
LINKCHECK_EXTERNAL ?= yes

.PHONY: linkcheck
linkcheck: venv-test
	$(BIN)/python tools/check_links.py --srcdir $(SOURCEDIR) --builddir $(BUILDDIR) \
		$(if $(filter no,$(LINKCHECK_EXTERNAL)),--no-external) -- $(STRICT) $(SPHINXOPTS)

# -- Cleaning -------------------------------------------------------------

.PHONY: clean distclean
clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(VENVDIR)

# -- Sphinx ---------------------------------------------------------------
# Every other target is a Sphinx builder: make html, make singlehtml, ...

.PHONY: help
help: venv
	@$(SPHINXBUILD) -M help $(SOURCEDIR) $(BUILDDIR) $(SPHINXOPTS)
	@echo
	@echo "Project targets: test test-browser lint livehtml map pdf htmlzip bench lock clean distclean"

# Files that exist are never "built" by the catch-all rule below.
Makefile requirements.txt tests/requirements.txt requirements.in tests/requirements.in \
	$(BROWSERTESTS)/package-lock.json: ;

%: venv
	$(SPHINXBUILD) -M $@ $(SOURCEDIR) $(BUILDDIR) $(STRICT) $(SPHINXOPTS)
