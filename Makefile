# Working on the template itself. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
DEMO_DIR ?= build/demo
DEMO_LEVEL ?= 4
# Rows of the CSV file `make benchmark-train` trains on, for example ROWS=100000 to iterate.
ROWS ?= 1000000
# Options of `make benchmark`, for example BENCH_ARGS="--rounds 5 --suite-runs 0".
BENCH_ARGS ?=
# Options of `make benchmark-serve`, for example SERVE_ARGS="--ports 8100-8199 --rounds 5".
SERVE_ARGS ?=
# Options of `make benchmark-green`, for example GREEN_ARGS="--level 2 --rounds 5 --jobs 2 4".
GREEN_ARGS ?=
UV_VERSION := $(shell sed -n 's/.*"uv==\([^"]*\)".*/\1/p' pyproject.toml)
export PATH := $(abspath $(BIN)):$(PATH)
# pyenv installs Pythons side by side but exposes only the global one. Make every installed
# CPython 3.11+ visible, so generated projects find the version they target (offline, uv
# cannot download one). Without pyenv this does nothing.
PYENV_PYTHONS := $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[1-9]|[2-9][0-9])\.[0-9]+$$' | paste -sd: -)
ifneq ($(PYENV_PYTHONS),)
export PYENV_VERSION := $(PYENV_PYTHONS)
endif

.PHONY: help venv test test-quick test-timings demo lint benchmark benchmark-serve benchmark-train benchmark-green docs docs-serve clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

# uv (pinned in the test group) installs 10-25x faster than pip; it is bootstrapped into the
# venv with pip once, then installs everything else. Its bin dir goes first on PATH so the
# generated projects' Makefiles find uv too. It compiles the bytecode as it installs (10 s
# once): where PYTHONDONTWRITEBYTECODE is set, as on CI machines, every process of the suite
# (thousands of cookiecutter hooks, hundreds of copier runs) would compile what it imports.
$(BIN)/python: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --group test
	@touch $(BIN)/python

venv: $(BIN)/python ## Create .venv with the test dependencies (uses uv)

# Three workers for the two cores CI has: the tests are not all computing. They wait on servers
# they started, on a level's virtualenv another worker is installing, on files written and read
# back; with two workers the cores sat idle for a fifth of the run. The generated projects' own
# commands run in one process each (tests/installed_projects.py), so the extra worker is the
# only oversubscription. TEST_WORKERS=2 (or more on a bigger machine) overrides it.
# `--dist loadgroup` hands out the tests one at a time to whichever worker is free, in queue
# order, the tests of one xdist_group mark together (those that share an expensive fixture):
# tests/conftest.py queues the slow tests first, so every worker starts on them. (worksteal
# gives each worker part of the queue, one of them every slow test, and the others take them
# back only once their own part is done.)
TEST_WORKERS ?= 3
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

test: venv ## Run the whole test suite, slow tests included
	$(PYTEST) $(PYTEST_ARGS)

test-quick: venv ## Run the fast tests only (no generated-project virtualenvs)
	$(PYTEST) -m "not slow and not network" $(PYTEST_ARGS)

test-timings: venv ## Run the whole test suite and print its 15 slowest tests
	$(PYTEST) --durations=15 $(PYTEST_ARGS)

demo: venv ## Bake a project non-interactively and run its own pipeline
	$(BIN)/python scripts/demo.py --level $(DEMO_LEVEL) --output $(DEMO_DIR)

lint: venv ## black and pylint on the hooks, tests, scripts and benchmarks
	$(BIN)/black --check hooks tests scripts benchmarks
	$(BIN)/pylint hooks tests scripts benchmarks

benchmark: venv ## Print bakes per second per level and the time of the every-combination suite (BENCH_ARGS)
	$(BIN)/python benchmarks/bake_speed.py $(BENCH_ARGS)

benchmark-serve: venv ## Serve one model four ways under wrk in 3 interleaved rounds, beside its in-process limit: goals, JSON and plot in build/benchmark-serve/ (SERVE_ARGS)
	$(BIN)/python benchmarks/serve_speed.py $(SERVE_ARGS)

benchmark-train: venv ## Train a generated project on a generated CSV (ROWS=1000000): time and peak memory per step
	$(BIN)/python benchmarks/train_scale.py --rows $(ROWS)

benchmark-green: venv ## Time make install lint test of a fresh level-4 project, JOBS=1 against JOBS=2 (GREEN_ARGS)
	$(BIN)/python benchmarks/time_to_green.py $(GREEN_ARGS)

# The site's tables and diagram are generated from cookiecutter.json (scripts/docs_site.py).
# NO_MKDOCS_2_WARNING silences a notice the Material theme prints on every build about the
# theme's own future, which is not about this site.
# Where `make docs` writes the site and `make docs-serve` listens, for example SITE_DIR=/tmp/site.
SITE_DIR ?= site
DOCS_ADDR ?= 127.0.0.1:8000
docs: venv ## Build the documentation site into site/ (strict: any warning fails; SITE_DIR)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(SITE_DIR)

docs-serve: venv ## Preview the documentation at http://127.0.0.1:8000, rebuilt on change (DOCS_ADDR)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr $(DOCS_ADDR)

clean: ## Remove the virtualenv, build output and caches
	rm -rf $(VENV) build site .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
