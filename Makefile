# make site   set up (virtual environment, pinned requirements, Chromium for the
#             checklist PDFs when run as root) and build the site into site/
# make test   set up everything the tests need and run the whole suite
# make serve  preview with live reload (data/, macros/ and overrides/ are watched)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Debian packages: Chromium prints the checklist PDFs and drives the browser
# tests; poppler-utils (pdftotext, pdftoppm) reads the PDFs in the tests.
SYSTEM_PACKAGES := chromium poppler-utils

.PHONY: site test serve validate lint bench schema clean system-deps system-deps-optional

site: $(VENV)/.build-deps system-deps-optional
	$(PY) -m macros build --site-dir site

test: $(VENV)/.dev-deps system-deps
	$(BIN)/ruff check .
	$(PY) -m pytest -n 2

serve: $(VENV)/.build-deps
	$(BIN)/mkdocs serve --strict --livereload

validate: $(VENV)/.build-deps
	$(PY) -m macros validate

# The JSON Schema of data/trial.yaml, generated from the model (a test checks it is current).
schema: $(VENV)/.build-deps
	$(PY) -m macros export --format schema -o schema/trial.schema.json

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .

bench: $(VENV)/.dev-deps
	$(PY) bench/bench_build.py
	$(PY) bench/bench_simon.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.build-deps: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.build-deps $@

# Required for the tests: install with apt-get when missing (needs root).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# For the site: the same packages when we can install them; the build still
# succeeds without Chromium, only the checklist PDFs are then skipped.
system-deps-optional:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  $(MAKE) --no-print-directory system-deps; \
	else \
	  echo "Not root or no apt-get: skipping Chromium (the checklist PDFs need it)."; \
	fi

clean:
	rm -rf site .site-build-* .pytest_cache .ruff_cache .hypothesis .cache
