# motcua — `make help` lists the targets. `make run` and `make test` work on a new machine:
# they install the Debian packages, the virtual environment and everything else they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export MOTCUA_DATABASE_URL ?= sqlite:///var/motcua.db
export MOTCUA_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

# Debian packages (see docs/headless.md): Kivy under Xvfb/offscreen, espeak-ng voice,
# fonts, Chromium for browser tests, poppler for PDF checks.
DEBS := libgl1 libegl1 libgl1-mesa-dri libmtdev1 xvfb xauth x11-utils espeak-ng libespeak-ng1 sox alsa-utils pulseaudio-utils \
        fonts-dejavu-core poppler-utils chromium chromium-driver postgresql-client
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint deps-system venv db clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps-system: ## install the Debian packages the apps and tests need (once)
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "motcua needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip wheel
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv with motcua and its test tools

db: venv ## migrate the database and seed the demo province
	$(VENV)/bin/motcua db upgrade
	$(VENV)/bin/motcua seed --demo

run: deps-system venv db ## run the system: server with the demo province on 127.0.0.1:8000, and the apps where a screen is available
	@HOST=$(HOST) PORT=$(PORT) scripts/run-demo.sh

# Two pytest-xdist workers: many tests wait on server processes, sockets, Chromium and the
# databases, and the other worker uses that time. One file stays on one worker (its
# module-scoped servers are built once); TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
test: deps-system venv ## run the whole test suite (SQLite and PostgreSQL; starts a PostgreSQL if none runs)
	@pg_url=$$(scripts/ensure-postgres.sh) && echo "PostgreSQL for tests: $$pg_url" && \
	MOTCUA_TEST_PG_URL=$$pg_url $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-fast: venv ## unit tests only (no databases, seconds)
	$(VENV)/bin/pytest tests/unit -q

fuzz: venv ## fuzz the whole API from its OpenAPI schema as every role (long run; EXAMPLES=200)
	$(VENV)/bin/motcua fuzz --examples $(or $(EXAMPLES),200)

lint: venv ## ruff lint
	$(VENV)/bin/ruff check shared queue_server kiosk display counter_client tests

clean: ## remove the virtual environment and local data
	rm -rf $(VENV) var test-artifacts .pytest_cache
