"""Bad requests get a clear message and the right code; the server keeps serving."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer
from tests.support import auth, open_channel, rpc_error

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def ts(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


CASES: list[tuple[str, Callable[[tasks_pb2_grpc.TaskServiceStub, list[tuple[str, str]]], object], grpc.StatusCode, str]] = [
    ("unknown id", lambda s, k: s.GetTask(pb.GetTaskRequest(task_id=UNKNOWN), metadata=k), grpc.StatusCode.NOT_FOUND, "Task not found"),
    ("malformed id", lambda s, k: s.GetTask(pb.GetTaskRequest(task_id="../../etc/passwd"), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Invalid task id"),
    ("empty id", lambda s, k: s.CancelTask(pb.CancelTaskRequest(task_id=""), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "task_id is required"),
    ("cancel unknown", lambda s, k: s.CancelTask(pb.CancelTaskRequest(task_id=UNKNOWN), metadata=k), grpc.StatusCode.NOT_FOUND, "Task not found"),
    ("delete unknown", lambda s, k: s.DeleteTask(pb.DeleteTaskRequest(task_id=UNKNOWN), metadata=k), grpc.StatusCode.NOT_FOUND, "Task not found"),
    ("page without limit", lambda s, k: s.ListTasks(pb.ListTasksRequest(page=1), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Limit is required when page is provided"),
    ("negative limit", lambda s, k: s.ListTasks(pb.ListTasksRequest(page=1, limit=-5), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Limit must be between"),
    ("page zero", lambda s, k: s.ListTasks(pb.ListTasksRequest(page=0, limit=5), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Page must be 1 or greater"),
    ("negative page_size", lambda s, k: s.ListTasks(pb.ListTasksRequest(page_size=-1), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "page_size"),
    ("forged page token", lambda s, k: s.ListTasks(pb.ListTasksRequest(page_token="bm9wZQ"), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Invalid page_token"),
    ("start after end", lambda s, k: s.ListTasks(pb.ListTasksRequest(start=ts(2_000_000_000), end=ts(1_000_000_000)), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "start must not be after end"),
    ("invalid status filter", lambda s, k: s.ListTasks(pb.ListTasksRequest(statuses=[42]), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Invalid status"),
    ("invalid ocr_strategy", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=b"hello", configuration=pb.Configuration(ocr_strategy=99)), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Invalid ocr_strategy: 99"),
    ("invalid crop_image", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=b"hello", configuration=pb.Configuration(segment_processing=pb.SegmentProcessing(table=pb.GenerationConfig(crop_image=7)))), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Invalid segment_processing.table.crop_image: 7"),
    ("negative target_length", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=b"hello", configuration=pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=-1))), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "target_length"),
    ("negative expires_in", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=b"hello", configuration=pb.Configuration(expires_in=-1)), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "expires_in"),
    ("empty file", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=b"", file_name="empty.pdf"), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "File is empty"),
    ("no source", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file_name="x.pdf"), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "A file or a url is required"),
    ("binary junk", lambda s, k: s.CreateTask(pb.CreateTaskRequest(file=bytes(range(256)) * 4, file_name="x.pdf"), metadata=k), grpc.StatusCode.INVALID_ARGUMENT, "Unsupported file type: application/octet-stream"),
    ("update unknown", lambda s, k: s.UpdateTask(pb.UpdateTaskRequest(task_id=UNKNOWN), metadata=k), grpc.StatusCode.NOT_FOUND, "Task not found"),
    ("watch unknown", lambda s, k: list(s.WatchTask(pb.WatchTaskRequest(task_id=UNKNOWN), metadata=k)), grpc.StatusCode.NOT_FOUND, "Task not found"),
    ("watch malformed", lambda s, k: list(s.WatchTask(pb.WatchTaskRequest(task_id="nope"), metadata=k)), grpc.StatusCode.INVALID_ARGUMENT, "Invalid task id"),
]


@pytest.mark.parametrize(("name", "call", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_request_gets_a_clear_error(
    stub: tasks_pb2_grpc.TaskServiceStub, api_key: str, name: str, call, code: grpc.StatusCode, message: str  # type: ignore[no-untyped-def]
) -> None:
    error = rpc_error(lambda: call(stub, auth(api_key)))
    assert error.code() == code, error.details()
    assert message in error.details()
    assert "Traceback" not in error.details()


def test_the_empty_pdf_from_the_corpus_is_refused(stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    error = rpc_error(
        lambda: stub.CreateTask(
            pb.CreateTaskRequest(file=(CORPUS / "bad" / "empty.pdf").read_bytes(), file_name="empty.pdf"), metadata=auth(api_key)
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_file_over_the_size_limit_is_resource_exhausted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.harness import start_server

    server = start_server(tmp_path / "small", {"CHUNKD_MAX_FILE_SIZE": "1000"}, "--no-worker", "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            error = rpc_error(
                lambda: stub.CreateTask(pb.CreateTaskRequest(file=b"a" * 5000), metadata=auth(server.api_key))
            )
            assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    finally:
        server.stop()


def test_server_keeps_serving_after_bad_requests(server: RunningServer, stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    for _, call, _, _ in CASES:
        rpc_error(lambda: call(stub, auth(api_key)))  # noqa: B023 (called at once)
    with open_channel(server.grpc_address) as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="chunkd.v1.TaskService"))
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert server.process is not None and server.process.poll() is None
