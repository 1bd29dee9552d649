"""Fuzzing the REST gateway from its own OpenAPI document: whatever schemathesis
generates for any documented operation, the gateway never answers 5xx, and the
status codes and JSON bodies it does answer are the documented ones. A bounded
run here; `make fuzz` runs a longer one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis (the dev extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from tests.harness import RunningServer, start_server  # noqa: E402

EXAMPLES = int(os.environ.get("CHUNKD_FUZZ_EXAMPLES", "8"))
RANDOM = bool(os.environ.get("CHUNKD_FUZZ_RANDOM"))  # make test: the same examples every run; make fuzz: new ones


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # no worker: generated tasks stay queued, so the run does not spend itself processing documents
    running = start_server(tmp_path_factory.mktemp("fuzz"), {}, "--no-worker")
    yield running
    running.stop()


def test_no_generated_request_gets_a_server_error(fuzzed_server: RunningServer) -> None:
    api = schemathesis.openapi.from_url(f"{fuzzed_server.http_url}/openapi.json")
    # event streams stay open by design: they are tested in test_events.py
    operations = [op for op in (r.ok() for r in api.get_all_operations()) if not op.path.endswith("/events")]
    assert len(operations) >= 10
    headers = {"Authorization": fuzzed_server.api_key}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=not RANDOM,
        )
        def fuzz(case: schemathesis.Case) -> None:
            if case.query and "wait" in case.query:
                case.query["wait"] = 0  # no worker here: a long wait only waits, and is tested in test_wait.py
            response = case.call(headers=headers, timeout=30)
            case.validate_response(response, checks=[checks.not_a_server_error])

        fuzz()
