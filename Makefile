# The README's commands. Each creates .venv on first use (torch's CPU build first).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: demo test lab bench lint chromium clean

$(STAMP): pyproject.toml hatch_build.py $(wildcard js/package*.json)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test]'
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

demo: $(STAMP)
	$(PY) -m nbboard.cli demo

test: $(STAMP) chromium
	$(VENV)/bin/ruff check nbboard tests bench
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/writer.py

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

clean:
	rm -rf $(VENV) js/node_modules nbboard/static build
