# Aides numériques — every set-up step lives here, so that a fresh machine needs only Python 3.11.
SHELL := /bin/bash
# The distribution's Python 3.11 first: it is built with profile-guided and link-time
# optimisation, like the Docker image's, where a Python compiled by pyenv with its defaults runs
# the portal's pages about 40 % slower (docs/performance.md). Any python3.11 on the PATH otherwise.
PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/local/bin/python3.11; do \
  [ -x "$$p" ] && "$$p" -c 'import venv, ensurepip' 2>/dev/null && { echo "$$p"; exit; }; done; \
  command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo's port (`make demo PORT=8001`) and its e-mails: one file per message in var/mail/.
PORT ?= 8000
DEMO_MAIL := var/mail
DEMO_ENV := DEBUG=1 COMPANY_LOOKUP_BACKEND=fixture API_ENTREPRISE_BACKEND=fixture SECURE_SSL_REDIRECT=0 EMAIL_FILE_PATH=$(CURDIR)/$(DEMO_MAIL)

.PHONY: install lock lock-check demo test quality clean cluster-check

# The locks (`make lock` writes them from pyproject.toml): every package pinned, with its hashes.
# The runtime set is what the Docker image and CI's production smoke test install; the dev set
# (runtime + the dev extra, same versions) is what `make install` installs.
LOCK_RUNTIME := requirements/runtime.txt
LOCK_DEV := requirements/dev.txt
LOCK_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
  --generate-hashes --custom-compile-command "make lock"

$(STAMP): pyproject.toml $(LOCK_DEV) $(LOCK_RUNTIME) scripts/check-system
	@PYTHON="$(PYTHON)" bash scripts/check-system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## lock: write requirements/runtime.txt and requirements/dev.txt from pyproject.toml (versions
## already locked are kept: `make lock LOCK_ARGS=--upgrade` takes the newest allowed)
lock: install
	$(LOCK_COMPILE) $(LOCK_ARGS) -o $(LOCK_RUNTIME)
	$(LOCK_COMPILE) $(LOCK_ARGS) --extra dev --constraint $(LOCK_RUNTIME) -o $(LOCK_DEV)

## lock-check: the locks say what pyproject.toml asks for (fails when `make lock` is needed)
lock-check: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
	  && cp $(LOCK_RUNTIME) "$$tmp/runtime.txt" && cp $(LOCK_DEV) "$$tmp/dev.txt" \
	  && $(LOCK_COMPILE) -o "$$tmp/runtime.txt" \
	  && $(LOCK_COMPILE) --extra dev --constraint $(LOCK_RUNTIME) -o "$$tmp/dev.txt" \
	  && diff -u $(LOCK_RUNTIME) "$$tmp/runtime.txt" && diff -u $(LOCK_DEV) "$$tmp/dev.txt" \
	  || { echo "requirements/*.txt do not match pyproject.toml: run make lock" >&2; exit 1; }

## demo: install, migrate, load the demo data and serve the portal at http://127.0.0.1:$(PORT)
## (8000 unless `make demo PORT=8001`); the last lines printed say where, who and how
demo: install
	@mkdir -p $(DEMO_MAIL)
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	@$(DEMO_ENV) $(BIN)/python manage.py seed_demo --url http://127.0.0.1:$(PORT)/
	@$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: install and run the whole test suite
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## cluster-check: two gunicorn nodes sharing only PostgreSQL, Redis and an S3 server (moto), a
## worker and two beats; a journey alternating the nodes; prints `cluster: <N> requests on 2 nodes,
## <E> errors, <L> files lost, <S> schedulers active` (PostgreSQL and Redis on 127.0.0.1 needed;
## CLUSTER_REDIS_URL, CLUSTER_DATABASE_ADMIN_URL, CLUSTER_S3_ENDPOINT_URL override)
cluster-check: install
	$(BIN)/python scripts/cluster_check.py

# Tests and benchmarks may import the dev extra (hence DEP004 ignored), and kombu and redis, which
# celery[redis] brings (tests/outbox); nothing missing nor only transitive otherwise.
DEPTRY_TESTS := --per-rule-ignores 'DEP003=kombu|redis' $(foreach m,portal api reporting accounts \
  audit documents outbox territories organisations schemes applications instruction payments common tests bench \
  simulate_core,--known-first-party $(m))

## quality: formatting, lint, migrations in sync, architecture layers, dependencies declared
quality: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/deptry .
	$(BIN)/deptry tests bench --exclude '\.venv' --ignore DEP002,DEP004 $(DEPTRY_TESTS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
