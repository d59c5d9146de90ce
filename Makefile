# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint setup bench clean

run: $(STAMP)
	$(BIN)/etalon db upgrade
	$(BIN)/etalon seed
	$(BIN)/etalon simulate --months 3
	@echo
	@echo "Etalon: http://$(HOST):$(PORT)/api/v1/docs"
	@echo "Token for the sample administrator (login admin):"
	@echo "  $$($(BIN)/etalon token create admin --name make-run)"
	@echo
	$(BIN)/etalon serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	@bash .ci/ensure-postgres || true
	@bash .ci/ensure-chromium || true
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
