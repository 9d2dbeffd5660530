# The two commands a new user runs: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## site: build the whole site from corpus/ into site/
site: $(VENV)/.installed
	$(BIN)/python -m generator check --corpus corpus
	$(BIN)/python -m generator build --corpus corpus --site site

## test: install the test dependencies, lint (ruff), type-check (mypy) and run the tests
## (PAPER_ATLAS_HYPOTHESIS=deep for more property-test examples). Bytecode is cached for the run even where
## the environment sets PYTHONDONTWRITEBYTECODE: the test processes and the ~130 Python processes they start
## import generator/ and the tests from __pycache__ instead of compiling them again.
test: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests
	$(BIN)/mypy generator
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 3

## serve: preview at http://127.0.0.1:8000/paper-atlas/ (the path of site_url), rebuilding when docs/ or corpus/ change
serve: $(VENV)/.installed
	$(BIN)/mkdocs serve

check: $(VENV)/.installed
	$(BIN)/python -m generator check --corpus corpus

## bench: every speed target of issue 15 beside the floor (not part of test; 3-9 minutes on a 2-core machine); writes bench/results.md
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench --only all

clean:
	rm -rf site $(VENV)
