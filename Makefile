# The README's commands. `make run` sets up .venv and reviews this repository offline.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE ?= $(shell git rev-list --max-parents=0 HEAD 2>/dev/null | tail -n 1)

.PHONY: setup run test lint typecheck bench perf clean

$(BIN)/prbot: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/prbot

setup: $(BIN)/prbot

run: setup
	$(BIN)/prbot review --base $(BASE) --format markdown

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/prbot bench run --cases labeled_prs --config static-only

clean:
	rm -rf $(VENV) .prbot .pytest_cache .mypy_cache .ruff_cache
