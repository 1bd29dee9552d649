"""AsyncTaskClient: the asyncio twin of TaskClient, on grpc.aio. Same
methods, retries and reconnects (client.retry, client.watching); only the
waiting is awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Self, TypeVar

import grpc
import grpc.aio
from typing_extensions import Unpack

from client.base import ClientBase, StatusFilter
from client.errors import (
    FileNotFound,
    InvalidTaskState,
    NotFound,
    TaskNotFound,
    WebhookNotFound,
)
from client.listing import AsyncListing
from client.requests import (
    ConfigOptions,
    Content,
    Since,
    Source,
    build_configuration,
    create_request,
    upload_request,
)
from client.retry import Attempts
from client.views import (
    EventKind,
    FileView,
    SignedUrl,
    TaskView,
    WatchEvent,
    WebhookView,
)
from client.watching import WatchSession
from protos import tasks_pb2 as pb

Response = TypeVar("Response")


class AsyncTaskClient(ClientBase[grpc.aio.Channel]):
    """`async with AsyncTaskClient() as chunkd: await chunkd.wait(task_id)`.
    Create it inside the event loop that uses it."""

    def _open_channel(self) -> grpc.aio.Channel:
        return self.settings.aio_channel()

    async def close(self) -> None:
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(
        self,
        method: Callable[..., Awaitable[Response]],
        request: object,
        timeout: float,
        *,
        retry: bool,
        not_found: type[NotFound] = TaskNotFound,
    ) -> Response:
        attempts = Attempts(self.settings.retry, retry=retry, not_found=not_found)
        while True:
            try:
                return await method(request, metadata=self.settings.metadata, timeout=timeout)
            except grpc.RpcError as error:
                await asyncio.sleep(attempts.failed(error))

    async def create(
        self,
        source: Source,
        *,
        file_name: str | None = None,
        configuration: pb.Configuration | None = None,
        timeout: float | None = None,
        **options: Unpack[ConfigOptions],
    ) -> TaskView:
        """As TaskClient.create; the file is read off the event loop."""
        configuration = build_configuration(configuration, **options)
        request = await asyncio.to_thread(create_request, source, file_name, configuration)
        deadline = timeout or self.settings.deadlines.create
        return TaskView(await self._call(self._stub.CreateTask, request, deadline, retry=False))

    async def get(
        self, task_id: str, *, include_chunks: bool = True, base64_urls: bool = False, timeout: float | None = None
    ) -> TaskView:
        request = self._get_request(task_id, include_chunks, base64_urls)
        deadline = timeout or self.settings.deadlines.read
        return TaskView(await self._call(self._stub.GetTask, request, deadline, retry=True))

    def list(
        self,
        *,
        status: StatusFilter = None,
        since: Since | None = None,
        until: datetime | None = None,
        page_size: int = 100,
        include_chunks: bool = False,
        timeout: float | None = None,
    ) -> AsyncListing:
        """`async for task in chunkd.list(...)`; pages are fetched lazily."""

        async def fetch(request: pb.ListTasksRequest) -> pb.ListTasksResponse:
            reply: pb.ListTasksResponse = await self._call(
                self._stub.ListTasks, request, timeout or self.settings.deadlines.read, retry=True
            )
            return reply

        return AsyncListing(fetch, self._list_request(status, since, until, page_size, include_chunks))

    async def update(
        self,
        task_id: str,
        *,
        configuration: pb.Configuration | None = None,
        timeout: float | None = None,
        **options: Unpack[ConfigOptions],
    ) -> TaskView:
        request = self._update_request(task_id, configuration, options)
        deadline = timeout or self.settings.deadlines.write
        return TaskView(await self._call(self._stub.UpdateTask, request, deadline, retry=False))

    async def cancel(self, task_id: str, *, timeout: float | None = None) -> TaskView:
        request = pb.CancelTaskRequest(task_id=task_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            return TaskView(await self._call(self._stub.CancelTask, request, deadline, retry=True))
        except InvalidTaskState as error:
            current = await self.get(task_id, include_chunks=False) if error.attempts > 1 else None
            return self._cancel_was_ours(error, current)

    async def delete(self, task_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteTaskRequest(task_id=task_id)
        try:
            await self._call(self._stub.DeleteTask, request, timeout or self.settings.deadlines.write, retry=True)
        except TaskNotFound as error:
            self._delete_was_ours(error)

    async def watch(
        self, task_id: str, *, timeout: float | None = None, reconnect_for: float = 60.0
    ) -> AsyncIterator[WatchEvent]:
        """As TaskClient.watch."""
        session = WatchSession(task_id, self.settings.retry, timeout, reconnect_for)
        while True:
            stream = self._stub.WatchTask(session.request, metadata=self.settings.metadata, timeout=session.remaining())
            try:
                async for event in stream:
                    yield session.received(event)
                    if session.finished:
                        return
                reason = "the stream ended early"
            except grpc.RpcError as error:
                reason = session.lost(error)
            finally:
                stream.cancel()
            await asyncio.sleep(session.next_delay(reason))

    async def wait(self, task_id: str, timeout: float | None = None, *, include_chunks: bool = True) -> TaskView:
        """As TaskClient.wait."""
        last: WatchEvent | None = None
        async for event in self.watch(task_id, timeout=timeout):
            last = event
        if last is None or last.kind is EventKind.DELETED:
            raise TaskNotFound(f"Task {task_id} was deleted while waiting for it")
        return await self.get(task_id, include_chunks=include_chunks)

    # -- files (FileService) ------------------------------------------------

    async def upload_file(
        self,
        content: Content,
        *,
        file_name: str | None = None,
        metadata: dict[str, object] | None = None,
        timeout: float | None = None,
    ) -> FileView:
        """As TaskClient.upload_file; the file is read off the event loop."""
        request = await asyncio.to_thread(upload_request, content, file_name, metadata)
        deadline = timeout or self.settings.deadlines.create
        return FileView(
            await self._call(self._files.UploadFile, request, deadline, retry=False, not_found=FileNotFound)
        )

    async def get_file(self, file_id: str, *, timeout: float | None = None) -> FileView:
        request = pb.GetFileRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        return FileView(await self._call(self._files.GetFile, request, deadline, retry=True, not_found=FileNotFound))

    async def list_files(self, *, page_size: int = 100, timeout: float | None = None) -> AsyncIterator[FileView]:
        """Every stored file, newest first; pages are fetched as the iteration reaches them."""
        request = pb.ListFilesRequest(limit=page_size)
        while True:
            deadline = timeout or self.settings.deadlines.read
            reply = await self._call(self._files.ListFiles, request, deadline, retry=True, not_found=FileNotFound)
            for stored in reply.files:
                yield FileView(stored)
            if not reply.has_more:
                return
            request.cursor = reply.next_cursor

    async def file_content(self, file_id: str, *, timeout: float | None = None) -> bytes:
        request = pb.GetFileContentRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        reply = await self._call(self._files.GetFileContent, request, deadline, retry=True, not_found=FileNotFound)
        return reply.content  # type: ignore[no-any-return]

    async def file_url(self, file_id: str, *, timeout: float | None = None) -> SignedUrl:
        """A short-lived URL that downloads the file without an API key."""
        request = pb.GetFileUrlRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        return self._signed_url(
            await self._call(self._files.GetFileUrl, request, deadline, retry=True, not_found=FileNotFound)
        )

    async def delete_file(self, file_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteFileRequest(file_id=file_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            await self._call(self._files.DeleteFile, request, deadline, retry=True, not_found=FileNotFound)
        except FileNotFound as error:
            self._delete_was_ours(error)

    # -- webhooks (WebhookService) --------------------------------------------

    async def create_webhook(
        self, url: str, *, event_types: Sequence[str] = (), timeout: float | None = None
    ) -> WebhookView:
        """Registers an endpoint for the caller's task changes; its `secret` signs them.
        Never retried: a repeat would register it twice."""
        request = pb.CreateWebhookRequest(url=url, event_types=list(event_types))
        deadline = timeout or self.settings.deadlines.write
        return WebhookView(
            await self._call(self._webhooks.CreateWebhook, request, deadline, retry=False, not_found=WebhookNotFound)
        )

    async def get_webhook(self, webhook_id: str, *, timeout: float | None = None) -> WebhookView:
        request = pb.GetWebhookRequest(webhook_id=webhook_id)
        deadline = timeout or self.settings.deadlines.read
        return WebhookView(
            await self._call(self._webhooks.GetWebhook, request, deadline, retry=True, not_found=WebhookNotFound)
        )

    async def list_webhooks(self, *, timeout: float | None = None) -> Sequence[WebhookView]:
        """The caller's endpoints, oldest first."""
        request = pb.ListWebhooksRequest()
        deadline = timeout or self.settings.deadlines.read
        reply = await self._call(self._webhooks.ListWebhooks, request, deadline, retry=True, not_found=WebhookNotFound)
        return [WebhookView(w) for w in reply.webhooks]

    async def delete_webhook(self, webhook_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteWebhookRequest(webhook_id=webhook_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            await self._call(self._webhooks.DeleteWebhook, request, deadline, retry=True, not_found=WebhookNotFound)
        except WebhookNotFound as error:
            self._delete_was_ours(error)
