# Two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE := $(VENV)/.installed-core
DEV := $(VENV)/.installed-dev

.PHONY: demo test test-fast lint typecheck bench clean

$(CORE): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(CORE)

$(DEV): $(CORE)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV)

demo: $(CORE)
	$(BIN)/boligeval demo --out demo-out

test: $(DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

# Development tier: everything but the tests marked slow (Monte Carlo, fuzzing, whole runs).
test-fast: $(DEV)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow"

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
