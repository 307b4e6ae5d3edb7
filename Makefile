# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run HOST=0.0.0.0 PORT=8000`: where `app.py run` listens, and where links point unless
# RESETDESK_PUBLIC_URL is set (PORT=0: any free port, printed at start).
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck diagram bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	RESETDESK_HOST='$(HOST)' RESETDESK_PORT='$(PORT)' $(PY) app.py demo-data
	RESETDESK_HOST='$(HOST)' RESETDESK_PORT='$(PORT)' $(PY) app.py run

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
