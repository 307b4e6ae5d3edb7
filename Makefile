# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run HOST=0.0.0.0 PORT=8000`: where `app.py run` listens, and where links point unless
# RESETDESK_PUBLIC_URL is set (PORT=0: any free port, printed at start).
HOST ?= 127.0.0.1
PORT ?= 5000

# Catalogs: translations/<lang>/LC_MESSAGES/messages.po (committed); the .mo files are built here, never committed.
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint typecheck diagram bench clean translations

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP) $(MO)
	RESETDESK_HOST='$(HOST)' RESETDESK_PORT='$(PORT)' $(PY) app.py demo-data
	RESETDESK_HOST='$(HOST)' RESETDESK_PORT='$(PORT)' $(PY) app.py run

test: lint $(MO)
	$(PY) -m pytest

# ruff, mypy, then the layer contracts in pyproject.toml (imports point down; channels independent).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

# Compile one catalog (make test and make run depend on every .mo).
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

# Extract the marked strings (N_ in dialogs/prompts.py, gettext calls) into messages.pot, then merge into every
# catalog: new strings arrive untranslated and tests/test_translations.py fails until they are translated.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract --no-location --omit-header -F babel.cfg -k N_ \
		-o translations/messages.pot --ignore-dirs='.* tests bench' dialogs bot core channels
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date -i translations/messages.pot -d translations

diagram: $(STAMP)
	$(PY) -m dialogs.diagram

bench: $(STAMP)
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache $(MO)
