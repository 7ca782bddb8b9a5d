# The README's commands. Each creates .venv on first use: torch's CPU build first (pip would
# otherwise pull a CUDA build), then what the command needs: `make demo` the package with its demo
# extra, `make lab` the notebooks' JupyterLab, `make test` the test group ([dependency-groups] in
# pyproject.toml). The editable install's build hook builds the views (hatch_build.py).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
TORCH := torch==2.13.0
BASE := $(VENV)/.base
DEMO := $(VENV)/.demo
LAB := $(VENV)/.lab
TEST := $(VENV)/.test
PACKAGING := pyproject.toml hatch_build.py $(wildcard js/package*.json)

.PHONY: demo test lab bench lint chromium clean

JS_SOURCES := $(shell find js/src -type f 2>/dev/null) js/build.mjs
STATIC := nbboard/static/runtime.js
NODE_MODULES := js/node_modules/.package-lock.json

$(BASE):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install $(TORCH)
	touch $@

$(DEMO): $(PACKAGING) | $(BASE)
	$(PIP) install -e '.[demo]'
	touch $@

$(LAB): $(PACKAGING) | $(DEMO)
	$(PIP) install --group lab
	touch $@

$(TEST): $(PACKAGING) | $(BASE)
	$(PIP) install -e . --group test
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The editable install builds the views once; rebuild them when a TypeScript source changes, the
# way the build hook does (pinned packages, no tracked file written).
$(STATIC): $(JS_SOURCES)
	$(PYTHON) hatch_build.py
	touch $@

# The pinned JS packages for the typecheck and vitest (`--no-save`: the lock stays as committed).
$(NODE_MODULES): js/package.json js/package-lock.json
	cd js && npm install --no-save --no-audit --no-fund
	touch $@

demo: $(DEMO) $(STATIC)
	$(PY) -m nbboard.cli demo

test: $(TEST) $(STATIC) $(NODE_MODULES) chromium
	$(VENV)/bin/ruff check nbboard tests bench
	cd js && npm run typecheck && npm test
	$(PY) -m pytest

bench: $(TEST) $(STATIC) chromium
	$(PY) bench/writer.py
	$(PY) bench/long_run.py
	$(PY) bench/images.py
	$(PY) bench/histogram.py
	$(PY) bench/reader.py
	$(PY) bench/load_vs_rust.py
	$(PY) bench/scalars_browser.py
	$(PY) bench/sweep_browser.py
	$(PY) bench/views_browser.py
	$(PY) bench/graph_layout.py
	$(PY) bench/gpu_logging.py
	$(PY) bench/crash.py
	$(PY) bench/frames.py
	$(PY) bench/projector.py
	$(PY) bench/projector_browser.py
	$(PY) bench/alerts.py
	$(PY) bench/notebook_cost.py
	$(PY) bench/s3_tail.py
	$(PY) bench/profiler.py
	$(PY) bench/profiler_timeline_browser.py

lab: $(LAB) $(STATIC)
	$(VENV)/bin/jupyter lab nbboard/notebooks

clean:
	rm -rf $(VENV) js/node_modules nbboard/static build
