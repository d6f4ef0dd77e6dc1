# The platform's commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.DEFAULT_GOAL := help

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

.PHONY: help install run test lint fmt bench bench-short messages assets check

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.run-deps ## Create .venv and install the runtime dependencies

run: $(VENV)/.run-deps ## Run site + worker + scheduler with demo data (SQLite unless DATABASE_URL/REDIS_URL)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py run_platform --port $(PORT)

# The unit and security tests run in TEST_WORKERS processes (each with its own test database);
# the integration and browser tests run after them on their own, as their timings are real.
TEST_WORKERS ?= 2

test: $(VENV)/.dev-deps ## Run the whole test suite (unit, integration with a real worker, browser)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/integration --ignore=tests/e2e $(PYTEST_ARGS)
	$(BIN)/python -m pytest tests/integration tests/e2e $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps ## ruff, formatting and migrations check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(VENV)/.dev-deps ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev-deps ## Load test with wrk: gunicorn (2 workers) on PostgreSQL, 10,000 challenges, 60 s a scenario
	$(BIN)/python bench/load.py $(BENCH_ARGS)

bench-short: $(VENV)/.dev-deps ## The CI load test: 1,000 challenges, 5 s a scenario, fails on any error
	$(BIN)/python bench/load.py --short --check $(BENCH_ARGS)

messages: $(VENV)/.dev-deps ## Refresh and compile the Chinese and English message catalogues
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=frontend/node_modules --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

assets: ## Rebuild frontend/static/vendor from the pinned npm packages (needs Node.js)
	cd frontend && npm ci && npm run build
