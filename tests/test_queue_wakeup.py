"""Idle workers are woken by PostgreSQL NOTIFY when a task is queued, not by polling.
Polling is slowed to 60 s here, so only the notification can start the task in time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, start_server
from tests.support import auth, create, open_channel, wait_until
from tests.test_postgres import ADMIN_DSN, _admin, database  # noqa: F401  (the fixture: a fresh PostgreSQL database)

asyncpg = pytest.importorskip("asyncpg", reason="needs asyncpg (the [postgres] extra)")

PDF = CORPUS / "pdf" / "multi_page.pdf"
SLOW_POLL = {"CHUNKD_POLL_SECONDS": "60", "CHUNKD_QUEUE_FALLBACK_SECONDS": "60"}


def test_an_idle_separate_worker_starts_a_new_task_at_once_when_notified(
    database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "api", {"CHUNKD_DATABASE_URL": database}, "--no-worker", "--no-gateway")
    worker = server.spawn_worker(SLOW_POLL)
    try:
        wait_until(lambda: "chunkd: ready" in (server.data_dir / "worker.log").read_text(), timeout=30)
        time.sleep(1.0)  # the worker's first claim has found nothing; it now sleeps on its 60 s poll
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            for _ in range(3):  # each one after the worker went idle again
                task = create(stub, server.api_key, PDF)
                events = stub.WatchTask(
                    pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(server.api_key), timeout=30
                )
                assert [e.task.status for e in events][-1] == pb.TASK_STATUS_SUCCEEDED
    finally:
        worker.terminate()
        worker.wait(30)
        server.stop()


def listeners(url: str) -> list[int]:
    """Backends of the test's database whose last statement was the worker's LISTEN."""
    name = url.rsplit("/", 1)[1]

    async def read() -> list[int]:
        connection = await asyncpg.connect(ADMIN_DSN)
        try:
            rows = await connection.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%chunkd_queued%'", name
            )
            return [row["pid"] for row in rows]
        finally:
            await connection.close()

    return asyncio.run(read())


def test_a_lost_listen_connection_is_made_again_and_notifications_resume(
    database: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "api", {"CHUNKD_DATABASE_URL": database}, "--no-worker", "--no-gateway")
    worker = server.spawn_worker({"CHUNKD_POLL_SECONDS": "0.5", "CHUNKD_QUEUE_FALLBACK_SECONDS": "60"})
    try:
        first = wait_until(lambda: listeners(database), timeout=30)
        asyncio.run(_admin(f"SELECT pg_terminate_backend({first[0]})"))
        wait_until(lambda: (pids := listeners(database)) and pids != first, timeout=30)
        time.sleep(1.0)  # listening again: the worker sleeps on its 60 s fallback poll
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, PDF)
            events = stub.WatchTask(
                pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(server.api_key), timeout=30
            )
            assert [e.task.status for e in events][-1] == pb.TASK_STATUS_SUCCEEDED
    finally:
        worker.terminate()
        worker.wait(30)
        server.stop()
