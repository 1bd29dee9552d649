"""TaskClient: the blocking client. Every method is one RPC (plus the retries
that are safe, see client.retry); `watch` and `wait` follow a task over
WatchTask, reconnecting when the stream drops."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Self, TypeVar

import grpc
from typing_extensions import Unpack

from client.base import ClientBase, StatusFilter
from client.errors import (
    FileNotFound,
    InvalidTaskState,
    NotFound,
    TaskNotFound,
    WebhookNotFound,
)
from client.listing import Listing
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


class TaskClient(ClientBase[grpc.Channel]):
    """`with TaskClient() as chunkd: chunkd.wait(chunkd.create("a.pdf").task_id)`."""

    def _open_channel(self) -> grpc.Channel:
        return self.settings.channel()

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        method: Callable[..., Response],
        request: object,
        timeout: float,
        *,
        retry: bool,
        not_found: type[NotFound] = TaskNotFound,
    ) -> Response:
        attempts = Attempts(self.settings.retry, retry=retry, not_found=not_found)
        while True:
            try:
                return method(request, metadata=self.settings.metadata, timeout=timeout)
            except grpc.RpcError as error:
                time.sleep(attempts.failed(error))

    def create(
        self,
        source: Source,
        *,
        file_name: str | None = None,
        configuration: pb.Configuration | None = None,
        timeout: float | None = None,
        **options: Unpack[ConfigOptions],
    ) -> TaskView:
        """Queues a document: a path, an http(s) URL, bytes or a binary file.
        Never retried: a repeat would process the document twice."""
        request = create_request(source, file_name, build_configuration(configuration, **options))
        deadline = timeout or self.settings.deadlines.create
        return TaskView(self._call(self._stub.CreateTask, request, deadline, retry=False))

    def get(
        self, task_id: str, *, include_chunks: bool = True, base64_urls: bool = False, timeout: float | None = None
    ) -> TaskView:
        request = self._get_request(task_id, include_chunks, base64_urls)
        return TaskView(self._call(self._stub.GetTask, request, timeout or self.settings.deadlines.read, retry=True))

    def list(
        self,
        *,
        status: StatusFilter = None,
        since: Since | None = None,
        until: datetime | None = None,
        page_size: int = 100,
        include_chunks: bool = False,
        timeout: float | None = None,
    ) -> Listing:
        """Every matching task, newest first; pages are fetched lazily.
        `since` is a datetime or an age (timedelta)."""

        def fetch(request: pb.ListTasksRequest) -> pb.ListTasksResponse:
            reply: pb.ListTasksResponse = self._call(
                self._stub.ListTasks, request, timeout or self.settings.deadlines.read, retry=True
            )
            return reply

        return Listing(fetch, self._list_request(status, since, until, page_size, include_chunks))

    def update(
        self,
        task_id: str,
        *,
        configuration: pb.Configuration | None = None,
        timeout: float | None = None,
        **options: Unpack[ConfigOptions],
    ) -> TaskView:
        """Re-processes a Succeeded or Failed task with the changed options.
        Never retried: a repeat would be refused or re-process again."""
        request = self._update_request(task_id, configuration, options)
        deadline = timeout or self.settings.deadlines.write
        return TaskView(self._call(self._stub.UpdateTask, request, deadline, retry=False))

    def cancel(self, task_id: str, *, timeout: float | None = None) -> TaskView:
        request = pb.CancelTaskRequest(task_id=task_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            return TaskView(self._call(self._stub.CancelTask, request, deadline, retry=True))
        except InvalidTaskState as error:
            current = self.get(task_id, include_chunks=False) if error.attempts > 1 else None
            return self._cancel_was_ours(error, current)

    def delete(self, task_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteTaskRequest(task_id=task_id)
        try:
            self._call(self._stub.DeleteTask, request, timeout or self.settings.deadlines.write, retry=True)
        except TaskNotFound as error:
            self._delete_was_ours(error)

    def watch(self, task_id: str, *, timeout: float | None = None, reconnect_for: float = 60.0) -> Iterator[WatchEvent]:
        """The task's state now, then each change, until it is terminal or
        deleted. A dropped stream is reopened (its first event is the current
        state), so the terminal event is never missed; after `reconnect_for`
        seconds without a server, Unavailable; after `timeout`, DeadlineExceeded."""
        session = WatchSession(task_id, self.settings.retry, timeout, reconnect_for)
        while True:
            stream = self._stub.WatchTask(session.request, metadata=self.settings.metadata, timeout=session.remaining())
            try:
                for event in stream:
                    yield session.received(event)
                    if session.finished:
                        return
                reason = "the stream ended early"
            except grpc.RpcError as error:
                reason = session.lost(error)
            finally:
                stream.cancel()
            time.sleep(session.next_delay(reason))

    def wait(self, task_id: str, timeout: float | None = None, *, include_chunks: bool = True) -> TaskView:
        """Blocks until the task is Succeeded, Failed or Cancelled and returns
        it (with chunks). Built on watch, not on polling. DeadlineExceeded (a
        TimeoutError) after `timeout` seconds; TaskNotFound if it is deleted."""
        last: WatchEvent | None = None
        for event in self.watch(task_id, timeout=timeout):
            last = event  # watch ends with the final event
        if last is None or last.kind is EventKind.DELETED:
            raise TaskNotFound(f"Task {task_id} was deleted while waiting for it")
        return self.get(task_id, include_chunks=include_chunks)

    # -- files (FileService) ------------------------------------------------

    def upload_file(
        self,
        content: Content,
        *,
        file_name: str | None = None,
        metadata: dict[str, object] | None = None,
        timeout: float | None = None,
    ) -> FileView:
        """Stores a file (a path, bytes or a binary file) for any number of tasks:
        `create(file)` or `create(file.url)` then reads it without a second upload.
        Never retried: a repeat would store it twice."""
        request = upload_request(content, file_name, metadata)
        deadline = timeout or self.settings.deadlines.create
        return FileView(self._call(self._files.UploadFile, request, deadline, retry=False, not_found=FileNotFound))

    def get_file(self, file_id: str, *, timeout: float | None = None) -> FileView:
        request = pb.GetFileRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        return FileView(self._call(self._files.GetFile, request, deadline, retry=True, not_found=FileNotFound))

    def list_files(self, *, page_size: int = 100, timeout: float | None = None) -> Iterator[FileView]:
        """Every stored file, newest first; pages are fetched as the iteration reaches them."""
        request = pb.ListFilesRequest(limit=page_size)
        while True:
            deadline = timeout or self.settings.deadlines.read
            reply = self._call(self._files.ListFiles, request, deadline, retry=True, not_found=FileNotFound)
            yield from (FileView(f) for f in reply.files)
            if not reply.has_more:
                return
            request.cursor = reply.next_cursor

    def file_content(self, file_id: str, *, timeout: float | None = None) -> bytes:
        request = pb.GetFileContentRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        reply = self._call(self._files.GetFileContent, request, deadline, retry=True, not_found=FileNotFound)
        return reply.content  # type: ignore[no-any-return]

    def file_url(self, file_id: str, *, timeout: float | None = None) -> SignedUrl:
        """A short-lived URL that downloads the file without an API key."""
        request = pb.GetFileUrlRequest(file_id=file_id)
        deadline = timeout or self.settings.deadlines.read
        return self._signed_url(
            self._call(self._files.GetFileUrl, request, deadline, retry=True, not_found=FileNotFound)
        )

    def delete_file(self, file_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteFileRequest(file_id=file_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            self._call(self._files.DeleteFile, request, deadline, retry=True, not_found=FileNotFound)
        except FileNotFound as error:
            self._delete_was_ours(error)

    # -- webhooks (WebhookService) --------------------------------------------

    def create_webhook(
        self, url: str, *, event_types: Sequence[str] = (), timeout: float | None = None
    ) -> WebhookView:
        """Registers an endpoint for the caller's task changes; its `secret` signs them.
        Never retried: a repeat would register it twice."""
        request = pb.CreateWebhookRequest(url=url, event_types=list(event_types))
        deadline = timeout or self.settings.deadlines.write
        return WebhookView(
            self._call(self._webhooks.CreateWebhook, request, deadline, retry=False, not_found=WebhookNotFound)
        )

    def get_webhook(self, webhook_id: str, *, timeout: float | None = None) -> WebhookView:
        request = pb.GetWebhookRequest(webhook_id=webhook_id)
        deadline = timeout or self.settings.deadlines.read
        return WebhookView(
            self._call(self._webhooks.GetWebhook, request, deadline, retry=True, not_found=WebhookNotFound)
        )

    def list_webhooks(self, *, timeout: float | None = None) -> Sequence[WebhookView]:
        """The caller's endpoints, oldest first."""
        request = pb.ListWebhooksRequest()
        deadline = timeout or self.settings.deadlines.read
        reply = self._call(self._webhooks.ListWebhooks, request, deadline, retry=True, not_found=WebhookNotFound)
        return [WebhookView(w) for w in reply.webhooks]

    def delete_webhook(self, webhook_id: str, *, timeout: float | None = None) -> None:
        request = pb.DeleteWebhookRequest(webhook_id=webhook_id)
        try:
            deadline = timeout or self.settings.deadlines.write
            self._call(self._webhooks.DeleteWebhook, request, deadline, retry=True, not_found=WebhookNotFound)
        except WebhookNotFound as error:
            self._delete_was_ours(error)
