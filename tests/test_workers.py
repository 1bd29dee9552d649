"""Many workers on one data directory, killed again and again: no task is lost to a
neighbour, none is processed twice, and nothing is left behind in `work/`.

Real processes throughout: one API process, two `chunkd worker` processes sharing
its data directory and database (SQLite, then PostgreSQL), `kill -9`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.db import connect
from server.models import TaskEventRow
from server.worker import draws_apart
from tests.documents import long_pdf
from tests.harness import RunningServer, start_server
from tests.support import auth, create, open_channel, server_settings, wait_until
from tests.test_postgres import database  # noqa: F401  the fixture: a fresh PostgreSQL database

TASKS = 16
WORKER_KILLS = 5
CHAOS_ENV = {
    "CHUNKD_LEASE_SECONDS": "3",
    "CHUNKD_HEARTBEAT_SECONDS": "0.5",
    "CHUNKD_WORKER_PROCESSES": "1",
    # Each kill costs the tasks in flight one attempt; five kills may hit one task five times.
    "CHUNKD_MAX_ATTEMPTS": str(WORKER_KILLS + 1),
}


def events_of(server: RunningServer) -> list[dict[str, object]]:
    """Every task snapshot in the events outbox, in commit order."""

    async def read() -> list[dict[str, object]]:
        db = connect(server_settings(server).sqlalchemy_url)
        try:
            rows = await db.fetch(select(TaskEventRow.__table__).order_by(TaskEventRow.__table__.c.id))  # type: ignore[attr-defined]
            return [json.loads(row["snapshot"]) for row in rows]
        finally:
            await db.dispose()

    return asyncio.run(read())


def busy(directory: Path) -> bool:
    """Whether a worker's directory holds a task folder: it has a task in flight."""
    try:
        return any(entry.name != ".lock" for entry in directory.iterdir())
    except OSError:
        return False


def statuses(stub: tasks_pb2_grpc.TaskServiceStub, key: str, ids: list[str]) -> dict[str, pb.Task]:
    return {
        task_id: stub.GetTask(pb.GetTaskRequest(task_id=task_id, include_chunks=False), metadata=auth(key), timeout=10)
        for task_id in ids
    }


@pytest.fixture(params=["sqlite", "postgres"])
def chaos_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    env = dict(CHAOS_ENV)
    if request.param == "postgres":
        env["CHUNKD_DATABASE_URL"] = request.getfixturevalue("database")
    server = start_server(tmp_path / "chaos", env, "--no-worker", "--no-gateway")
    yield server
    server.stop()


def test_workers_killed_and_restarted_lose_no_task_and_process_none_twice(
    chaos_server: RunningServer, tmp_path: Path
) -> None:
    server = chaos_server
    document = long_pdf(tmp_path / "forty.pdf", pages=40)
    work = server.data_dir / "work"
    workers = [server.spawn_worker({"CHUNKD_WORKER_ID": f"w{n}"}) for n in range(2)]
    kills = 0
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            ids = [create(stub, server.api_key, document).task_id for _ in range(TASKS)]
            while kills < WORKER_KILLS:
                # kill a worker with a task in flight while the other has one too: the restarted worker
                # (same id) empties its own folder and must leave the other's alone
                victim = kills % 2
                wait_until(
                    lambda: busy(work / "w0") and busy(work / "w1"),
                    timeout=120,
                    interval=0.05,
                )
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait()
                workers[victim] = server.spawn_worker({"CHUNKD_WORKER_ID": f"w{victim}"})
                kills += 1
                time.sleep(1.0)
            server.stop(signal.SIGKILL)  # the API process too: watches and the sweeper come back with it
            server.start("--no-worker", "--no-gateway")
            final = wait_until(
                lambda: (s := statuses(stub, server.api_key, ids))
                and all(t.status in (pb.TASK_STATUS_SUCCEEDED, pb.TASK_STATUS_FAILED) for t in s.values())
                and s,
                timeout=600,
                interval=0.5,
            )
            failures = {t.task_id: t.message for t in final.values() if t.status != pb.TASK_STATUS_SUCCEEDED}
            assert failures == {}
            assert all(t.output.page_count == 40 for t in final.values())
            # only the live workers' directories remain
            wait_until(lambda: len([d for d in work.iterdir() if d.is_dir()]) == 2, timeout=60, interval=0.5)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)

    snapshots = events_of(server)
    succeeded = Counter(s["id"] for s in snapshots if s["status"] == "Succeeded")
    assert succeeded == Counter({task_id: 1 for task_id in ids}), "every task Succeeded exactly once"
    requeues = [s for s in snapshots if s["status"] == "Starting" and "again" in str(s["message"])]
    assert requeues, "the kills hit tasks in flight"
    # the bug this guards against: a starting worker deleting a live one's files
    assert not [s["message"] for s in snapshots if "FileNotFoundError" in str(s["message"])]
    assert not [d for d in (server.data_dir / "work").iterdir() if d.is_dir()], "stopped workers leave no folders"
    print(f"chaos: {TASKS} tasks, {kills} worker kills, 1 API kill, {len(requeues)} requeues, 0 failures")


def test_an_unexpected_error_is_retried_and_fails_only_after_the_last_attempt(tmp_path: Path) -> None:
    """A vanished input is not the document's fault: the task is handed back twice, and the
    third failure says how many attempts were made and what went wrong."""
    server = start_server(tmp_path / "retry", None, "--no-worker", "--no-gateway")
    worker: subprocess.Popen[bytes] | None = None
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, long_pdf(tmp_path / "doc.pdf", pages=2))
            (blob,) = (server.data_dir / "blobs" / "tasks" / task.task_id / "input").iterdir()
            blob.unlink()
            worker = server.spawn_worker()
            done = wait_until(
                lambda: (t := statuses(stub, server.api_key, [task.task_id])[task.task_id]).status
                == pb.TASK_STATUS_FAILED
                and t,
                timeout=120,
                interval=0.2,
            )
            assert done.message == (
                "Task failed after 3 attempts: processing the document raised an unexpected error (FileNotFoundError)"
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        server.stop()
    messages = [s["message"] for s in events_of(server) if s["id"] == task.task_id and s["status"] == "Starting"]
    retries = [m for m in messages if m.startswith("Task queued again")]
    assert retries == ["Task queued again: processing the document raised an unexpected error (FileNotFoundError)"] * 2


def test_a_worker_cleans_its_own_and_dead_workers_folders_and_never_a_live_workers(tmp_path: Path) -> None:
    server = start_server(tmp_path / "dirs", {"CHUNKD_LEASE_SECONDS": "1"}, "--no-worker", "--no-gateway")
    work = server.data_dir / "work"
    folder = "00000000-0000-4000-8000-000000000000-" + "0" * 32  # a task folder whose lease nobody holds
    for owner in ("w1", "dead"):
        (work / owner / folder).mkdir(parents=True)
        (work / owner / folder / "page.jpg").write_bytes(b"left behind")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        workers.append(server.spawn_worker({"CHUNKD_WORKER_ID": "w1"}))
        wait_until(lambda: not (work / "w1" / folder).exists() and not (work / "dead").exists(), timeout=60)
        workers.append(server.spawn_worker({"CHUNKD_WORKER_ID": "w2"}))
        wait_until(lambda: (work / "w2" / ".lock").exists(), timeout=60)
        (work / "w2" / folder).mkdir()  # as if w2 were processing: it is alive, so its folder is its own
        workers.append(server.spawn_worker({"CHUNKD_WORKER_ID": "w3"}))
        wait_until(lambda: (work / "w3" / ".lock").exists(), timeout=60)
        time.sleep(3)  # several collection rounds of w1 and w3 (every lease_seconds)
        assert (work / "w2" / folder).exists()
        twin = server.spawn_worker({"CHUNKD_WORKER_ID": "w1"})
        workers.append(twin)
        twin.wait(60)
        assert "Another live worker uses the id 'w1' (CHUNKD_WORKER_ID)" in (server.data_dir / "worker.log").read_text()
        assert workers[0].poll() is None, "the first w1 goes on"
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        server.stop()
    assert not [d for d in work.iterdir()], "workers that stop remove their directories"


_ORPHANED_AT_START = """
import multiprocessing, os
from server.pipeline import limits
from server.worker import _init_process
# a pid that is not this process's parent: the worker that started it is already gone
_init_process(multiprocessing.get_context("spawn").Queue(), limits.Limits(), 0, os.getppid() + 1_000_000)
print("stayed", flush=True)
"""


def test_a_pipeline_process_whose_worker_died_before_it_started_leaves_at_once() -> None:
    """It would otherwise wait for work forever, with its page-drawing process beside it."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _ORPHANED_AT_START], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "stayed" not in done.stdout, done.stderr


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2, reason="two cores")
def test_a_task_draws_its_pages_apart_only_while_a_core_would_otherwise_idle() -> None:
    """Alone on two cores it draws in a drawing process; with a second task, or on one core, in-process."""
    cores = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, sorted(cores)[:2])
        assert [draws_apart(running) for running in (1, 2, 3)] == [True, False, False]
        os.sched_setaffinity(0, sorted(cores)[:1])
        assert not draws_apart(1)
    finally:
        os.sched_setaffinity(0, cores)


_HELD_LOCK_EXIT = """
import asyncio, multiprocessing, os, signal
from server.worker import ProgressRelay

def hold(lock):
    lock.acquire()
    os.kill(os.getpid(), signal.SIGKILL)  # dies in the middle of a put, its write lock held

if __name__ == "__main__":
    relay = ProgressRelay(asyncio.new_event_loop())
    child = multiprocessing.get_context("spawn").Process(target=hold, args=(relay.queue._wlock,))
    child.start()
    child.join()
    relay.close()
"""


def test_a_worker_exits_even_when_a_killed_pipeline_process_held_the_progress_queues_lock(tmp_path: Path) -> None:
    script = tmp_path / "held.py"
    script.write_text(_HELD_LOCK_EXIT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, str(script)], env=env, timeout=60, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
