# Thin front door: every target calls the `kiln` CLI (cpython/kiln/cli.py).

# The host tools need Python 3.13 (pyodide-build and micropip target it).
HOST_PYTHON ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { command -v $$p || echo $$p; } && break; done)
VENV := build/venv
KILN := $(VENV)/bin/kiln
NODE := $(or $(KILN_CACHE),$(HOME)/.cache/kiln)/toolchain/node-24.21.0/bin/node

.PHONY: all venv toolchain cpython dist demo test bench numpy test-numpy scipy test-scipy npm clean

all: dist demo

$(VENV)/.installed: pyproject.toml
	@test -n "$(HOST_PYTHON)" || { echo "error: Python 3.13 not found (set HOST_PYTHON=...)"; exit 1; }
	$(HOST_PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

toolchain: venv
	$(KILN) toolchain

cpython: venv
	$(KILN) cpython

dist: venv
	$(KILN) dist

demo: dist
	$(NODE) loader/demo.mjs

test: dist
	$(VENV)/bin/pytest

bench: dist
	$(VENV)/bin/python benchmark/run.py

numpy: venv
	$(KILN) build-recipes numpy

test-numpy: dist
	$(KILN) test-package numpy

# SciPy (and the OpenBLAS it links) is a long build: on request only. Once
# built, dist/ ships it and `make test` runs its tests.
scipy: venv
	$(KILN) build-recipes scipy
	$(KILN) dist

test-scipy: scipy
	$(KILN) test-package scipy

# dist/ as the npm package kiln-python (a .tgz in build/).
npm: dist
	$(KILN) npm-package

clean:
	rm -rf build dist
