# slaclock — `make demo` runs the service on SQLite with a demo workload;
# `make test` runs ruff, mypy and pytest. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The install also compiles the modules of cython-modules.txt in place (setup.py,
# Cython): redo it when one of them, or its .pxd, changes.
CYTHON_MODULES := $(shell sed -e 's/\#.*//' cython-modules.txt)
CYTHON_SOURCES := $(foreach m,$(CYTHON_MODULES),$(wildcard src/$(subst .,/,$(m)).py src/$(subst .,/,$(m)).pxd))
# The tests run a second time on the package without its compiled modules.
PURE_TREE := build/pure

.PHONY: demo test lint typecheck pytest pytest-pure bench bench-quick clean

# The package is byte-compiled once (compileall): where PYTHONDONTWRITEBYTECODE is set, as
# on these machines, every command would otherwise compile its modules from source at
# each start (70 ms of an empty slaclock replay's 0.37 s).
$(STAMP): pyproject.toml setup.py cython-modules.txt $(CYTHON_SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/slaclock demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools setup.py
	$(BIN)/ruff format --check src tests bench tools setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

# The tests of the layers that run the compiled modules, again on a copy of the package
# without them: the pure Python that runs where there is no C compiler. The HTTP and
# browser suites (tests/api, tests/web, tests/e2e) are left out here: they drive the
# same engine through the service, whose suites run here, and they cost half the run.
PURE_TESTS := tests/core tests/accel tests/store tests/service tests/cli tests/importers \
	tests/test_architecture.py
pytest-pure: $(STAMP)
	rm -rf $(PURE_TREE)
	$(BIN)/python tools/pure_tree.py src $(PURE_TREE)
	PYTHONPATH=$(PURE_TREE) SLACLOCK_TEST_PURE=1 $(BIN)/pytest -n 2 --dist loadfile $(PURE_TESTS)

test: lint typecheck pytest pytest-pure

# Each benchmark runs its peers in the same process run and prints ratios.
bench: $(STAMP)
	$(BIN)/python bench/calendar_bench.py
	$(BIN)/python bench/workload_bench.py --tickets 100000 --days 90
	$(BIN)/python bench/engine_bench.py --sizes 10k,100k
	$(BIN)/python bench/ingest_bench.py --events 20000 --open-instances 100000
	$(BIN)/python bench/api_bench.py

bench-quick: $(STAMP)
	$(BIN)/python bench/calendar_bench.py --quick
	$(BIN)/python bench/workload_bench.py --quick
	$(BIN)/python bench/engine_bench.py --sizes 2k
	$(BIN)/python bench/ingest_bench.py --events 2000 --open-instances 5000
	$(BIN)/python bench/api_bench.py --seconds 5

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
	find src -name "*.so" -delete
