# One virtual environment in .venv; every target builds it first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

## The main job: replay the O'Connor case, check every scenario, regenerate diagrams/.
## Each command prints a short result; `procsim replay oconnor` gives the case in full.
run: $(STAMP)
	@$(BIN)/procsim replay oconnor --brief
	@echo
	@$(BIN)/procsim check
	@$(BIN)/procsim diagram --all
	@echo
	@echo "Done: the O'Connor case replayed (above), every scenario in scenarios/ checked, diagrams/ redrawn"
	@echo "where stale. Open diagrams/index.html to step through the cases in a browser."

## The test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Lint, format and types: ruff and mypy, as configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## The benchmark (not a test): whole commands, replay vs bare transitions, many cases, route counting, check, start-up, the case page.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
