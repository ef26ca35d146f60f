# tsforge: two commands set everything up on a fresh machine — `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
MODEL   ?= tsforge-demo
PORT    ?= 8000
export MLFLOW_TRACKING_URI ?= sqlite:///mlruns/mlflow.db

.PHONY: install demo test unit-test lint serve ui bench clean services-up services-down shipped-router

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first: 2.13.0 is a CPU build on local disk; any other version pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tsforge demo

# The whole suite, integration tests included: PostgreSQL, a Ray cluster (head + 1 worker node) and
# an MLflow server on 127.0.0.1 are started for it and stopped afterwards, even when a test fails;
# the 30 slowest tests are listed at the end, so a CI log shows where the suite's time goes.
test: $(STAMP)
	@trap 'TSFORGE_SERVICES_DIR=.services/test bash scripts/services.sh down' EXIT; \
	TSFORGE_SERVICES_DIR=.services/test bash scripts/services.sh up pg ray mlflow && \
	. ./.services/test/env && $(BIN)/python -m pytest -n 2 --dist loadgroup -q --durations=30

# Unit tests only, no services (the integration tests skip, naming the missing variables).
unit-test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not integration"

# Team set-up: PostgreSQL + `mlflow server` (PostgreSQL backend store, artifacts under
# .services/artifacts) on 127.0.0.1:$(MLFLOW_PORT); point everyone at MLFLOW_TRACKING_URI=http://...
MLFLOW_PORT ?= 5000
services-up: $(STAMP)
	MLFLOW_PORT=$(MLFLOW_PORT) bash scripts/services.sh up pg mlflow
	@echo "export MLFLOW_TRACKING_URI=http://127.0.0.1:$(MLFLOW_PORT)   # tracking + registry"
	@echo "tuning storage: $$(. ./.services/env && echo $$TSFORGE_PG_URL)/optuna"

services-down:
	bash scripts/services.sh down

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

serve: $(STAMP)
	$(BIN)/tsforge serve --host $(HOST) --port $(PORT) --model $(MODEL)

# `make ui` serves on UI_PORT when it is given (`make ui UI_PORT=5871`, `UI_PORT=5871 make ui`),
# else on a PORT given on the command line or in the environment (`make ui PORT=5871`,
# `PORT=5871 make ui`) where 5000 is taken, else on 5000, the MLflow UI's own default: PORT's
# default above (8000) is `make serve`'s, so a PORT this Makefile set is not the UI's
UI_PORT ?= $(if $(filter file,$(origin PORT)),5000,$(PORT))
ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri $(MLFLOW_TRACKING_URI) --default-artifact-root ./mlruns/artifacts --host $(HOST) --port $(UI_PORT) --workers 1

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

# Refresh the per-series recommender shipped in the package (recommender/shipped_router/) after a
# change to its features, candidates or knowledge-base settings (a test fails until then): builds
# it from the development collections (15–25 min on 2 cores the first time; cached CV after).
shipped-router: $(STAMP)
	$(BIN)/tsforge recommender build --per-series
	$(BIN)/python -m recommender.shipped_router

clean:
	rm -rf $(VENV) .pytest_cache
