"""/metrics during real work: a real chunkd serve (gRPC, worker, gateway) is
scraped before and after calls and a processed document, and the series move."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import RunningServer, free_port, start_server
from tests.operations.scrape import scrape, total, value
from tests.support import auth, create, open_channel, wait_terminal, wait_until

PAGES = 3


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    metrics_port = free_port()
    server = start_server(
        tmp_path_factory.mktemp("metrics"),
        {
            "CHUNKD_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "CHUNKD_METRICS_REFRESH_SECONDS": "0.2",
            "CHUNKD_LOG_FORMAT": "json",
            "CHUNKD_WORKER_PROCESSES": "1",
        },
    )
    yield server, f"http://127.0.0.1:{metrics_port}/metrics"
    server.stop()


def test_a_processed_document_moves_the_rpc_http_pipeline_and_store_series(
    served: tuple[RunningServer, str], tmp_path: Path
) -> None:
    server, metrics_url = served
    before = scrape(metrics_url)
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, server.api_key, long_pdf(tmp_path / "three.pdf", PAGES))
        done = wait_terminal(stub, server.api_key, task.task_id)
        assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
        with pytest.raises(grpc.RpcError) as missing:
            stub.GetTask(pb.GetTaskRequest(task_id="0" * 32), metadata=auth(server.api_key))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    reply = httpx.get(
        f"{server.http_url}/api/v1/task/{task.task_id}", headers={"Authorization": server.api_key}, timeout=30
    )
    assert reply.status_code == 200

    after = wait_until(lambda: _when(scrape(metrics_url), lambda s: value(s, "chunkd_tasks", status="Succeeded") >= 1))

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("chunkd_rpc_requests_total", method="CreateTask", code="OK") == 1
    assert moved("chunkd_rpc_requests_total", method="GetTask", code="NOT_FOUND") == 1
    assert moved("chunkd_rpc_requests_total", method="WatchTask", code="OK") == 1
    assert moved("chunkd_rpc_duration_seconds_count", method="CreateTask") == 1
    assert moved("chunkd_http_requests_total", method="GET", route="/api/v1/task/{task_id}", code="200") == 1
    assert moved("chunkd_pages_processed_total", file_type="pdf") == PAGES
    assert moved("chunkd_stage_duration_seconds_count", file_type="pdf") >= 2  # two or more stages timed
    assert moved("chunkd_task_processing_seconds_count", file_type="pdf", outcome="succeeded") == 1
    assert value(after, "chunkd_queue_depth") == 0


def test_the_gateway_serves_the_same_registry_on_metrics(served: tuple[RunningServer, str]) -> None:
    server, _ = served
    first = scrape(f"{server.http_url}/metrics")
    httpx.get(f"{server.http_url}/api/v1/task/nope", headers={"Authorization": server.api_key}, timeout=30)
    second = scrape(f"{server.http_url}/metrics")
    route = {"method": "GET", "route": "/api/v1/task/{task_id}"}
    assert (
        total(second, "chunkd_http_requests_total", **route) - total(first, "chunkd_http_requests_total", **route) == 1
    )
    assert total(second, "chunkd_rpc_requests_total", method="GetTask") >= 1


def test_worker_logs_are_json_lines_with_task_owner_stage_and_duration_and_no_key(
    served: tuple[RunningServer, str], tmp_path: Path
) -> None:
    server, _ = served
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, server.api_key, long_pdf(tmp_path / "logged.pdf", 1))
        wait_terminal(stub, server.api_key, task.task_id)
    text = server.log_path.read_text()
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [event for event in events if event.get("task_id") == task.task_id]
    stages = [event for event in mine if event["message"] == "stage finished"]
    assert stages and all(event["owner"] == "alice" and event["duration"] >= 0 for event in stages)
    assert any(event["message"] == "task succeeded" and "duration" in event for event in mine)
    assert server.api_key not in text


def test_queue_depth_and_oldest_age_count_tasks_no_worker_has_taken(tmp_path: Path) -> None:
    metrics_port = free_port()
    server = start_server(
        tmp_path / "queue",
        {"CHUNKD_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}", "CHUNKD_METRICS_REFRESH_SECONDS": "0.2"},
        "--no-worker",
        "--no-gateway",
    )
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            for n in range(2):
                create(stub, server.api_key, long_pdf(tmp_path / f"q{n}.pdf", 1))
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        samples = wait_until(
            lambda: _when(
                scrape(url),
                lambda s: value(s, "chunkd_queue_depth") == 2 and value(s, "chunkd_queue_oldest_age_seconds") > 0,
            )
        )
        assert value(samples, "chunkd_tasks", status="Starting") == 2
    finally:
        server.stop()


def _when(samples: dict, predicate) -> dict | None:  # type: ignore[type-arg,no-untyped-def]
    return samples if predicate(samples) else None


def test_a_task_past_its_deadline_counts_a_pool_restart(tmp_path: Path) -> None:
    metrics_port = free_port()
    server = start_server(
        tmp_path / "restarts",
        {
            "CHUNKD_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
            "CHUNKD_TASK_TIMEOUT": "1",
            "CHUNKD_WORKER_PROCESSES": "1",
        },
        "--no-gateway",
    )
    try:
        url = f"http://127.0.0.1:{metrics_port}/metrics"
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, long_pdf(tmp_path / "long.pdf", 200))
            assert wait_terminal(stub, server.api_key, task.task_id).status == pb.TASK_STATUS_FAILED
        samples = wait_until(
            lambda: _when(scrape(url), lambda s: value(s, "chunkd_pool_restarts_total", reason="timed out") >= 1)
        )
        assert value(samples, "chunkd_pool_restarts_total", reason="timed out") == 1
    finally:
        server.stop()
