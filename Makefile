# ServiceCenter — the two commands a new user needs: `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1
# Tests talk to the real PostgreSQL and Redis on this machine (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/servicecenter
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: demo install test test-postgres test-sqlite lint typecheck schema serve worker beat bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## make demo: venv, install, migrate an SQLite file under var/, load the demo, serve http://127.0.0.1:8000
demo: install
	$(BIN)/servicecenter demo
	$(BIN)/servicecenter serve

## make test: lint, migration check, the whole suite on PostgreSQL, the smoke subset on SQLite
test: install lint
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run --settings=servicecenter.settings.test
	$(MAKE) test-postgres test-sqlite

test-postgres: install
	DATABASE_URL=$(TEST_DATABASE_URL) SC_TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest tests $(PYTEST_ARGS)

test-sqlite: install
	DATABASE_URL=sqlite:///$(CURDIR)/var/test-smoke.sqlite3 $(BIN)/pytest tests -m smoke -p no:randomly $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

## make typecheck: mypy with django-stubs (gradual, pyproject [tool.mypy]; docs/decisions/0002)
typecheck: install
	$(BIN)/mypy

## make schema: regenerate docs/openapi.yaml (committed; tests/api/test_schema.py fails when it is out of date)
schema: install
	$(BIN)/python manage.py spectacular --settings=servicecenter.settings.test --file docs/openapi.yaml --validate --fail-on-warn

serve: install
	$(BIN)/servicecenter serve

worker: install
	$(BIN)/celery -A servicecenter worker -l info

beat: install
	$(BIN)/celery -A servicecenter beat -l info

## make bench: generate the bench data set on PostgreSQL (sc_bench, or BENCH_DATABASE_URL) and time the hot pages
bench: install
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf var/*.sqlite3* var/media var/staticfiles
