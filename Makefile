# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := plugins/salesforce plugins/dynamics plugins/hubspot plugins/csv_sftp
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-quick bench clean

setup: $(STAMP)

# Editable installs of the core and every built-in plugin, all pinned by constraints.txt.
$(STAMP): pyproject.toml constraints.txt $(addsuffix /pyproject.toml,$(PLUGINS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e '.[test,postgres,celery]' $(addprefix -e ,$(PLUGINS))
	touch $@

demo: $(STAMP)
	$(BIN)/leadloop demo

test: $(STAMP)
	$(BIN)/pytest

test-quick: $(STAMP)
	$(BIN)/pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
