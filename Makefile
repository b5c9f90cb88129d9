# Makefile for the "Donetsk People's Republic–Russia relations" site.
#
#   make html       build the site into _build/html (creates .venv on demand)
#   make test       run the whole test suite
#   make test-browser  only the browser tests (screenshots in _build/screenshots/)
#   make livehtml   rebuild and reload the site in a browser as you edit
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

.DEFAULT_GOAL := help

# -- Virtual environment --------------------------------------------------
# Created when missing and refreshed when a requirements file changes; the
# stamp files record which requirements the venv was last installed from.

$(VENVDIR)/.docs-stamp: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENVDIR)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENVDIR)/.test-stamp: tests/requirements.txt $(VENVDIR)/.docs-stamp
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@touch $@

.PHONY: venv venv-test
venv: $(VENVDIR)/.docs-stamp
venv-test: $(VENVDIR)/.test-stamp

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
# rsvg-convert: the infobox map (SVG) as vector PDF in the LaTeX build
DEB_PACKAGES += librsvg2-bin

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

# -- Editors --------------------------------------------------------------

.PHONY: livehtml
livehtml: venv-test
	$(BIN)/sphinx-autobuild $(SOURCEDIR) $(BUILDDIR)/html $(STRICT) $(SPHINXOPTS) \
		--ignore "$(VENVDIR)/*" --ignore "tests/*" --ignore "*.pytest_cache*"

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

# Only the browser tests; screenshots land in _build/screenshots/.
test-browser: browser-tools
	$(BIN)/python -m pytest tests/browser

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# -- Cleaning -------------------------------------------------------------

.PHONY: clean distclean
clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(VENVDIR)

# -- Sphinx ---------------------------------------------------------------
# Every other target is a Sphinx builder: make html, make linkcheck, ...

.PHONY: help
help: venv
	@$(SPHINXBUILD) -M help $(SOURCEDIR) $(BUILDDIR) $(SPHINXOPTS)
	@echo
	@echo "Project targets: test test-browser lint livehtml map clean distclean"

# Files that exist are never "built" by the catch-all rule below.
Makefile requirements.txt tests/requirements.txt $(BROWSERTESTS)/package-lock.json: ;

%: venv
	$(SPHINXBUILD) -M $@ $(SOURCEDIR) $(BUILDDIR) $(STRICT) $(SPHINXOPTS)
