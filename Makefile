# Every target works on a fresh clone with only Python present: `install` builds .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SPEC ?= ../shared/openai-spec/openapi.yaml
STAMP := $(VENV)/.installed

.PHONY: install schema generate check-generated lint test bench demo docs fuzz load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

schema: install
	$(PY) -m codegen.import_openapi $(SPEC)

generate: install
	$(PY) -m codegen.generate

check-generated: install
	$(PY) -m codegen.generate --check

lint: install
	$(VENV)/bin/ruff check src codegen tests docs
	$(VENV)/bin/ruff format --check src codegen tests docs
	$(VENV)/bin/mypy src codegen docs/examples docs/griffe_sphinx_roles.py tests/test_transport.py
	@# Test folders are not packages (each has its own conftest), so mypy checks one at a time.
	@for dir in tests/*/; do $(VENV)/bin/mypy "$$dir" || exit 1; done
	$(PY) -m codegen.validate_asyncapi

test: install lint check-generated
	$(PY) -m pytest

$(VENV)/.bench-installed: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

# Benchmarks compare against the official `openai` SDK, installed from the bench extra. Raw figures
# go to bench-results.json; `make bench BENCH_ARGS="--compare old.json"` prints before/after.
bench: $(VENV)/.bench-installed
	$(PY) tests/bench/run_bench.py $(BENCH_ARGS)

demo: install
	$(VENV)/bin/openai-realtime demo

docs: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

# Long runs, kept out of `make test` (which runs short versions of both).
fuzz: install
	$(PY) -m pytest tests/fuzz -q -p no:cacheprovider --hypothesis-profile=fuzz --hypothesis-show-statistics

load: install
	$(PY) -m tests.load.run_load --clients 200 --seconds 60

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache site
