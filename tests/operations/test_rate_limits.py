"""Requests per second per API key (CHUNKD_RATE_LIMIT_RPS, _BURST) on a real
server: a key over its rate gets RESOURCE_EXHAUSTED with a retry-after trailer
over gRPC and 429 with Retry-After over REST; other keys and health checks
are not held back."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.ratelimit import Buckets
from tests.harness import RunningServer, start_server
from tests.support import auth, open_channel

BURST = 2
# One call per 20 s refills: nothing in the test waits that long, however slow the machine.
LIMITS = {"CHUNKD_RATE_LIMIT_RPS": "0.05", "CHUNKD_RATE_LIMIT_BURST": str(BURST)}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("limits"), LIMITS, "--no-worker")
    yield server
    server.stop()


def list_tasks(stub: tasks_pb2_grpc.TaskServiceStub, key: str) -> None:
    stub.ListTasks(pb.ListTasksRequest(), metadata=auth(key))


def test_a_key_over_its_rate_gets_resource_exhausted_with_retry_after_and_others_do_not(
    limited: RunningServer,
) -> None:
    other = limited.create_api_key("bob")
    with open_channel(limited.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        for _ in range(BURST):
            list_tasks(stub, limited.api_key)
        with pytest.raises(grpc.RpcError) as refused:
            list_tasks(stub, limited.api_key)
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert refused.value.details() == "Rate limit exceeded for this API key"
        trailers = dict(refused.value.trailing_metadata())
        assert 1 <= int(trailers["retry-after"]) <= 20
        list_tasks(stub, other)  # bob's bucket is his own
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
        assert health.status == health_pb2.HealthCheckResponse.SERVING
    reply = httpx.get(f"{limited.http_url}/api/v1/tasks", headers={"Authorization": limited.api_key}, timeout=30)
    assert reply.status_code == 429
    assert reply.text == "Rate limit exceeded for this API key"
    assert 1 <= int(reply.headers["Retry-After"]) <= 20


def test_a_bucket_refills_at_the_rate_and_holds_at_most_the_burst() -> None:
    buckets = Buckets(rate=2.0, burst=3)
    assert [buckets.take("k", now=0.0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("k", now=0.0) == pytest.approx(0.5)
    assert buckets.take("k", now=0.5) == 0  # one token back after half a second at 2/s
    assert buckets.take("k", now=100.0) == 0
    assert [buckets.take("k", now=100.0) for _ in range(3)][-1] == pytest.approx(0.5)  # never above the burst
