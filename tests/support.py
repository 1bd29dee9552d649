"""Small helpers shared by the integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import grpc

from chunkr import codec
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.config import Settings
from server.db import connect
from server.store import Claim, TaskStore
from tests.harness import RunningServer

T = TypeVar("T")

TERMINAL = codec.TERMINAL_STATUSES


def open_channel(address: str) -> grpc.Channel:
    """A channel that accepts outputs as large as the server sends."""
    return grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 512 * 1024 * 1024)])


def auth(key: str) -> list[tuple[str, str]]:
    return [("authorization", key)]


def create(
    stub: tasks_pb2_grpc.TaskServiceStub, key: str, path: Path, configuration: pb.Configuration | None = None
) -> pb.Task:
    return stub.CreateTask(
        pb.CreateTaskRequest(file=path.read_bytes(), file_name=path.name, configuration=configuration),
        metadata=auth(key),
    )


def wait_terminal(stub: tasks_pb2_grpc.TaskServiceStub, key: str, task_id: str, timeout: float = 120) -> pb.Task:
    """Follows the task with WatchTask until it is terminal."""
    last = None
    for event in stub.WatchTask(pb.WatchTaskRequest(task_id=task_id), metadata=auth(key), timeout=timeout):
        last = event.task
    assert last is not None and last.status in TERMINAL, last
    return stub.GetTask(pb.GetTaskRequest(task_id=task_id), metadata=auth(key))


def wait_until(predicate: Callable[[], T], timeout: float = 30, interval: float = 0.05) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)


def rpc_error(call: Callable[[], object]) -> grpc.RpcError:
    try:
        call()
    except grpc.RpcError as exc:
        return exc
    raise AssertionError("expected the call to fail")


def server_settings(server: RunningServer) -> Settings:
    return Settings(data_dir=server.data_dir, database_url=server.env.get("CHUNKD_DATABASE_URL", ""))


def claim(server: RunningServer, lease: float = 3600) -> list[Claim]:
    """Claims every Starting task as a worker would — a worker that then hangs."""

    async def run() -> list[Claim]:
        db = connect(server_settings(server).sqlalchemy_url)
        try:
            return await TaskStore(db).claim(1000, lease)
        finally:
            await db.dispose()

    return asyncio.run(run())


def statuses(stub: tasks_pb2_grpc.TaskServiceStub, key: str) -> Iterator[tuple[str, int]]:
    for task in stub.ListTasks(pb.ListTasksRequest(page_size=1000), metadata=auth(key)).tasks:
        yield task.task_id, task.status
