"""The same service on PostgreSQL: the store must not depend on SQLite-only SQL.
Uses the machine's server (127.0.0.1:5432, database `test`), in a fresh
database of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, claim, create, open_channel, rpc_error

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PDF = CORPUS / "pdf" / "multi_page.pdf"

asyncpg = pytest.importorskip("asyncpg", reason="needs asyncpg (the [postgres] extra)")


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def database() -> Iterator[str]:
    """A database of the test's own: servers on one database share one queue."""
    name = f"chunkd_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed for these tests: {exc}")
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_server(database: str, tmp_path: Path) -> Iterator[RunningServer]:
    server = start_server(tmp_path / "pg", {"CHUNKD_DATABASE_URL": database}, "--no-gateway")
    yield server
    server.stop()


def test_a_task_runs_to_succeeded_on_postgres(pg_server: RunningServer) -> None:
    with open_channel(pg_server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, pg_server.api_key, PDF)
        events = list(stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(pg_server.api_key), timeout=120))
        assert events[-1].task.status == pb.TASK_STATUS_SUCCEEDED
        done = stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=auth(pg_server.api_key))
        assert done.output.page_count == 5 and done.output.chunks


def test_status_rules_and_keyset_listing_on_postgres(database: str, tmp_path: Path) -> None:
    server = start_server(tmp_path / "pg-idle", {"CHUNKD_DATABASE_URL": database}, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            key = auth(server.api_key)
            ids = [create(stub, server.api_key, PDF).task_id for _ in range(5)]
            stub.CancelTask(pb.CancelTaskRequest(task_id=ids[0]), metadata=key)
            claimed = {c.task.id for c in claim(server)}
            assert set(ids[1:]) <= claimed
            error = rpc_error(lambda: stub.CancelTask(pb.CancelTaskRequest(task_id=ids[1]), metadata=key))
            assert error.details() == "Task cannot be cancelled: status is Processing"
            error = rpc_error(lambda: stub.DeleteTask(pb.DeleteTaskRequest(task_id=ids[1]), metadata=key))
            assert error.details() == "Task cannot be deleted: status is Processing"
            seen, token = [], ""
            while True:
                reply = stub.ListTasks(pb.ListTasksRequest(page_size=2, page_token=token), metadata=key)
                seen += [t.task_id for t in reply.tasks]
                if not (token := reply.next_page_token):
                    break
            assert seen[: len(ids)] == list(reversed(ids))
    finally:
        server.stop()


def test_cancel_vs_claim_race_on_postgres(database: str, tmp_path: Path) -> None:
    from tests.test_races import _race

    server = start_server(tmp_path / "pg-race", {"CHUNKD_DATABASE_URL": database}, "--no-worker", "--no-gateway")
    try:
        cancelled, refused, claimed, final = asyncio.run(_race(server))
    finally:
        server.stop()
    assert cancelled.isdisjoint(claimed)
    assert refused == claimed
    assert len(final) == 200 and cancelled | claimed == set(final)


def test_a_separate_worker_s_changes_reach_watchers_through_notify(database: str, tmp_path: Path) -> None:
    """Polling is slowed to 60 s, so only NOTIFY can deliver these events in time."""
    env = {"CHUNKD_DATABASE_URL": database, "CHUNKD_EVENTS_POLL_SECONDS": "60"}
    server = start_server(tmp_path / "pg-notify", env, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, PDF)
            worker = server.spawn_worker()
            try:
                events = list(
                    stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(server.api_key), timeout=45)
                )
            finally:
                worker.terminate()
                worker.wait(30)
        assert events[-1].task.status == pb.TASK_STATUS_SUCCEEDED
    finally:
        server.stop()
