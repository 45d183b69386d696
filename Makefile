# Two commands do everything: `make run` (watch the pages in sources.yaml) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup replay-env compose-tool demo lint bench clean

run: setup
	$(BIN)/watcher run

test: setup replay-env compose-tool
	$(BIN)/pytest

setup:
	@scripts/bootstrap.sh $(VENV)

# pywb, apart from .venv: only the WARC replay test uses it.
replay-env:
	@scripts/ensure-replay.sh .venv-replay

# Debian's docker-compose, to validate docker-compose.yml offline in the tests.
compose-tool:
	@scripts/ensure-compose.sh

demo: setup
	$(BIN)/watcher demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/fetch.py
	$(BIN)/python benchmarks/web.py

clean:
	rm -rf $(VENV) .venv-replay .venv-replay.log .mypy_cache .ruff_cache .pytest_cache .hypothesis
