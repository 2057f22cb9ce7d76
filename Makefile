# Every target creates or refreshes .venv itself: on a fresh clone `make demo` and `make test` just work.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
# checkov pins boto3, packaging and others below what .venv needs (moto, boto3-stubs): its own venv.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION ?= 3.3.30
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install demo test test-unit test-workflow test-fast lint typecheck sam-validate sam-build bench bench-serve bench-contract bench-detection openapi samples clean test-sfn-local test-deployed

help:
	@echo "make demo      run the bundled sample files through the whole pipeline on the embedded emulator"
	@echo "make test      run the test suite (unit, workflow on the real ASL, API, charts)"
	@echo "make lint      ruff, mypy, cfn-lint and checkov"
	@echo "make bench     benchmark (prints a table, writes BENCH_OUT=bench-results.json)"
	@echo "make bench-detection  detection on real meter data with planted faults"
	@echo "make sam-build sam validate --lint and sam build (python3.13 from pyenv)"

$(STAMP): pyproject.toml functions/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local,viz,dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/energy-pipeline demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

test-workflow: $(STAMP)
	$(BIN)/python -m pytest tests/workflow

lint: $(STAMP) $(CHECKOV_VENV)/bin/checkov
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet --compact --skip-download -f template.yaml --framework cloudformation
	# ... and on the template as deployed: SAM's generated roles, stage and permissions (scripts/sam_translate.py).
	mkdir -p .lint && $(BIN)/python scripts/sam_translate.py .lint/sam-translated.json
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet --compact --skip-download -f .lint/sam-translated.json --framework cloudformation

$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'

typecheck: $(STAMP)
	$(BIN)/mypy

$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli

# sam build uses python3.13 for the python3.13 runtime; pyenv exposes it through PYENV_VERSION.
sam-validate: $(SAM_VENV)/bin/sam
	$(SAM_VENV)/bin/sam validate --lint

sam-build: sam-validate
	PYENV_VERSION=3.11.7:3.13.0:3.12.1 $(SAM_VENV)/bin/sam build

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.serve_volume

# The local stack at volume: 1M readings over 100 sites stored through `serve`, then read over HTTP.
bench-serve: $(STAMP)
	$(BIN)/python -m bench.serve_volume

# The API contract checks of tests/api/test_api_properties.py with 1,000 examples per case.
bench-contract: $(STAMP)
	SCHEMATHESIS_EXAMPLES=1000 $(BIN)/python -m pytest -q tests/api/test_api_properties.py

# Detection on real meter data (pvanalytics, eemeter) with planted faults, beside adtk and pvanalytics'
# quality checks: docs/anomaly-detection.md. adtk 0.6.2 (its last release) breaks under pandas 3, so the
# benchmark runs in a venv of its own with pandas 2; the detectors it measures need only numpy. pyarrow
# reads pvanalytics' parquet series; ruptures is what pvanalytics.quality.time.shifts_ruptures runs on;
# orjson is what energy_core's chunk module (imported by the detectors' rules) needs. The venv is brought
# up to date whenever this Makefile changes, so a dependency added here reaches venvs made before it.
BASELINES_VENV := .venv-baselines
$(BASELINES_VENV)/bin/baselines-installed: Makefile
	test -x $(BASELINES_VENV)/bin/python || $(PYTHON) -m venv $(BASELINES_VENV)
	$(BASELINES_VENV)/bin/python -m pip install --quiet 'numpy>=2.1' 'pandas>=2.1,<3' 'adtk==0.6.2' \
		'pvanalytics>=0.2.2' 'pyarrow>=14' 'ruptures>=1.1.9' \
		"$$(grep '^orjson==' functions/requirements.txt)"
	@touch $@

bench-detection: $(BASELINES_VENV)/bin/baselines-installed
	$(BASELINES_VENV)/bin/python -W ignore::FutureWarning -m bench.detection_real --json bench-detection.json

openapi: $(STAMP)
	$(BIN)/python -m energy_pipeline.api.openapi > openapi.json

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

test-sfn-local: $(STAMP)
	$(BIN)/python -m pytest -m sfn_local tests/sfn_local

test-deployed: $(STAMP)
	$(BIN)/python -m pytest -m deployed tests/deployed

clean:
	rm -rf .lint .aws-sam demo-output charts bench-results.json .pytest_cache .mypy_cache .ruff_cache
