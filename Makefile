# The site "Donetsk People's Republic–Russia relations". `make help` lists the targets.
#
# Every build goes through tools/build.py: strict, from scratch, and published
# into $(BUILDDIR) only when it succeeded. On Read the Docs (READTHEDOCS=True)
# the same targets run in Read the Docs' own environment, with nothing to install.

PYTHON     ?= python3
VENV       ?= .venv
BUILDDIR   ?= _build
SPHINXOPTS ?=
# Local extensions and tools import each other (publication.py, ...) by name.
export PYTHONPATH := $(CURDIR)/_ext:$(CURDIR)/tools

ifeq ($(READTHEDOCS),True)
PY   := python
DOCS :=
else
PY   := $(VENV)/bin/python
DOCS := $(VENV)/.docs-stamp
endif
BUILD := $(PY) tools/build.py --outdir $(BUILDDIR)

.DEFAULT_GOAL := help
.PHONY: help html pdf latexpdf epub htmlzip check labels test test-browser linkcheck livehtml \
	source-diff lint bench map lock system-deps pdf-packages browser-tools clean distclean

help: ## list the targets (needs nothing installed)
	@echo "make <target>, where <target> is one of:"
	@awk -F ':.*## ' '/^[a-z -]+:.*## /{ printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# -- Outputs ------------------------------------------------------------------------

html: $(DOCS) ## the site, _build/html/ (creates .venv on first use)
	$(BUILD) html $(SPHINXOPTS)

pdf latexpdf: $(DOCS) pdf-packages ## the PDF, _build/pdf/ (xelatex; LaTeX in _build/latex/)
	$(BUILD) pdf $(SPHINXOPTS)

epub: $(DOCS) ## the EPUB e-book, _build/epub/
	$(BUILD) epub $(SPHINXOPTS)

htmlzip: $(DOCS) ## the one-page site zipped for offline reading, _build/htmlzip/
	$(BUILD) htmlzip $(SPHINXOPTS)

# -- Editors ------------------------------------------------------------------------

check: $(DOCS) ## the quick check before you push: build, article text, events, links
	$(PY) tools/check.py --outdir $(BUILDDIR) $(SPHINXOPTS)

labels: $(DOCS) ## list every label, and where it is declared
	@$(PY) tools/check.py --labels

livehtml: $(VENV)/.test-stamp ## serve the site, rebuilt (strictly, from scratch) as you edit
	$(VENV)/bin/sphinx-autobuild . $(BUILDDIR)/livehtml -E -q -W --keep-going -n $(SPHINXOPTS) \
		--ignore "$(CURDIR)/$(VENV)/*" --ignore "$(CURDIR)/$(BUILDDIR)/*" --ignore "*/node_modules/*"

source-diff: $(DOCS) ## compare the article's copy with the live Wikipedia article
	$(PY) tools/source_diff.py

# -- Tests --------------------------------------------------------------------------

test: system-deps $(VENV)/.test-stamp browser-tools lint ## the whole test suite, then make linkcheck
	$(PY) -m pytest
	@$(MAKE) --no-print-directory linkcheck

test-browser: system-deps $(VENV)/.test-stamp browser-tools ## only the browser tests
	$(PY) -m pytest tests/browser

lint: $(VENV)/.test-stamp ## ruff: lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# LINKCHECK_EXTERNAL=no leaves the web out and says so (CI's build job).
LINKCHECK_EXTERNAL ?= yes
linkcheck: $(VENV)/.test-stamp ## every link: external ones (Sphinx) and the built HTML's
	$(PY) tools/check_links.py --outdir $(BUILDDIR) $(if $(filter no,$(LINKCHECK_EXTERNAL)),--no-external) $(SPHINXOPTS)

bench: $(VENV)/.test-stamp ## build times and page weights against a bare furo project
	$(PY) benchmarks/bench.py

map: $(VENV)/.test-stamp ## redraw the infobox map from Natural Earth data
	$(PY) tools/make_map.py

# -- Environments -------------------------------------------------------------------
# .venv is created on first use and refreshed when a lock file changes. The
# lock files pin every package with its hashes; pip installs nothing else.

$(VENV)/.docs-stamp: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.test-stamp: tests/requirements.txt $(VENV)/.docs-stamp
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r tests/requirements.txt
	@touch $@

lock: $(VENV)/.test-stamp ## recompile the hash-locked requirements*.txt from requirements*.in
	for lock in requirements tests/requirements; do \
		$(VENV)/bin/uv pip compile --quiet --no-config --index-url https://pypi.org/simple \
			--generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" \
			$(if $(UPGRADE),--upgrade) $$lock.in -o $$lock.txt || exit 1; \
	done

# Debian packages beyond Python: as root they are installed, otherwise the
# apt-get line to run is printed. The PDF's are in .readthedocs.yaml too.
PDF_PACKAGES  := texlive-xetex texlive-latex-extra latexmk fonts-freefont-otf texlive-fonts-recommended librsvg2-bin
TEST_PACKAGES := $(PDF_PACKAGES) poppler-utils epubcheck python3-venv chromium fonts-dejavu-core fonts-liberation \
	$(if $(shell command -v npm),,npm)

system-deps:
	@tools/ensure-debian-packages $(TEST_PACKAGES)

pdf-packages:
	@$(if $(READTHEDOCS),true,tools/ensure-debian-packages $(PDF_PACKAGES))

# axe-core and Ace by DAISY, pinned in tests/browser/package-lock.json; no
# browser is downloaded: they drive Debian's Chromium.
browser-tools: tests/browser/node_modules/.stamp
tests/browser/node_modules/.stamp: tests/browser/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $@

clean: ## delete _build/ (make distclean: .venv/ and node_modules/ too)
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(VENV) tests/browser/node_modules
