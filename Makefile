# Sourcemark: `make run` to try it, `make test` before you push.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Development defaults; production sets its own environment (see README).
export DEBUG ?= true

.PHONY: run test quick format bench loadtest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	@echo "Sourcemark: http://127.0.0.1:$(PORT)/  (log in as alice, bob or admin; password demo-password)"
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

# The quick loop while working: lint, types, and every test but the slow ones
# (browsers, subprocesses, the benchmark's smoke run).
quick: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -m "not slow"

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The benchmark (bench/RESULTS.md): SQLite in bench/out/, or PostgreSQL when
# DATABASE_URL names a database it may wipe (its name must contain "bench").
bench: $(VENV)/.installed
	$(PY) -m bench.run $(BENCH_ARGS)

# Load test (bench/RESULTS.md, "Load test"): Locust drives 50 editors for 60 s against
# gunicorn + PostgreSQL. It creates the database if missing and only touches its own
# loadtest-* accounts. Options (python -m bench.loadtest --help) go in LOADTEST_ARGS.
LOADTEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sm_loadtest
loadtest: $(VENV)/.installed
	$(PY) -m bench.loadtest --database-url $(LOADTEST_DATABASE_URL) $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis
