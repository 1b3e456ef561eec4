# Two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE := $(VENV)/.installed-core
DEV := $(VENV)/.installed-dev

.PHONY: demo test test-fast lint typecheck bench clean chromium

$(CORE): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE)

$(DEV): $(CORE)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV)

# The browser tests need headless Chromium. Installed with apt-get when missing and run
# as root (as CI does); otherwise the target stops and says what to install.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	    || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	    echo "make test needs headless Chromium for the browser tests. Install it first:"; \
	    echo "  Debian/Ubuntu: sudo apt-get install chromium   (Ubuntu: chromium-browser)"; \
	    echo "  Fedora: sudo dnf install chromium    macOS: brew install --cask chromium"; \
	    exit 1; \
	fi

demo: $(CORE)
	$(BIN)/boligeval demo --out demo-out --overwrite

test: $(DEV) chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --dist loadfile --durations=15

# Development tier: everything but the tests marked slow (Monte Carlo, fuzzing, whole runs).
test-fast: $(DEV) chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow" -n auto --dist loadfile

lint: $(DEV)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(DEV)
	$(BIN)/mypy

bench: $(DEV)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/panel.py
	$(BIN)/python benchmarks/estimate.py
	$(BIN)/python benchmarks/staggered.py

clean:
	rm -rf $(VENV) demo-out
