# Two commands do everything: `make run` (watch the pages in sources.yaml) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup demo lint bench clean

run: setup
	$(BIN)/watcher run

test: setup
	$(BIN)/pytest

setup:
	@scripts/bootstrap.sh $(VENV)

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
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
