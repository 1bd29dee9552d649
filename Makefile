VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test lint protos bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev,postgres,ocr,tokenizers]'
	touch $(STAMP)

DATA ?= data

## Start gRPC server, worker and REST gateway on SQLite and ./data
run: $(STAMP)
	@mkdir -p $(DATA) && umask 077 && (test -s $(DATA)/api-key || CHUNKD_DATA_DIR=$(DATA) $(VENV)/bin/chunkd keys create local > $(DATA)/api-key)
	@echo "chunkd: API key for owner 'local': $$(cat $(DATA)/api-key)  (also in $(DATA)/api-key)"
	CHUNKD_DATA_DIR=$(DATA) $(VENV)/bin/chunkd serve

## Run the whole test suite
test: $(STAMP)
	$(PY) -m pytest -q

## Check the code: ruff (pyflakes, pycodestyle, bugbear, pyupgrade, simplify) and mypy, as configured in pyproject.toml
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## Regenerate the gRPC stubs from protos/tasks.proto
protos: $(STAMP)
	$(PY) -m protos.generate

bench: $(STAMP)
	$(PY) -m bench.grpc_get_task
	$(PY) -m bench.gateway_bench

## Fuzz the REST gateway from its OpenAPI document, longer than make test does
fuzz: $(STAMP)
	CHUNKD_FUZZ_RANDOM=1 CHUNKD_FUZZ_EXAMPLES=200 $(PY) -m pytest -q tests/gateway/test_fuzz.py

clean:
	rm -rf $(VENV) data .pytest_cache
