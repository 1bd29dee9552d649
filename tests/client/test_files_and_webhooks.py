"""The client's Files and Webhooks methods, sync and async, against a live
server (worker and gateway on, private webhook targets allowed)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from svix.webhooks import Webhook as Verifier

from client import (
    AsyncTaskClient,
    FileNotFound,
    InvalidArgument,
    NotFound,
    Status,
    TaskClient,
    TaskNotFound,
    WebhookNotFound,
)
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import wait_until
from tests.test_webhooks import Receiver, receiver  # noqa: F401  the fixture: a webhook receiver on loopback

PDF = CORPUS / "pdf" / "multi_page.pdf"


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("client-files"), {"CHUNKD_ALLOW_PRIVATE_URLS": "true"})
    yield running
    running.stop()


@pytest.fixture
def chunkd(open_server: RunningServer) -> Iterator[TaskClient]:
    with TaskClient(open_server.grpc_address, open_server.create_api_key(f"files-{uuid.uuid4().hex[:8]}")) as client:
        yield client


def test_a_file_uploaded_once_is_read_listed_downloaded_and_parsed_without_a_second_upload(chunkd: TaskClient) -> None:
    stored = chunkd.upload_file(PDF, metadata={"team": "ops"})
    assert (stored.file_name, stored.content_type, stored.file_size) == (PDF.name, "application/pdf", PDF.stat().st_size)
    assert stored.metadata == {"team": "ops"} and stored.url == f"ch://files/{stored.file_id}"
    assert chunkd.get_file(stored.file_id) == stored
    assert chunkd.file_content(stored.file_id) == PDF.read_bytes()
    signed = chunkd.file_url(stored.file_id)
    assert signed.expires_at is not None and httpx.get(signed.url).content == PDF.read_bytes()
    for source in (stored, stored.url):
        task = chunkd.wait(chunkd.create(source).task_id, timeout=120)
        assert task.status is Status.SUCCEEDED and task.file_name == PDF.name and task.page_count >= 2


def test_listing_files_follows_the_cursor_and_delete_is_final(chunkd: TaskClient) -> None:
    uploaded = [chunkd.upload_file(f"text {n}".encode(), file_name=f"{n}.txt").file_id for n in range(3)]
    assert [f.file_id for f in chunkd.list_files(page_size=1)] == uploaded[::-1]
    chunkd.delete_file(uploaded[0])
    with pytest.raises(FileNotFound) as missing:
        chunkd.get_file(uploaded[0])
    assert isinstance(missing.value, NotFound) and not isinstance(missing.value, TaskNotFound)
    with pytest.raises(FileNotFound):
        chunkd.delete_file(uploaded[0])  # a first attempt that finds nothing is the caller's error
    assert [f.file_id for f in chunkd.list_files()] == uploaded[:0:-1]


def test_another_owners_file_is_not_found(chunkd: TaskClient, open_server: RunningServer) -> None:
    stored = chunkd.upload_file(b"mine", file_name="mine.txt")
    with (
        TaskClient(open_server.grpc_address, open_server.create_api_key("stranger")) as stranger,
        pytest.raises(FileNotFound),
    ):
        stranger.file_content(stored.file_id)


def test_a_webhook_registered_by_the_client_receives_signed_task_changes(
    chunkd: TaskClient, receiver: Receiver  # noqa: F811
) -> None:
    hook = chunkd.create_webhook(receiver.url, event_types=["task.parse.updated"])
    assert hook.secret.startswith("whsec_") and hook.event_types == ["task.parse.updated"]
    assert chunkd.get_webhook(hook.webhook_id) == hook and chunkd.list_webhooks() == [hook]
    task = chunkd.wait(chunkd.create(PDF).task_id, timeout=120)
    wait_until(lambda: any(json.loads(body)["status"] == "Succeeded" for _, body, _ in receiver.attempts), timeout=60)
    for headers, body, _ in receiver.attempts:
        Verifier(hook.secret).verify(body.decode(), headers)  # raises on a bad signature
        assert json.loads(body)["task_id"] == task.task_id
    chunkd.delete_webhook(hook.webhook_id)
    with pytest.raises(WebhookNotFound):
        chunkd.get_webhook(hook.webhook_id)
    assert chunkd.list_webhooks() == []
    with pytest.raises(InvalidArgument, match="Unknown event type"):
        chunkd.create_webhook(receiver.url, event_types=["task.exploded"])


async def test_the_async_twins(open_server: RunningServer) -> None:
    async with AsyncTaskClient(open_server.grpc_address, open_server.create_api_key("async-files")) as chunkd:
        stored = await chunkd.upload_file(PDF, metadata={"n": 1})
        assert (await chunkd.get_file(stored.file_id)) == stored
        assert [f.file_id async for f in chunkd.list_files(page_size=1)] == [stored.file_id]
        assert await chunkd.file_content(stored.file_id) == PDF.read_bytes()
        assert (await chunkd.file_url(stored.file_id)).url.startswith("http")
        task = await chunkd.create(stored)
        assert (await chunkd.wait(task.task_id, timeout=120)).status is Status.SUCCEEDED
        await chunkd.delete_file(stored.file_id)
        with pytest.raises(FileNotFound):
            await chunkd.get_file(stored.file_id)
        hook = await chunkd.create_webhook("http://127.0.0.1:9/hook")
        assert [h.webhook_id for h in await chunkd.list_webhooks()] == [hook.webhook_id]
        assert (await chunkd.get_webhook(hook.webhook_id)).secret == hook.secret
        await chunkd.delete_webhook(hook.webhook_id)
        with pytest.raises(WebhookNotFound):
            await chunkd.delete_webhook(hook.webhook_id)
