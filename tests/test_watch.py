"""WatchTask and WatchTasks over a real server: ordering, fan-out, deletion."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import TERMINAL, auth, create, open_channel, wait_until

PDF = CORPUS / "pdf" / "multi_page.pdf"


def collect(stream: Iterator[pb.TaskEvent], into: list[pb.TaskEvent]) -> None:
    """Reads a stream in the background until the test cancels it."""
    try:
        for event in stream:
            into.append(event)
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.CANCELLED:  # type: ignore[attr-defined]
            raise


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("watch"), None, "--no-worker", "--no-gateway")
    yield server
    server.stop()


def test_watch_sees_starting_processing_succeeded_in_order(stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    task = create(stub, api_key, PDF)
    events = list(stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(api_key), timeout=120))
    assert events[0].kind == pb.TaskEvent.KIND_SNAPSHOT
    assert all(e.kind == pb.TaskEvent.KIND_CHANGED for e in events[1:])
    statuses = [e.task.status for e in events]
    distinct = [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]]
    # The snapshot may already be past Starting if the worker was quick; what follows is in order.
    full = [pb.TASK_STATUS_STARTING, pb.TASK_STATUS_PROCESSING, pb.TASK_STATUS_SUCCEEDED]
    assert distinct == full[full.index(distinct[0]) :]
    assert events[-1].task.status == pb.TASK_STATUS_SUCCEEDED
    assert not events[-1].task.output.chunks  # events never carry chunks


def test_watch_reports_progress_with_pages(idle: RunningServer) -> None:
    with open_channel(idle.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, idle.api_key, PDF)
        worker = idle.spawn_worker()
        try:
            events = list(stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(idle.api_key), timeout=120))
        finally:
            worker.terminate()
            worker.wait(30)
    statuses = [e.task.status for e in events]
    assert statuses[0] == pb.TASK_STATUS_STARTING and statuses[-1] == pb.TASK_STATUS_SUCCEEDED
    assert pb.TASK_STATUS_PROCESSING in statuses
    assert events[-1].task.progress.pages_total == 5
    assert events[-1].task.progress.pages_done == 5


def test_fifty_watchers_on_one_task_all_see_the_terminal_event(idle: RunningServer) -> None:
    with open_channel(idle.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, idle.api_key, PDF)
        started = threading.Barrier(51)

        def watch() -> list[pb.TaskEvent]:
            stream = stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=auth(idle.api_key), timeout=120)
            first = next(stream)
            started.wait()
            return [first, *stream]

        with ThreadPoolExecutor(50) as pool:
            futures = [pool.submit(watch) for _ in range(50)]
            started.wait(timeout=60)  # every watcher holds its snapshot: the task is still Starting
            worker = idle.spawn_worker()
            try:
                results = [f.result(timeout=120) for f in futures]
            finally:
                worker.terminate()
                worker.wait(30)
    for events in results:
        assert events[0].task.status == pb.TASK_STATUS_STARTING
        assert events[-1].task.status == pb.TASK_STATUS_SUCCEEDED


def test_watch_ends_with_deleted_and_watch_tasks_sees_every_change(idle: RunningServer) -> None:
    with open_channel(idle.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        key = auth(idle.api_key)
        seen: list[pb.TaskEvent] = []
        dashboard = stub.WatchTasks(pb.WatchTasksRequest(), metadata=key, timeout=60)
        reader = threading.Thread(target=collect, args=(dashboard, seen), daemon=True)
        reader.start()
        task = create(stub, idle.api_key, PDF)
        watch = stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=key, timeout=60)
        assert next(watch).kind == pb.TaskEvent.KIND_SNAPSHOT
        stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=key)
        # a cancelled task is terminal: the single-task watch ends there
        rest = list(watch)
        assert [e.task.status for e in rest] == [pb.TASK_STATUS_CANCELLED]
        stub.DeleteTask(pb.DeleteTaskRequest(task_id=task.task_id), metadata=key)
        wait_until(lambda: any(e.kind == pb.TaskEvent.KIND_DELETED for e in seen), timeout=30)
        dashboard.cancel()
    mine = [(e.kind, e.task.status) for e in seen if e.task.task_id == task.task_id]
    assert mine == [
        (pb.TaskEvent.KIND_CHANGED, pb.TASK_STATUS_STARTING),
        (pb.TaskEvent.KIND_CHANGED, pb.TASK_STATUS_CANCELLED),
        (pb.TaskEvent.KIND_DELETED, pb.TASK_STATUS_CANCELLED),
    ]


def test_watch_tasks_shows_only_the_callers_tasks(idle: RunningServer) -> None:
    bob = idle.create_api_key("bob-watch")
    with open_channel(idle.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        seen: list[pb.TaskEvent] = []
        dashboard = stub.WatchTasks(pb.WatchTasksRequest(), metadata=auth(bob), timeout=30)
        reader = threading.Thread(target=collect, args=(dashboard, seen), daemon=True)
        reader.start()
        alice_task = create(stub, idle.api_key, PDF)
        bob_task = create(stub, bob, PDF)
        wait_until(lambda: any(e.task.task_id == bob_task.task_id for e in seen), timeout=30)
        dashboard.cancel()
    assert alice_task.task_id not in {e.task.task_id for e in seen}
    assert all(e.task.status not in TERMINAL for e in seen)
