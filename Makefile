# The two commands of the README. Each creates/updates .venv, installs with pinned versions, runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEMO := $(VENV)/.installed-train
STAMP_TEST := $(VENV)/.installed-dev
DEMO_DIR ?= runs/demo

.PHONY: demo test lint bench clean

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
	$(BIN)/python -m ruff check survae tests benchmarks scripts
	$(BIN)/python -m pytest -q -n 2 --timeout 600

# Benchmarks run in their own environment, with the peer libraries (never survae dependencies).
BENCH_VENV := benchmarks/.venv
$(BENCH_VENV)/.installed: benchmarks/constraints.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -c benchmarks/constraints.txt torch numpy zuko nflows normflows
	$(BENCH_VENV)/bin/python -m pip install --quiet -c benchmarks/constraints.txt -e .
	touch $@

# e.g. make bench BENCH_ARGS="--threads 1 --timer cpu --repeats 40" (the table in the docs)
BENCH_ARGS ?=
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m benchmarks $(BENCH_ARGS)

lint: $(STAMP_TEST)
	$(BIN)/python -m ruff check survae tests benchmarks scripts

clean:
	rm -rf $(VENV) $(BENCH_VENV) runs .pytest_cache
