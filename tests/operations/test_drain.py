"""SIGTERM drains a replica: real `chunkd serve` processes and real signals.

The API closes open watches with UNAVAILABLE (the status clients reconnect on)
and exits; the worker stops claiming and finishes the task it holds within
CHUNKD_DRAIN_SECONDS, or hands it back (lease released) when the grace runs out,
so no task is lost."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import RunningServer, start_server
from tests.support import auth, create, open_channel, wait_until

WORKER = {"CHUNKD_WORKER_PROCESSES": "1", "CHUNKD_WORKER_CONCURRENCY": "1", "CHUNKD_HEARTBEAT_SECONDS": "0.5"}


def terminate(server: RunningServer, timeout: float = 120) -> int:
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=timeout)


def get(server: RunningServer, task_id: str) -> pb.Task:
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        return stub.GetTask(pb.GetTaskRequest(task_id=task_id), metadata=auth(server.api_key))


def processing(server: RunningServer, task_id: str) -> bool:
    task = get(server, task_id)
    return task.status == pb.TASK_STATUS_PROCESSING and task.progress.pages_done > 0  # the pipeline is under way


def test_sigterm_closes_an_open_watch_with_unavailable_and_the_process_exits(tmp_path: Path) -> None:
    server = start_server(tmp_path / "api", None, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, long_pdf(tmp_path / "a.pdf", 1))
            stream = stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(server.api_key))
            first = next(stream)
            assert first.kind == pb.TaskEvent.KIND_SNAPSHOT
            outcome: dict[str, object] = {}

            def follow() -> None:
                try:
                    for _ in stream:
                        pass
                    outcome["ended"] = "without a status"
                except grpc.RpcError as exc:
                    outcome["code"], outcome["details"] = exc.code(), exc.details()

            follower = threading.Thread(target=follow)
            follower.start()
            assert terminate(server) == 0
            follower.join(30)
        assert outcome.get("code") == grpc.StatusCode.UNAVAILABLE, outcome
        assert "shutting down" in str(outcome["details"])
    finally:
        server.stop()


def test_sigterm_while_processing_finishes_the_task_before_exiting(tmp_path: Path) -> None:
    server = start_server(tmp_path / "finish", {**WORKER, "CHUNKD_DRAIN_SECONDS": "120"}, "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            task = create(tasks_pb2_grpc.TaskServiceStub(channel), server.api_key, long_pdf(tmp_path / "b.pdf", 12))
        wait_until(lambda: processing(server, task.task_id), timeout=60, interval=0.02)
        assert terminate(server) == 0
        server.start("--no-worker", "--no-gateway")  # nothing could have finished it since
        assert get(server, task.task_id).status == pb.TASK_STATUS_SUCCEEDED
    finally:
        server.stop()


def test_sigterm_past_the_grace_hands_the_task_back_and_it_finishes_after_restart(tmp_path: Path) -> None:
    server = start_server(tmp_path / "handback", {**WORKER, "CHUNKD_DRAIN_SECONDS": "0"}, "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            task = create(tasks_pb2_grpc.TaskServiceStub(channel), server.api_key, long_pdf(tmp_path / "c.pdf", 40))
        wait_until(lambda: processing(server, task.task_id), timeout=60, interval=0.02)
        assert terminate(server) == 0
        server.start("--no-worker", "--no-gateway")
        handed_back = get(server, task.task_id)
        assert handed_back.status == pb.TASK_STATUS_STARTING  # queued again at once, no lease to wait out
        assert "its worker stopped" in handed_back.message
        server.restart("--no-gateway")
        finished = wait_until(
            lambda: (t := get(server, task.task_id)).status == pb.TASK_STATUS_SUCCEEDED and t, timeout=120
        )
        assert finished.status == pb.TASK_STATUS_SUCCEEDED
    finally:
        server.stop()
