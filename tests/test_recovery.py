"""What the clock and dead workers do: requeue on a lost lease, failure after
the last attempt, timeout, and expiry."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.errors import TaskNotFound
from tests.documents import long_pdf
from tests.harness import CORPUS, start_server
from tests.support import auth, claim, create, open_channel, rpc_error, wait_terminal, wait_until

PDF = CORPUS / "pdf" / "multi_page.pdf"


def status_of(stub: tasks_pb2_grpc.TaskServiceStub, key: str, task_id: str) -> pb.Task:
    return stub.GetTask(pb.GetTaskRequest(task_id=task_id, include_chunks=False), metadata=auth(key))


def test_a_killed_worker_s_task_is_requeued_and_finishes(tmp_path: Path) -> None:
    env = {"CHUNKD_LEASE_SECONDS": "2", "CHUNKD_HEARTBEAT_SECONDS": "0.5"}
    server = start_server(tmp_path / "crash", env, "--no-worker", "--no-gateway")
    document = long_pdf(tmp_path / "long.pdf", pages=300)
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, document)
            doomed = server.spawn_worker()
            wait_until(lambda: status_of(stub, server.api_key, task.task_id).status == pb.TASK_STATUS_PROCESSING, timeout=60, interval=0.01)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
            requeued = wait_until(
                lambda: (t := status_of(stub, server.api_key, task.task_id)).status == pb.TASK_STATUS_STARTING and t,
                timeout=30,
            )
            assert "stopped responding" in requeued.message
            rescuer = server.spawn_worker()
            try:
                done = wait_terminal(stub, server.api_key, task.task_id, timeout=300)
            finally:
                rescuer.terminate()
                rescuer.wait(30)
            assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
            assert done.output.page_count == 300
    finally:
        server.stop()


def test_a_task_fails_after_three_lost_leases(tmp_path: Path) -> None:
    server = start_server(tmp_path / "attempts", None, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, PDF)
            for attempt in range(3):
                # a worker that claims and then dies: it never heartbeats
                assert [c.task.id for c in claim(server, lease=0.2)] == [task.task_id]
                final = wait_until(
                    lambda: (t := status_of(stub, server.api_key, task.task_id)).status != pb.TASK_STATUS_PROCESSING and t,
                    timeout=30,
                )
                if attempt < 2:
                    assert final.status == pb.TASK_STATUS_STARTING
            assert final.status == pb.TASK_STATUS_FAILED
            assert final.message == "Task failed after 3 attempts: the worker processing it stopped responding"
    finally:
        server.stop()


def test_a_task_past_its_timeout_fails_and_a_late_worker_cannot_overwrite_it(tmp_path: Path) -> None:
    import asyncio

    from server.db import connect
    from server.store import TaskStore
    from tests.support import server_settings

    server = start_server(tmp_path / "timeout", {"CHUNKD_TASK_TIMEOUT": "1"}, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            stuck = create(stub, server.api_key, PDF)
            (late,) = claim(server)
            never_claimed = create(stub, server.api_key, PDF)
            for task in (stuck, never_claimed):
                final = wait_terminal(stub, server.api_key, task.task_id, timeout=30)
                assert (final.status, final.message) == (pb.TASK_STATUS_FAILED, "Task timed out")

            async def finish_late() -> object:
                db = connect(server_settings(server).sqlalchemy_url)
                try:
                    return await TaskStore(db).succeed(late, output_key="x", page_count=1, message="late")
                finally:
                    await db.dispose()

            assert asyncio.run(finish_late()) is None
            assert status_of(stub, server.api_key, stuck.task_id).message == "Task timed out"
    finally:
        server.stop()


def test_an_expired_task_is_gone_at_once_and_swept_with_its_files(tmp_path: Path) -> None:
    server = start_server(tmp_path / "expiry", None, "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            key = auth(server.api_key)
            task = create(stub, server.api_key, PDF, pb.Configuration(expires_in=2))
            keeper = create(stub, server.api_key, PDF)
            done = wait_terminal(stub, server.api_key, task.task_id)
            assert done.expires_at.ToSeconds() == done.finished_at.ToSeconds() + 2
            files = server.data_dir / "blobs" / "tasks" / task.task_id
            assert files.exists()
            wait_until(lambda: time.time() >= done.expires_at.ToSeconds() + done.expires_at.nanos / 1e9, timeout=10)
            error = rpc_error(lambda: stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=key))
            assert (error.code(), error.details()) == (grpc.StatusCode.NOT_FOUND, "Task not found")
            listed = {t.task_id for t in stub.ListTasks(pb.ListTasksRequest(page_size=100), metadata=key).tasks}
            assert task.task_id not in listed and keeper.task_id in listed
            wait_until(lambda: not files.exists(), timeout=30)
    finally:
        server.stop()


def test_server_default_expires_in_applies_to_tasks_that_set_none(tmp_path: Path) -> None:
    server = start_server(tmp_path / "default-expiry", {"CHUNKD_DEFAULT_EXPIRES_IN": "3600"}, "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            done = wait_terminal(stub, server.api_key, create(stub, server.api_key, PDF).task_id)
            assert done.expires_at.ToSeconds() == done.finished_at.ToSeconds() + 3600
    finally:
        server.stop()


def test_task_not_found_has_chunkr_s_message() -> None:
    assert TaskNotFound().message == "Task not found"
    with pytest.raises(TaskNotFound):
        raise TaskNotFound()


def test_a_killed_worker_leaves_no_pipeline_processes_behind(tmp_path: Path) -> None:
    server = start_server(tmp_path / "orphans", None, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            worker = server.spawn_worker()
            task = create(stub, server.api_key, PDF)
            wait_terminal(stub, server.api_key, task.task_id)  # the pool has started
            children = _children(worker.pid)
            assert children, "the worker has pipeline processes"
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), timeout=30)
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found
