"""Every corpus document through the running service, end to end: the good
ones succeed with segments, the bad ones fail their task with a readable
message (or are refused at the door), and the worker survives them all."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS, RunningServer
from tests.support import create, rpc_error, wait_terminal

GOOD = sorted(
    p for folder in ("pdf", "html", "office", "ocr") for p in (CORPUS / folder).iterdir() if p.is_file()
)
BAD_MESSAGES = {
    "truncated.pdf": "damaged",
    "not_a_pdf.pdf": "",  # refused at creation or failed: either way, a clear message
    "password_protected.pdf": "password",
}


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_corpus_document_succeeds_with_segments(
    path: Path, stub: tasks_pb2_grpc.TaskServiceStub, api_key: str
) -> None:
    task = wait_terminal(stub, api_key, create(stub, api_key, path).task_id, timeout=300)
    assert task.status == pb.TASK_STATUS_SUCCEEDED, task.message
    segments = [s for chunk in task.output.chunks for s in chunk.segments]
    assert segments, "no segments"
    assert task.output.page_count >= 1
    if path.parent.name != "ocr":
        assert sum(len(s.content) for s in segments) > 100, "hardly any text"
    assert all(s.page_width > 0 and s.page_height > 0 for s in segments)


@pytest.mark.parametrize("name", sorted(BAD_MESSAGES))
def test_bad_document_fails_cleanly(name: str, stub: tasks_pb2_grpc.TaskServiceStub, api_key: str, server: RunningServer) -> None:
    path = CORPUS / "bad" / name
    try:
        task = create(stub, api_key, path)
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert "Unsupported file type" in exc.details()  # type: ignore[attr-defined]
        return
    done = wait_terminal(stub, api_key, task.task_id, timeout=120)
    assert done.status == pb.TASK_STATUS_FAILED
    assert BAD_MESSAGES[name] in done.message.lower()
    assert "Traceback" not in done.message and "File \"" not in done.message
    assert server.process is not None and server.process.poll() is None


def test_empty_file_is_refused_at_creation(stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    error = rpc_error(lambda: create(stub, api_key, CORPUS / "bad" / "empty.pdf"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "File is empty"


def test_worker_still_processes_after_the_bad_ones(stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    for name in ("truncated.pdf", "password_protected.pdf"):
        create(stub, api_key, CORPUS / "bad" / name)
    task = wait_terminal(stub, api_key, create(stub, api_key, CORPUS / "pdf" / "multi_page.pdf").task_id)
    assert task.status == pb.TASK_STATUS_SUCCEEDED
