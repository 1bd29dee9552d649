"""AsyncTaskClient against a real server: every method, concurrency, and the
exceptions it shares with the sync client."""

from __future__ import annotations

import asyncio

import pytest

from client import (
    AsyncTaskClient,
    EventKind,
    InvalidArgument,
    InvalidTaskState,
    Status,
    TaskNotFound,
    Unauthenticated,
    WatchEvent,
)
from client.errors import DeadlineExceeded
from tests.harness import CORPUS, RunningServer

PDF = CORPUS / "pdf" / "multi_page.pdf"
DOCUMENTS = [CORPUS / "pdf" / "multi_page.pdf", CORPUS / "pdf" / "normal_4pages.pdf", CORPUS / "office" / "word_sample.docx"]


async def test_many_documents_at_once_through_their_whole_lifecycle(server: RunningServer) -> None:
    async with AsyncTaskClient(server.grpc_address, server.api_key) as client:
        created = await asyncio.gather(*(client.create(path, target_length=256) for path in DOCUMENTS))
        assert all(t.status is Status.STARTING for t in created)
        done = await asyncio.gather(*(client.wait(t.task_id, timeout=180) for t in created))
        assert [t.status for t in done] == [Status.SUCCEEDED] * len(DOCUMENTS), [t.message for t in done]
        assert [t.file_name for t in done] == [p.name for p in DOCUMENTS]
        assert all(t.markdown() for t in done)

        first = done[0]
        fetched = await client.get(first.task_id, include_chunks=False)
        assert fetched.status is Status.SUCCEEDED and not fetched.chunks
        listed = [t.task_id async for t in client.list(status="succeeded")]
        assert {t.task_id for t in done} <= set(listed)

        await client.update(first.task_id, target_length=0)
        events = [e async for e in client.watch(first.task_id, timeout=180)]
        assert events[0].kind is EventKind.SNAPSHOT and events[-1].task.status is Status.SUCCEEDED
        updated = await client.get(first.task_id)
        assert updated.proto.configuration.chunk_processing.target_length == 0

        await asyncio.gather(*(client.delete(t.task_id) for t in done))
        with pytest.raises(TaskNotFound, match="^Task not found$"):
            await client.get(first.task_id)


async def test_cancel_watch_and_state_errors(idle: RunningServer) -> None:
    async with AsyncTaskClient(idle.grpc_address, idle.create_api_key("async-cancel")) as client:
        task = await client.create(PDF)
        seen: list[WatchEvent] = []
        snapshot = asyncio.Event()

        async def follow() -> None:
            async for event in client.watch(task.task_id):
                seen.append(event)
                snapshot.set()

        watching = asyncio.create_task(follow())
        await asyncio.wait_for(snapshot.wait(), 30)
        with pytest.raises(InvalidTaskState, match="^Task cannot be deleted: status is Starting$"):
            await client.delete(task.task_id)
        assert (await client.cancel(task.task_id)).status is Status.CANCELLED
        await asyncio.wait_for(watching, 30)
        assert [(e.kind, e.task.status) for e in seen] == [
            (EventKind.SNAPSHOT, Status.STARTING),
            (EventKind.CHANGED, Status.CANCELLED),
        ]
        with pytest.raises(InvalidTaskState, match="^Task cannot be cancelled: status is Cancelled$"):
            await client.cancel(task.task_id)
        with pytest.raises(InvalidTaskState, match="^Task cannot be updated: status is Cancelled$"):
            await client.update(task.task_id, target_length=1)
        await client.delete(task.task_id)


async def test_async_errors_carry_the_server_message(idle: RunningServer) -> None:
    async with AsyncTaskClient(idle.grpc_address, idle.create_api_key("async-errors")) as client:
        with pytest.raises(InvalidArgument, match="^Invalid task id: 'x'$"):
            await client.get("x")
        with pytest.raises(InvalidArgument, match="^File is empty$"):
            await client.create(b"")
        task = await client.create(PDF)
        with pytest.raises(DeadlineExceeded):
            await client.wait(task.task_id, timeout=0.5)
        await client.cancel(task.task_id)
    async with AsyncTaskClient(idle.grpc_address, "wrong") as stranger:
        with pytest.raises(Unauthenticated, match="^Invalid API key$"):
            await stranger.get(task.task_id)
