from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server


def _gateway_available() -> bool:
    try:
        from gateway.app import serve  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One real chunkd (gRPC + worker + gateway) for the session's tests."""
    args = () if _gateway_available() else ("--no-gateway",)
    running = start_server(tmp_path_factory.mktemp("chunkd"), None, *args)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api_key(server: RunningServer) -> str:
    return server.api_key


@pytest.fixture(scope="session")
def channel(server: RunningServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(
        server.grpc_address, options=[("grpc.max_receive_message_length", 512 * 1024 * 1024)]
    ) as ch:
        yield ch


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel) -> tasks_pb2_grpc.TaskServiceStub:
    return tasks_pb2_grpc.TaskServiceStub(channel)


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS
