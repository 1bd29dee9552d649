"""The .proto is the source of truth: committed stubs match it, and the server
answers standard health checks and reflection."""

from __future__ import annotations

from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from protos.generate import generate
from tests.harness import ROOT, RunningServer

# The stubs, and the descriptor set whose comments the OpenAPI document's descriptions are.
GENERATED = ("tasks_pb2.py", "tasks_pb2.pyi", "tasks_pb2_grpc.py", "tasks_descriptor.binpb")


def test_committed_stubs_match_the_proto(tmp_path: Path) -> None:
    (tmp_path / "protos").mkdir()
    (tmp_path / "protos" / "tasks.proto").write_bytes((ROOT / "protos" / "tasks.proto").read_bytes())
    generate(tmp_path)
    for name in GENERATED:
        fresh = (tmp_path / "protos" / name).read_bytes()
        committed = (ROOT / "protos" / name).read_bytes()
        assert fresh == committed, f"protos/{name} is stale: run `make protos`"


def test_health_checking_is_served(server: RunningServer) -> None:
    with grpc.insecure_channel(server.grpc_address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "chunkd.v1.TaskService"):
            assert stub.Check(health_pb2.HealthCheckRequest(service=service)).status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_task_service(server: RunningServer) -> None:
    with grpc.insecure_channel(server.grpc_address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in replies[0].list_services_response.service}
    assert {"chunkd.v1.TaskService", "grpc.health.v1.Health"} <= names
