# Every target works on a fresh clone with only Python present: `install` builds .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SPEC ?= ../shared/openai-spec/openapi.yaml
STAMP := $(VENV)/.installed

.PHONY: install schema generate check-generated lint test bench demo docs fuzz load mutate clean

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

# Benchmarks compare against the official `openai` SDK, installed from the bench extra.
bench: $(VENV)/.bench-installed
	$(PY) -m pytest tests/bench -m bench -s -q -p no:cacheprovider

demo: install
	$(VENV)/bin/openai-realtime demo

docs: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

# Long runs, kept out of `make test` (which runs short versions of both).
fuzz: install
	$(PY) -m pytest tests/fuzz -q -p no:cacheprovider --hypothesis-profile=fuzz --hypothesis-show-statistics

load: install
	$(PY) -m tests.load.run_load --clients 200 --seconds 60

# Mutation testing of the pure core (protocol/, tools.py, relay/policy.py); slow, so not part of
# `make test`. MODULES="codec conversation" limits it, SAMPLE=N tries at most N mutants a module,
# JOBS=N runs N at once. Fails when under 90% of the non-equivalent mutants are killed.
MODULES ?=
SAMPLE ?= 0
JOBS ?= 1
mutate: install
	$(PY) -m tests.mutation.mutate --modules "$(MODULES)" --sample $(SAMPLE) --jobs $(JOBS) --fail-under 90

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache site
