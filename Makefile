# Every target works on a fresh clone with only Python present: `install` builds .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SPEC ?= ../shared/openai-spec/openapi.yaml
STAMP := $(VENV)/.installed
# The runtime dependencies only (what `make demo` needs); the dev stamp above adds the toolchain.
RUNTIME_STAMP := $(VENV)/.runtime-installed

.PHONY: install system-deps system-packages schema generate check-generated lint test bench demo docs \
	fuzz load mutate screenshots clean

# The Debian packages the tests use: the browser and its driver, the audio stack (PortAudio,
# PulseAudio in user mode, ALSA's pulse plugin and tools), network namespaces (ip, unshare), npm
# (the official AsyncAPI schema), git (the packaging test) and openssl (the TLS test).
# tests/support/system.py names every binary and library a test needs and the package that
# ships it; a test keeps that registry inside this list.
SYSTEM_PACKAGES := chromium chromium-driver libportaudio2 pulseaudio pulseaudio-utils \
	libasound2-plugins alsa-utils iproute2 util-linux npm git openssl

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(RUNTIME_STAMP) $(STAMP)

# The first `make demo` on a fresh clone: no pip upgrade, no dev extra, and pip's own progress
# (the dev toolchain would take minutes, silently, for a demo of a few seconds).
$(RUNTIME_STAMP): pyproject.toml | $(PY)
	@echo "Installing openai-realtime and its runtime dependencies into $(VENV) (make install adds the dev tools)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -e .
	touch $(RUNTIME_STAMP)

install: $(STAMP)

# Installs only what is missing (apt-get update runs only then); as non-root it prints the command.
system-deps:
	@bash .ci/system-deps $(SYSTEM_PACKAGES)

system-packages:
	@echo $(SYSTEM_PACKAGES)

schema: install
	$(PY) -m codegen.import_openapi $(SPEC)

generate: install
	$(PY) -m codegen.generate

check-generated: install
	$(PY) -m codegen.generate --check

lint: install
	$(VENV)/bin/ruff check src codegen tests docs
	$(VENV)/bin/ruff format --check src codegen tests docs
	$(VENV)/bin/mypy src codegen docs/examples docs/griffe_sphinx_roles.py tests/test_credentials.py \
		tests/conftest.py
	@# The wrapper would ask PyPI for a newer pyright on every run; the version is pinned instead.
	PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(VENV)/bin/pyright src codegen
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

demo: $(RUNTIME_STAMP)
	$(VENV)/bin/openai-realtime demo

docs: install
	$(VENV)/bin/mkdocs build --strict --site-dir site

# Long runs, kept out of `make test` (which runs short versions of both).
fuzz: install
	$(PY) -m pytest tests/fuzz -q -p no:cacheprovider --hypothesis-profile=fuzz --hypothesis-show-statistics

load: install
	$(PY) -m tests.load.run_load --clients 200 --seconds 60
	$(PY) -m tests.load.fake_server_rss --seconds 60

# Mutation testing of the pure core (protocol/, tools.py, relay/policy.py); slow, so not part of
# `make test`. MODULES="codec conversation" limits it, SAMPLE=N tries at most N mutants a module,
# JOBS=N runs N at once. Fails when under 90% of the non-equivalent mutants are killed.
MODULES ?=
SAMPLE ?= 0
JOBS ?= 1
mutate: install
	$(PY) -m tests.mutation.mutate --modules "$(MODULES)" --sample $(SAMPLE) --jobs $(JOBS) --fail-under 90

# The voice page mid-conversation, for the browser guide (headless Chromium: make system-deps).
screenshots: install
	PYTHONPATH=. $(PY) tests/browser/make_screenshot.py docs/images/voice-page.png

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache site
