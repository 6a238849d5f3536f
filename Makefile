# The two commands a newcomer needs are `make demo` and `make test`; every target sets up what it uses.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STATIC := src/watchkeeper/web/static/vendor
GOVUK := node_modules/govuk-frontend/dist/govuk
AXE := node_modules/axe-core/axe.min.js
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint fmt bench setup browser clean

demo: setup
	$(BIN)/watchkeeper demo

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: setup
	$(BIN)/python -m bench
	$(BIN)/python -m bench.alerts

setup: $(VENV)/.installed $(STATIC)/.installed browser

# Python: a virtual environment with exactly the versions in requirements.lock (hashes checked), then the
# project itself in editable mode so that its entry points (check types, the console script) are registered.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Front end: GOV.UK Frontend from npm at the version govuk-frontend-jinja supports, compiled with our own
# settings (a system font, as a non-GOV.UK service must) and copied where the web app serves it. axe-core, a
# development dependency, stays in node_modules, where the accessibility scan (tests/browser) reads it.
$(STATIC)/.installed: package.json package-lock.json src/watchkeeper/web/styles/console.scss
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	test -f $(AXE) || { echo "$(AXE) is missing after npm ci: check package-lock.json"; exit 1; }
	rm -rf $(STATIC) && mkdir -p $(STATIC)
	cp -r $(GOVUK)/assets/images $(STATIC)/images
	cp $(GOVUK)/assets/manifest.json $(STATIC)/manifest.json
	cp $(GOVUK)/govuk-frontend.min.js $(STATIC)/govuk-frontend.min.js
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --load-path=node_modules \
		src/watchkeeper/web/styles/console.scss $(STATIC)/console.css
	touch $@

# The browser tests drive Debian's Chromium through Playwright (never Playwright's own browser downloads). As
# root (CI on a fresh machine) it is installed when missing; anyone else installs it themselves or the browser
# tests skip, saying so, outside CI.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium fonts-liberation >/dev/null; \
		else \
			echo "note: $(CHROMIUM) is missing; install Debian's chromium package to run the browser tests"; \
		fi; \
	fi

clean:
	rm -rf $(VENV) node_modules $(STATIC) .pytest_cache .mypy_cache .ruff_cache
