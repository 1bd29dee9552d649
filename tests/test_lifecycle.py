"""The task state machine from the seeds, driven over real gRPC against a
server whose worker is off (tasks stay Starting until a test lets one run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, claim, create, open_channel, rpc_error, wait_terminal, wait_until

PDF = CORPUS / "pdf" / "multi_page.pdf"


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("idle"), None, "--no-worker", "--no-gateway")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def idle_stub(idle: RunningServer) -> Iterator[tasks_pb2_grpc.TaskServiceStub]:
    with open_channel(idle.grpc_address) as channel:
        yield tasks_pb2_grpc.TaskServiceStub(channel)


def process_queue(idle: RunningServer, stub: tasks_pb2_grpc.TaskServiceStub, task_id: str) -> pb.Task:
    """Lets a real worker process run until the task is finished."""
    worker = idle.spawn_worker()
    try:
        return wait_terminal(stub, idle.api_key, task_id)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_new_task_is_starting_with_defaults_filled_in(idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub) -> None:
    task = create(idle_stub, idle.api_key, PDF)
    assert task.status == pb.TASK_STATUS_STARTING
    assert task.configuration.chunk_processing.target_length == 512
    assert task.configuration.chunk_processing.tokenizer == "Word"
    assert task.configuration.chunk_processing.ignore_headers_and_footers is True
    assert task.configuration.ocr_strategy == pb.OCR_STRATEGY_AUTO
    assert task.configuration.segmentation_strategy == pb.SEGMENTATION_STRATEGY_LAYOUT_ANALYSIS
    assert task.configuration.segment_processing.table.format == pb.SEGMENT_FORMAT_HTML
    assert task.configuration.segment_processing.text.format == pb.SEGMENT_FORMAT_MARKDOWN
    assert task.created_at.seconds > 0 and not task.HasField("finished_at")


def test_cancel_a_starting_task_makes_it_cancelled_and_it_never_runs(
    idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub
) -> None:
    task = create(idle_stub, idle.api_key, PDF)
    cancelled = idle_stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=auth(idle.api_key))
    assert cancelled.status == pb.TASK_STATUS_CANCELLED
    assert cancelled.HasField("finished_at")
    assert task.task_id not in {c.task.id for c in claim(idle)}
    again = rpc_error(lambda: idle_stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=auth(idle.api_key)))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert again.details() == "Task cannot be cancelled: status is Cancelled"


def test_cancel_a_processing_task_is_refused(idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub) -> None:
    task = create(idle_stub, idle.api_key, PDF)
    assert task.task_id in {c.task.id for c in claim(idle)}
    error = rpc_error(lambda: idle_stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=auth(idle.api_key)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == "Task cannot be cancelled: status is Processing"


def test_delete_only_succeeded_failed_or_cancelled(idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub) -> None:
    key = auth(idle.api_key)
    starting = create(idle_stub, idle.api_key, PDF)
    error = rpc_error(lambda: idle_stub.DeleteTask(pb.DeleteTaskRequest(task_id=starting.task_id), metadata=key))
    assert (error.code(), error.details()) == (grpc.StatusCode.FAILED_PRECONDITION, "Task cannot be deleted: status is Starting")

    claim(idle)
    error = rpc_error(lambda: idle_stub.DeleteTask(pb.DeleteTaskRequest(task_id=starting.task_id), metadata=key))
    assert error.details() == "Task cannot be deleted: status is Processing"

    cancelled = create(idle_stub, idle.api_key, PDF)
    idle_stub.CancelTask(pb.CancelTaskRequest(task_id=cancelled.task_id), metadata=key)
    idle_stub.DeleteTask(pb.DeleteTaskRequest(task_id=cancelled.task_id), metadata=key)
    gone = rpc_error(lambda: idle_stub.GetTask(pb.GetTaskRequest(task_id=cancelled.task_id), metadata=key))
    assert (gone.code(), gone.details()) == (grpc.StatusCode.NOT_FOUND, "Task not found")
    assert not (idle.data_dir / "blobs" / "tasks" / cancelled.task_id).exists()


def test_update_reprocesses_and_cancelling_the_update_reverts(
    idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub
) -> None:
    key = auth(idle.api_key)
    task = create(idle_stub, idle.api_key, PDF)
    done = process_queue(idle, idle_stub, task.task_id)
    assert done.status == pb.TASK_STATUS_SUCCEEDED
    assert done.output.chunks

    same = rpc_error(
        lambda: idle_stub.UpdateTask(
            pb.UpdateTaskRequest(
                task_id=task.task_id, configuration=pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=512))
            ),
            metadata=key,
        )
    )
    assert same.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "different" in same.details()

    change = pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=40))
    updating = idle_stub.UpdateTask(pb.UpdateTaskRequest(task_id=task.task_id, configuration=change), metadata=key)
    assert updating.status == pb.TASK_STATUS_STARTING
    assert updating.configuration.chunk_processing.target_length == 40
    assert updating.configuration.chunk_processing.tokenizer == "Word"  # the rest is kept

    reverted = idle_stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=key)
    assert reverted.status == pb.TASK_STATUS_SUCCEEDED
    assert reverted.configuration.chunk_processing.target_length == 512
    again = idle_stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=key)
    assert again.finished_at == done.finished_at
    assert [c.chunk_length for c in again.output.chunks] == [c.chunk_length for c in done.output.chunks]

    idle_stub.UpdateTask(pb.UpdateTaskRequest(task_id=task.task_id, configuration=change), metadata=key)
    redone = process_queue(idle, idle_stub, task.task_id)
    assert redone.status == pb.TASK_STATUS_SUCCEEDED
    assert redone.configuration.chunk_processing.target_length == 40
    assert len(redone.output.chunks) > len(done.output.chunks)  # re-chunked at the new length


def test_update_only_succeeded_or_failed(idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub) -> None:
    task = create(idle_stub, idle.api_key, PDF)
    change = pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=40))
    error = rpc_error(
        lambda: idle_stub.UpdateTask(pb.UpdateTaskRequest(task_id=task.task_id, configuration=change), metadata=auth(idle.api_key))
    )
    assert (error.code(), error.details()) == (grpc.StatusCode.FAILED_PRECONDITION, "Task cannot be updated: status is Starting")


def test_tasks_belong_to_their_owner(idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub) -> None:
    bob = idle.create_api_key("bob")
    task = create(idle_stub, idle.api_key, PDF)
    for call in (
        lambda: idle_stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=auth(bob)),
        lambda: idle_stub.CancelTask(pb.CancelTaskRequest(task_id=task.task_id), metadata=auth(bob)),
        lambda: idle_stub.DeleteTask(pb.DeleteTaskRequest(task_id=task.task_id), metadata=auth(bob)),
    ):
        assert rpc_error(call).code() == grpc.StatusCode.NOT_FOUND
    listed = idle_stub.ListTasks(pb.ListTasksRequest(page_size=1000), metadata=auth(bob))
    assert task.task_id not in {t.task_id for t in listed.tasks}
    # a second key of the same owner sees the task
    alice2 = idle.create_api_key("alice")
    assert idle_stub.GetTask(pb.GetTaskRequest(task_id=task.task_id), metadata=auth(alice2)).task_id == task.task_id


def test_api_key_as_bearer_or_bare_and_nothing_without_one(
    idle: RunningServer, idle_stub: tasks_pb2_grpc.TaskServiceStub
) -> None:
    for header in (idle.api_key, f"Bearer {idle.api_key}"):
        idle_stub.ListTasks(pb.ListTasksRequest(limit=1), metadata=[("authorization", header)])
    missing = rpc_error(lambda: idle_stub.ListTasks(pb.ListTasksRequest(limit=1)))
    assert missing.code() == grpc.StatusCode.UNAUTHENTICATED
    wrong = rpc_error(lambda: idle_stub.ListTasks(pb.ListTasksRequest(limit=1), metadata=auth("ck_not-a-key")))
    assert (wrong.code(), wrong.details()) == (grpc.StatusCode.UNAUTHENTICATED, "Invalid API key")


def test_keys_are_stored_hashed(idle: RunningServer) -> None:
    import sqlite3

    with sqlite3.connect(idle.data_dir / "chunkd.db") as db:
        stored = [row[0] for row in db.execute("SELECT key_hash FROM api_keys")]
    assert stored and idle.api_key not in stored and all(len(h) == 64 for h in stored)


def test_list_newest_first_with_page_and_limit_and_keyset(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "list", None, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            key = auth(server.api_key)
            created = [create(stub, server.api_key, PDF).task_id for _ in range(7)]
            newest_first = list(reversed(created))
            page2 = stub.ListTasks(pb.ListTasksRequest(page=2, limit=3), metadata=key)
            assert [t.task_id for t in page2.tasks] == newest_first[3:6]
            seen: list[str] = []
            token = ""
            while True:
                reply = stub.ListTasks(pb.ListTasksRequest(page_size=2, page_token=token), metadata=key)
                seen += [t.task_id for t in reply.tasks]
                token = reply.next_page_token
                if not token:
                    break
            assert seen == newest_first
            first = stub.GetTask(pb.GetTaskRequest(task_id=created[0]), metadata=key)
            last = stub.GetTask(pb.GetTaskRequest(task_id=created[-1]), metadata=key)
            window = stub.ListTasks(
                pb.ListTasksRequest(page_size=100, start=first.created_at, end=last.created_at), metadata=key
            )
            assert {t.task_id for t in window.tasks} == set(created)
            after = stub.ListTasks(pb.ListTasksRequest(page_size=100, start=last.created_at), metadata=key)
            assert [t.task_id for t in after.tasks] == [created[-1]]
            stub.CancelTask(pb.CancelTaskRequest(task_id=created[2]), metadata=key)
            only = stub.ListTasks(pb.ListTasksRequest(statuses=[pb.TASK_STATUS_CANCELLED]), metadata=key)
            assert [t.task_id for t in only.tasks] == [created[2]]
    finally:
        server.stop()


def test_chunkd_run_worker_false_serves_without_a_worker(tmp_path: Path) -> None:
    server = start_server(tmp_path / "no-worker", {"CHUNKD_RUN_WORKER": "false"}, "--no-gateway")
    try:
        log = wait_until(lambda: (text := server.log()) and "chunkd: ready" in text and text)
        assert "worker running" not in log
    finally:
        server.stop()
