# The two commands of the README. Each creates/updates .venv, installs with pinned versions, runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEMO := $(VENV)/.installed-train
STAMP_TEST := $(VENV)/.installed-dev
DEMO_DIR ?= runs/demo

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_DEMO): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[train]"
	touch $@

$(STAMP_TEST): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@ $(STAMP_DEMO)

demo: $(STAMP_DEMO)
	$(BIN)/survae demo --out $(DEMO_DIR)

test: $(STAMP_TEST)
	$(BIN)/python -m ruff check survae tests
	$(BIN)/python -m pytest -q -n 2 --timeout 600

lint: $(STAMP_TEST)
	$(BIN)/python -m ruff check survae tests

clean:
	rm -rf $(VENV) runs .pytest_cache
