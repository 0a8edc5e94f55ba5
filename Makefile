# The README's commands. `make run` sets up .venv and reviews this repository offline.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE ?= $(shell git rev-list --max-parents=0 HEAD 2>/dev/null | tail -n 1)

.PHONY: setup run test lint typecheck bench bench-gate bench-tokens perf clean lock test-lowest

# Exactly the locked versions (hashes checked), then prbot itself, editable, with the locked
# setuptools: nothing is resolved at install time. `make lock` after changing pyproject.toml.
$(BIN)/prbot: pyproject.toml requirements-dev.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
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

# Offline benchmark of the static reviewers; `python -m bench run --help` for the model configs.
bench: setup
	$(BIN)/python -m bench run --cases labeled_prs --config static-only --no-cache --out .prbot/bench

# CI gate: rerun static-only and fail when located P or R drops > 2 pts below the baseline.
# BENCH_OUT keeps the report (CI uploads it); by default it goes to a temporary directory.
bench-gate: setup
	@out="$${BENCH_OUT:-$$(mktemp -d)}"; \
	$(BIN)/python -m bench run --cases labeled_prs --config static-only --no-cache --out "$$out" \
	  && $(BIN)/python -m bench compare bench/baseline/static-only.json "$$out/static-only.json" \
	  > "$$out/compare.md"; \
	status=$$?; cat "$$out/compare.md" 2>/dev/null; exit $$status

# Prompt tokens per generated PR against pr-agent's figures (issue 9; docs/performance.md).
# The first run fetches the o200k_base vocabulary once with npm; after that, offline.
# TOKENS_ARGS: e.g. --provider anthropic, --mode frontier-only, --pr medium.
bench-tokens: setup
	$(BIN)/python -m tests.perf.prompt_tokens $(TOKENS_ARGS)

# The lock files, from pyproject.toml, by uv (pinned in the dev extra): requirements.lock
# for the image and the Action (both SDKs, the redis extra), requirements-dev.lock for make.
# Universal (every platform's markers) and hashed.
LOCK = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --no-header --extra build --extra redis
lock: setup
	$(LOCK) --extra anthropic --extra openai -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

# CI's `lowest` job: the lowest versions pyproject.toml allows for every direct dependency
# (uv --resolution lowest-direct), in a venv of their own, and the whole suite on them.
LOWEST := .venv-lowest
test-lowest: setup
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --seed --python $(BIN)/python $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
	  -e '.[dev,redis]'
	$(BIN)/uv pip list --python $(LOWEST)/bin/python
	$(LOWEST)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) $(LOWEST) .prbot .pytest_cache .mypy_cache .ruff_cache
