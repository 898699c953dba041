# The two commands: `make run` (the back office on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mfo
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# One pytest worker per CPU (pytest-xdist); each worker has its own test database.
PYTEST_ARGS ?= -n auto

.PHONY: run test install system-deps browser-deps messages lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: system-deps $(VENV)/.installed

# gettext compiles the translations; pango renders PDFs (WeasyPrint). Installed when missing.
system-deps:
	@command -v msgfmt >/dev/null && ldconfig -p | grep -q libpangoft2 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }

# Debian's Chromium for the browser end-to-end tests (Playwright drives /usr/bin/chromium).
browser-deps:
	@[ -x /usr/bin/chromium ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

messages: install
	DEBUG=1 $(PY) manage.py compilemessages --ignore=".venv/*" -v 0

run: install messages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install browser-deps messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports --no-cache

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: install
	$(PY) bench/calc.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
