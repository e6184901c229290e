# Thin front door: every target calls the `kiln` CLI (cpython/kiln/cli.py).

# Any Python >= 3.11 runs the bootstrap (cpython/kiln/bootstrap.py): it finds
# the Python 3.13 the host tools need, or builds it once into the cache.
# HOST_PYTHON=/path/to/python3.13 picks one.
BOOTSTRAP_PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && command -v $$p && break; done)
VENV := build/venv
KILN := $(VENV)/bin/kiln

.PHONY: all venv toolchain cpython dist demo test bench numpy test-numpy scipy test-scipy npm clean

all: dist demo

$(VENV)/.installed: pyproject.toml
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "error: no python3 >= 3.11 on PATH (apt install python3)"; exit 1; }
	PYTHONPATH=cpython $(BOOTSTRAP_PYTHON) -m kiln.bootstrap $(VENV) $(if $(HOST_PYTHON),--python $(HOST_PYTHON))
	touch $@

venv: $(VENV)/.installed

toolchain: venv
	$(KILN) toolchain

cpython: venv
	$(KILN) cpython

dist: venv
	$(KILN) dist

demo: dist
	$(KILN) demo

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
