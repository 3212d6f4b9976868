# The two commands of the README. Each creates/updates .venv, installs with pinned versions, runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEMO := $(VENV)/.installed-train
STAMP_TEST := $(VENV)/.installed-dev
STAMP_DOCS := $(VENV)/.installed-docs
DEMO_DIR ?= runs/demo

.PHONY: demo test lint bench clean docs docs-check

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
	$(BIN)/python -m ruff check survae tests benchmarks scripts docs examples
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
# EXPERIMENT_ARGS="--compile" adds the compiled trainer step to the per-experiment table,
# "--memory" the peak tensor memory of a step (eager and memory-saving).
EXPERIMENT_ARGS ?=
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m benchmarks $(BENCH_ARGS)
	$(BENCH_VENV)/bin/python -m benchmarks.experiments $(EXPERIMENT_ARGS)
	$(BENCH_VENV)/bin/python -m benchmarks.memory

# The documentation site: API reference generated from the docstrings, guide, executed tutorials
# (their code runs in `make test`), gallery. Offline: MathJax is served from the site itself.
$(STAMP_DOCS): $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,docs]"
	touch $@

docs: $(STAMP_DOCS)
	rm -rf site
	$(BIN)/python -m sphinx -b html -q -W --keep-going -d .sphinx-doctrees docs site
	@echo "site built: site/index.html"

# Opens the built site in headless Chromium and checks what the pages show (needs the Debian
# packages chromium; see the README). Screenshots go to docs/screenshots/.
docs-check: docs
	$(BIN)/python scripts/check_site.py site --screenshots docs/screenshots

lint: $(STAMP_TEST)
	$(BIN)/python -m ruff check survae tests benchmarks scripts docs examples

clean:
	rm -rf $(VENV) $(BENCH_VENV) runs .pytest_cache site .sphinx-doctrees docs/api
