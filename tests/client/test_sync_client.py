"""TaskClient against a real server: every method, and each exception with
the server's own message."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from client import (
    EventKind,
    InvalidArgument,
    InvalidTaskState,
    RetryPolicy,
    Status,
    TaskClient,
    TaskNotFound,
    Unauthenticated,
    Unavailable,
)
from client.errors import DeadlineExceeded
from protos import tasks_pb2 as pb
from tests.client.calls import CallCounter
from tests.harness import CORPUS, RunningServer, free_port

PDF = CORPUS / "pdf" / "multi_page.pdf"


def test_create_passes_options_and_a_configuration(idle_client: TaskClient) -> None:
    created = idle_client.create(
        PDF, configuration=pb.Configuration(high_resolution=False), target_length=128, ocr_strategy="all"
    )
    assert created.status is Status.STARTING
    configuration = created.proto.configuration
    assert configuration.chunk_processing.target_length == 128
    assert configuration.ocr_strategy == pb.OCR_STRATEGY_ALL
    assert configuration.high_resolution is False
    assert configuration.chunk_processing.tokenizer == "Word"  # the server's default filled in
    idle_client.cancel(created.task_id)


def test_create_wait_get_from_a_path(client: TaskClient) -> None:
    created = client.create(PDF, target_length=128)
    done = client.wait(created.task_id, timeout=120)
    assert done.status is Status.SUCCEEDED, done.message
    assert done.page_count == 5 and done.file_name == "multi_page.pdf"
    assert done.chunks and all(c.chunk_length <= 128 * 2 for c in done.chunks)
    assert "predates modern computers" in done.markdown()
    assert done.markdown().startswith("#")
    assert done.html().startswith("<") and done.content()

    summary = client.get(created.task_id, include_chunks=False)
    assert summary.status is Status.SUCCEEDED and not summary.chunks


def test_create_from_bytes_and_from_an_open_file(client: TaskClient) -> None:
    from_bytes = client.create(PDF.read_bytes(), file_name="bytes.pdf")
    with PDF.open("rb") as handle:
        from_file = client.create(handle)
    assert client.wait(from_bytes.task_id, timeout=120).file_name == "bytes.pdf"
    assert client.wait(from_file.task_id, timeout=120).file_name == "multi_page.pdf"


def test_update_reprocesses_with_the_new_configuration(client: TaskClient) -> None:
    task = client.wait(client.create(PDF, target_length=512).task_id, timeout=120)
    updated = client.update(task.task_id, target_length=0)
    assert updated.status is Status.STARTING
    again = client.wait(task.task_id, timeout=120)
    assert again.status is Status.SUCCEEDED
    assert again.proto.configuration.chunk_processing.target_length == 0
    assert len(again.chunks) > len(task.chunks)  # 0 = one segment per chunk
    with pytest.raises(InvalidArgument, match="must be different"):
        client.update(task.task_id, target_length=0)


def test_watch_reports_snapshot_then_changes_until_succeeded(client: TaskClient) -> None:
    task = client.create(PDF)
    events = list(client.watch(task.task_id, timeout=120))
    assert events[0].kind is EventKind.SNAPSHOT
    assert all(e.kind is EventKind.CHANGED for e in events[1:])
    assert not any(e.reconnected for e in events)
    assert events[-1].task.status is Status.SUCCEEDED and events[-1].final
    assert events[-1].task.progress.pages_done == events[-1].task.progress.pages_total == 5
    # watching a finished task: its snapshot is the whole stream
    assert [e.task.status for e in client.watch(task.task_id)] == [Status.SUCCEEDED]


def test_delete_then_not_found(client: TaskClient) -> None:
    task = client.wait(client.create(PDF).task_id, timeout=120)
    client.delete(task.task_id)
    with pytest.raises(TaskNotFound, match="^Task not found$"):
        client.get(task.task_id)
    with pytest.raises(TaskNotFound, match="^Task not found$"):
        client.delete(task.task_id)  # a first attempt's NOT_FOUND is reported
    with pytest.raises(TaskNotFound):
        client.wait(task.task_id)


def test_cancel_a_starting_task_and_the_state_errors(idle_client: TaskClient) -> None:
    task = idle_client.create(PDF)
    with pytest.raises(InvalidTaskState, match="^Task cannot be deleted: status is Starting$"):
        idle_client.delete(task.task_id)
    cancelled = idle_client.cancel(task.task_id)
    assert cancelled.status is Status.CANCELLED
    assert [e.task.status for e in idle_client.watch(task.task_id)] == [Status.CANCELLED]
    assert idle_client.wait(task.task_id).status is Status.CANCELLED
    with pytest.raises(InvalidTaskState, match="^Task cannot be cancelled: status is Cancelled$"):
        idle_client.cancel(task.task_id)
    with pytest.raises(InvalidTaskState, match="^Task cannot be updated: status is Cancelled$"):
        idle_client.update(task.task_id, target_length=5)
    idle_client.delete(task.task_id)


def test_wait_gives_up_at_its_timeout(idle_client: TaskClient) -> None:
    task = idle_client.create(PDF)  # no worker: it stays Starting
    with pytest.raises(DeadlineExceeded) as raised:
        idle_client.wait(task.task_id, timeout=0.5)
    assert isinstance(raised.value, TimeoutError)
    idle_client.cancel(task.task_id)


def test_invalid_arguments_carry_the_server_message(client: TaskClient) -> None:
    with pytest.raises(InvalidArgument, match="^Invalid task id: 'nope'$"):
        client.get("nope")
    with pytest.raises(InvalidArgument, match="^File is empty$"):
        client.create(b"")
    with pytest.raises(InvalidArgument, match="^Unsupported file type"):
        client.create(bytes(range(256)) * 4, file_name="a.bin")


def test_a_wrong_or_missing_key_is_unauthenticated(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with TaskClient(server.grpc_address, "not-a-key") as stranger, pytest.raises(Unauthenticated, match="^Invalid API key$"):
        stranger.get("00000000-0000-0000-0000-000000000000")
    monkeypatch.delenv("CHUNKD_API_KEY", raising=False)
    with TaskClient(server.grpc_address) as anonymous, pytest.raises(Unauthenticated, match="Missing API key"):
        list(anonymous.list())


def test_another_owner_s_task_is_not_found(server: RunningServer, client: TaskClient) -> None:
    task = client.create(PDF)
    with TaskClient(server.grpc_address, server.create_api_key("mallory")) as other:
        with pytest.raises(TaskNotFound):
            other.get(task.task_id)
        with pytest.raises(TaskNotFound):
            other.cancel(task.task_id)


def test_settings_come_from_the_environment(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUNKD_ADDRESS", server.grpc_address)
    monkeypatch.setenv("CHUNKD_API_KEY", server.api_key)
    with TaskClient() as chunkd:
        task = chunkd.create(PDF)
        assert chunkd.get(task.task_id, include_chunks=False).task_id == task.task_id


def test_reads_are_retried_when_nothing_listens_and_creates_are_not() -> None:
    counter = CallCounter()
    address = f"127.0.0.1:{free_port()}"  # nothing listens here
    with grpc.insecure_channel(address) as channel:
        chunkd = TaskClient(
            address, "key", retry=RetryPolicy(attempts=3, initial_backoff=0.01), channel=grpc.intercept_channel(channel, counter)
        )
        with pytest.raises(Unavailable) as get_error:
            chunkd.get("00000000-0000-0000-0000-000000000000")
        assert get_error.value.attempts == 3
        with pytest.raises(Unavailable) as create_error:
            chunkd.create(b"%PDF-1.4")
        assert create_error.value.attempts == 1
        with pytest.raises(Unavailable) as update_error:
            chunkd.update("00000000-0000-0000-0000-000000000000", target_length=1)
        assert update_error.value.attempts == 1
        with pytest.raises(Unavailable):
            chunkd.cancel("00000000-0000-0000-0000-000000000000")
        with pytest.raises(Unavailable):
            chunkd.delete("00000000-0000-0000-0000-000000000000")
    assert counter.calls == ["GetTask"] * 3 + ["CreateTask", "UpdateTask"] + ["CancelTask"] * 3 + ["DeleteTask"] * 3


def test_the_client_closes_its_channel(server: RunningServer) -> None:
    with TaskClient(server.grpc_address, server.api_key) as chunkd:
        chunkd.get(chunkd.create(PDF).task_id, include_chunks=False)
    with pytest.raises(ValueError, match="closed"):
        chunkd.get("00000000-0000-0000-0000-000000000000")


def test_large_output_over_the_default_message_limit(client: TaskClient, tmp_path: Path) -> None:
    """A 300-page document's output with base64 page images is far past
    gRPC's 4 MiB default; the client's channel accepts it."""
    from tests.documents import long_pdf

    task = client.wait(client.create(long_pdf(tmp_path / "long.pdf", pages=60)).task_id, timeout=240)
    assert task.status is Status.SUCCEEDED
    with_images = client.get(task.task_id, base64_urls=True)
    assert with_images.proto.ByteSize() > 4 * 1024 * 1024
    assert with_images.proto.output.pages[0].image.startswith("data:")


def test_tls_when_asked_speaks_tls(server: RunningServer) -> None:
    """chunkd on loopback speaks plaintext, so a TLS client's handshake fails:
    proof that `tls=True` is not silently ignored."""
    secure = TaskClient(server.grpc_address, server.api_key, tls=True, retry=RetryPolicy(attempts=1))
    with secure, pytest.raises(Unavailable):
        secure.get("00000000-0000-0000-0000-000000000000")
