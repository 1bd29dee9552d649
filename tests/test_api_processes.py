"""CHUNKD_API_PROCESSES: several `chunkd serve` processes answer on one port,
and each sees what the others commit, on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, create
from tests.test_postgres import database  # noqa: F401  (a fixture)

PDF = CORPUS / "pdf" / "multi_page.pdf"
# Polls this slow cannot carry an event or a queued task within the test's time:
# only the wake-ups between processes (peers on SQLite, NOTIFY on PostgreSQL) can.
SLOW_POLLS = {"CHUNKD_API_PROCESSES": "2", "CHUNKD_EVENTS_POLL_SECONDS": "300", "CHUNKD_POLL_SECONDS": "300"}


def process_of(channel: grpc.Channel, key: str) -> str:
    stub = tasks_pb2_grpc.TaskServiceStub(channel)
    _, call = stub.ListTasks.with_call(pb.ListTasksRequest(page_size=1), metadata=auth(key))
    return dict(call.trailing_metadata())["chunkd-process"]


def channels_by_process(server: RunningServer, attempts: int = 40) -> dict[str, grpc.Channel]:
    """One connection to each process: every channel its own connection, which the kernel places."""
    found: dict[str, grpc.Channel] = {}
    for _ in range(attempts):
        channel = grpc.insecure_channel(server.grpc_address, options=[("grpc.use_local_subchannel_pool", 1)])
        pid = process_of(channel, server.api_key)
        if pid in found:
            channel.close()
        else:
            found[pid] = channel
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def watch_on_one_while_the_other_creates(server: RunningServer) -> None:
    channels = channels_by_process(server)
    try:
        assert len(channels) == 2, f"40 connections all went to one process: {list(channels)}"
        (_, watching), (_, creating) = channels.items()
        key = server.api_key
        task = create(tasks_pb2_grpc.TaskServiceStub(creating), key, PDF)
        events = list(
            tasks_pb2_grpc.TaskServiceStub(watching).WatchTask(
                pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(key), timeout=60
            )
        )
        statuses = [event.task.status for event in events]
        assert statuses[-1] == pb.TASK_STATUS_SUCCEEDED, statuses
        assert pb.TASK_STATUS_PROCESSING in statuses or statuses == [pb.TASK_STATUS_SUCCEEDED]
    finally:
        for channel in channels.values():
            channel.close()
    server.stop()
    for pid in channels:
        assert not alive(int(pid)) or wait_gone(int(pid))


def wait_gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def sqlite_pair(tmp_path: Path) -> Iterator[RunningServer]:
    server = start_server(tmp_path / "pair", SLOW_POLLS)
    yield server
    server.stop()


def test_two_processes_on_sqlite_serve_connections_and_see_each_others_commits(sqlite_pair: RunningServer) -> None:
    """A task created through one process is claimed by the worker of the first
    and watched through the other, to Succeeded; on stop both processes leave."""
    watch_on_one_while_the_other_creates(sqlite_pair)


def test_two_processes_on_postgres_see_each_others_commits(database: str, tmp_path: Path) -> None:  # noqa: F811
    server = start_server(tmp_path / "pg-pair", {**SLOW_POLLS, "CHUNKD_DATABASE_URL": database}, "--no-gateway")
    try:
        watch_on_one_while_the_other_creates(server)
    finally:
        server.stop()


def test_the_gateway_answers_from_both_processes(sqlite_pair: RunningServer) -> None:
    """Twenty fresh REST connections: every one answered (the kernel spreads them)."""
    statuses = []
    for _ in range(20):
        connection = http.client.HTTPConnection("127.0.0.1", sqlite_pair.http_port, timeout=10)
        connection.request("GET", "/api/v1/tasks?limit=1", headers={"Authorization": sqlite_pair.api_key})
        statuses.append(connection.getresponse().status)
        connection.close()
    assert statuses == [200] * 20

