# Thin wrappers over the exact commands CI runs. `make help` lists them.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen
QBO_PORT ?= 8001
QBWC_PORT ?= 8002
SANDBOX_PORT ?= 8003
CONSOLE_PORT ?=
PYTEST_ARGS ?=
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run test lint format migrate openapi demo docs-check clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.installed: pyproject.toml uv.lock */pyproject.toml services/*/pyproject.toml | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed ## Create the environment (uv, virtualenv, locked packages) if missing

run: install ## Migrate, then start qbo-gateway :8001, qbwc-gateway :8002, the Intuit sandbox :8003, the ESP console :8004
	QBO_PORT=$(QBO_PORT) QBWC_PORT=$(QBWC_PORT) SANDBOX_PORT=$(SANDBOX_PORT) CONSOLE_PORT=$(CONSOLE_PORT) UV="$(UV)" bash scripts/run-local.sh

test: install ## Run the whole suite in TEST_WORKERS processes (PostgreSQL tests too when TEST_DATABASE_URL is set)
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install ## ruff + mypy
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install ## Apply ruff's formatting and safe fixes
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

migrate: install ## Upgrade the database (DATABASE_URL, default SQLite under var/)
	$(RUN) espqb migrate

openapi: install ## Write openapi/qbo-gateway.json and openapi/qbwc-gateway.json
	$(RUN) espqb openapi

demo: install ## The whole story on both products (A7102 + a two-supplier order); exit 1 on any difference
	$(RUN) espqb-dev demo

clean: ## Remove the environment and local data (var/)
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
