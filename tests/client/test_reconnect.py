"""A watch outlives its server: the stream drops when chunkd restarts, the
client reconnects, and the terminal status still arrives — even when the task
finished while no server was there to report it."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import AsyncTaskClient, EventKind, Status, TaskClient, WatchEvent
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import wait_until

PDF = CORPUS / "pdf" / "multi_page.pdf"
IDLE = ("--no-worker", "--no-gateway")


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RunningServer]:
    """A server of the test's own, without a worker: the test decides when
    (and by whom) the task is processed."""
    server = start_server(tmp_path / "chunkd", None, *IDLE)
    yield server
    server.stop()


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stops a spawned worker without letting a slow exit hide the test's
    own outcome."""
    worker.terminate()
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def stored_status(server: RunningServer, task_id: str) -> str:
    """The task's status in the database, read while no server is running."""
    with sqlite3.connect(server.data_dir / "chunkd.db") as db:
        row = db.execute("SELECT status FROM tasks WHERE id = ?", (task_id,)).fetchone()
    return str(row[0])


def test_a_task_that_finishes_while_the_server_is_down_is_reported_after_it_returns(
    restartable: RunningServer,
) -> None:
    with TaskClient(restartable.grpc_address, restartable.api_key) as client:
        task = client.create(PDF)
        events = client.watch(task.task_id, timeout=180)
        first = next(events)
        assert (first.kind, first.task.status) == (EventKind.SNAPSHOT, Status.STARTING)

        restartable.stop()  # the open stream dies with the server
        worker = restartable.spawn_worker()  # a worker needs only the database
        try:
            wait_until(lambda: stored_status(restartable, task.task_id).lower() == "succeeded", timeout=120, interval=0.1)
        finally:
            stop_worker(worker)
        restartable.start(*IDLE)

        rest = list(events)
        assert rest[0].reconnected and rest[0].kind is EventKind.SNAPSHOT
        assert [e.task.status for e in rest] == [Status.SUCCEEDED]
        assert client.wait(task.task_id).chunks


def test_an_async_watch_follows_the_task_across_a_restart(restartable: RunningServer) -> None:
    async def scenario() -> list[WatchEvent]:
        async with AsyncTaskClient(restartable.grpc_address, restartable.api_key) as client:
            task = await client.create(PDF)
            seen: list[WatchEvent] = []
            snapshot = asyncio.Event()

            async def follow() -> None:
                async for event in client.watch(task.task_id, timeout=180):
                    seen.append(event)
                    snapshot.set()

            watching = asyncio.create_task(follow())
            await asyncio.wait_for(snapshot.wait(), 30)
            await asyncio.to_thread(restartable.restart, *IDLE)  # while the watch is waiting on its stream
            worker = restartable.spawn_worker()
            try:
                await asyncio.wait_for(watching, 180)
            finally:
                await asyncio.to_thread(stop_worker, worker)
            assert (await client.wait(task.task_id)).status is Status.SUCCEEDED
            return seen

    events = asyncio.run(scenario())
    assert events[0].task.status is Status.STARTING
    reconnected = [e for e in events if e.reconnected]
    assert len(reconnected) == 1 and reconnected[0].kind is EventKind.SNAPSHOT
    assert events[-1].task.status is Status.SUCCEEDED


def test_a_watch_gives_up_when_the_server_stays_away(restartable: RunningServer) -> None:
    from client import Unavailable

    with TaskClient(restartable.grpc_address, restartable.api_key) as client:
        task = client.create(PDF)
        events = client.watch(task.task_id, reconnect_for=1.0)
        next(events)
        restartable.stop()
        with pytest.raises(Unavailable, match=f"Lost the watch on task {task.task_id}"):
            next(events)
