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
DEMO_ENV := DEBUG=1 COMPANY_LOOKUP_BACKEND=fixture SECURE_SSL_REDIRECT=0 EMAIL_FILE_PATH=$(CURDIR)/$(DEMO_MAIL)

.PHONY: install demo test quality seed serve clean

$(STAMP): pyproject.toml scripts/check-system
	@PYTHON="$(PYTHON)" bash scripts/check-system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

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

## quality: formatting, lint, migrations in sync, architecture layers
quality: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
