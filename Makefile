# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck diagram bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py demo-data
	$(PY) app.py run

test: lint
	$(PY) -m pytest

# ruff, mypy, then the layer contracts in pyproject.toml (imports point down; channels independent).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

diagram: $(STAMP)
	$(PY) -m dialogs.diagram

bench: $(STAMP)
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
