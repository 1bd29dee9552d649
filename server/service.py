"""TaskService: one method per RPC. Validates, calls the store, and lets the
`rpc` decorators map domain errors to status codes. No SQL here."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, timedelta
from typing import Any, TypeVar

import grpc

from protos import codec
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.auth import KeyRing, key_from_metadata
from server.blobs import BlobStore, task_prefix
from server.config import Settings
from server.configuration import resolve
from server.errors import ChunkdError, InvalidArgument, ResourceExhausted, UnsupportedFileType
from server.events import EventBus
from server.models import EventKind, Status, TaskRow, utcnow
from server.pipeline import detect
from server.presenter import STATUS_FROM_PROTO, Presenter, configuration_from_text, configuration_to_text
from server.store import QUEUED_MESSAGE, ListQuery, TaskStore, decode_cursor, encode_cursor

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

Request = TypeVar("Request")
Response = TypeVar("Response")


async def _abort(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
    if isinstance(exc, ChunkdError):
        await context.abort(exc.code, exc.message)
    log.exception("unexpected error in %s", type(exc).__name__, exc_info=exc)
    await context.abort(grpc.StatusCode.INTERNAL, "Internal server error")


def rpc(
    method: Callable[[Any, Request, grpc.aio.ServicerContext], Awaitable[Response]],
) -> Callable[[Any, Request, grpc.aio.ServicerContext], Awaitable[Response]]:
    """Domain errors become their status code; anything else INTERNAL, with the
    trace in our log and none to the caller."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Request, context: grpc.aio.ServicerContext) -> Response:
        try:
            return await method(self, request, context)
        except Exception as exc:
            await _abort(context, exc)
            raise  # unreachable: abort raises

    return wrapper


def stream_rpc(
    method: Callable[[Any, Request, grpc.aio.ServicerContext], AsyncIterator[Response]],
) -> Callable[[Any, Request, grpc.aio.ServicerContext], AsyncIterator[Response]]:
    @functools.wraps(method)
    async def wrapper(self: Any, request: Request, context: grpc.aio.ServicerContext) -> AsyncIterator[Response]:
        try:
            async for item in method(self, request, context):
                yield item
        except Exception as exc:
            await _abort(context, exc)

    return wrapper


def task_id_of(value: str) -> str:
    """Task ids are UUIDs; anything else is refused before it reaches SQL or a path."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        if not value:
            raise InvalidArgument("task_id is required") from None
        raise InvalidArgument(f"Invalid task id: {value[:100]!r}") from None


def safe_file_name(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")
    return cleaned[:200] or "input"


class TaskService(tasks_pb2_grpc.TaskServiceServicer):
    def __init__(
        self,
        settings: Settings,
        store: TaskStore,
        bus: EventBus,
        keys: KeyRing,
        blobs: BlobStore,
        presenter: Presenter,
    ) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.keys = keys
        self.blobs = blobs
        self.presenter = presenter

    async def _owner(self, context: grpc.aio.ServicerContext) -> str:
        return await self.keys.owner(key_from_metadata(context.invocation_metadata()))

    def _expires_in(self, configuration: pb.Configuration) -> int:
        return configuration.expires_in if configuration.expires_in > 0 else self.settings.default_expires_in

    @rpc
    async def CreateTask(self, request: pb.CreateTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        owner = await self._owner(context)
        configuration = resolve(request.configuration)
        file_name = request.file_name
        source = request.WhichOneof("source")
        if source == "url":
            from server.fetch import fetch_url

            fetched = await fetch_url(request.url, self.settings)
            data, file_name = fetched.data, fetched.file_name or file_name
        elif source == "file":
            data = request.file
        else:
            raise InvalidArgument("A file or a url is required")
        if not data:
            raise InvalidArgument("File is empty")
        if len(data) > self.settings.max_file_size:
            raise ResourceExhausted(f"File too large: {len(data)} bytes (limit {self.settings.max_file_size})")
        mime_type = detect.sniff(data)
        if mime_type not in detect.SUPPORTED:
            raise UnsupportedFileType(mime_type)
        task_id = str(uuid.uuid4())
        input_key = f"{task_prefix(task_id)}/input/{safe_file_name(file_name)}"
        await asyncio.to_thread(self.blobs.put_bytes, input_key, data)
        now = utcnow()
        row = TaskRow(
            id=task_id,
            owner=owner,
            status=Status.STARTING,
            message=QUEUED_MESSAGE,
            configuration=configuration_to_text(configuration),
            expires_in=self._expires_in(configuration),
            file_name=file_name,
            mime_type=mime_type,
            input_key=input_key,
            created_at=now,
            deadline_at=now + timedelta(seconds=self.settings.task_timeout),
        )
        await self.store.create(row)
        return self.presenter.task(row)

    @rpc
    async def GetTask(self, request: pb.GetTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        owner = await self._owner(context)
        row = await self.store.get(task_id_of(request.task_id), owner)
        include_chunks = request.include_chunks if request.HasField("include_chunks") else True
        if include_chunks and row.output_key:
            return await asyncio.to_thread(
                self.presenter.task, row, include_chunks=True, base64_urls=request.base64_urls
            )
        return self.presenter.task(row, base64_urls=request.base64_urls)

    @rpc
    async def ListTasks(self, request: pb.ListTasksRequest, context: grpc.aio.ServicerContext) -> pb.ListTasksResponse:
        owner = await self._owner(context)
        query = self._list_query(request, owner)
        rows = await self.store.list(query)
        next_token = ""
        if request.HasField("page") or request.HasField("limit"):
            page = rows
        else:
            page = rows[: query.limit - 1]
            if len(rows) == query.limit:
                next_token = encode_cursor(page[-1])

        def present() -> list[pb.Task]:
            return [
                self.presenter.task(r, include_chunks=request.include_chunks, base64_urls=request.base64_urls)
                for r in page
            ]

        tasks = await asyncio.to_thread(present) if request.include_chunks else present()
        return pb.ListTasksResponse(tasks=tasks, next_page_token=next_token)

    def _list_query(self, request: pb.ListTasksRequest, owner: str) -> ListQuery:
        start = request.start.ToDatetime(tzinfo=UTC) if request.HasField("start") else None
        end = request.end.ToDatetime(tzinfo=UTC) if request.HasField("end") else None
        if start and end and start > end:
            raise InvalidArgument("start must not be after end")
        statuses = []
        for status in request.statuses:
            if status not in STATUS_FROM_PROTO:
                raise InvalidArgument(f"Invalid status: {status}")
            statuses.append(STATUS_FROM_PROTO[status])
        common: dict[str, Any] = {"owner": owner, "start": start, "end": end, "statuses": tuple(statuses)}
        if request.HasField("page") or request.HasField("limit"):
            if request.HasField("page") and not request.HasField("limit"):
                raise InvalidArgument("Limit is required when page is provided")
            page = request.page if request.HasField("page") else 1
            if page < 1:
                raise InvalidArgument("Page must be 1 or greater")
            if not 1 <= request.limit <= MAX_PAGE_SIZE:
                raise InvalidArgument(f"Limit must be between 1 and {MAX_PAGE_SIZE}")
            return ListQuery(**common, limit=request.limit, offset=(page - 1) * request.limit)
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative")
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = decode_cursor(request.page_token) if request.page_token else None
        # One extra row tells whether another page follows.
        return ListQuery(**common, limit=size + 1, after=after)

    @rpc
    async def UpdateTask(self, request: pb.UpdateTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        owner = await self._owner(context)

        def reconfigure(task: TaskRow) -> tuple[str, int]:
            current = configuration_from_text(task.configuration)
            merged = resolve(request.configuration, base=current)
            if merged == current:
                raise InvalidArgument("Updated configuration must be different from the current one")
            return configuration_to_text(merged), self._expires_in(merged)

        row = await self.store.update(
            task_id_of(request.task_id), owner, reconfigure, deadline=self.settings.task_timeout
        )
        return self.presenter.task(row)

    @rpc
    async def CancelTask(self, request: pb.CancelTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        owner = await self._owner(context)
        row = await self.store.cancel(task_id_of(request.task_id), owner)
        return self.presenter.task(row)

    @rpc
    async def DeleteTask(
        self, request: pb.DeleteTaskRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteTaskResponse:
        owner = await self._owner(context)
        row = await self.store.delete(task_id_of(request.task_id), owner)
        await asyncio.to_thread(self.blobs.delete_prefix, task_prefix(row.id))
        return pb.DeleteTaskResponse()

    def _event(self, kind: int, row: TaskRow) -> pb.TaskEvent:
        return pb.TaskEvent(
            kind=kind, task=self.presenter.task(row, with_output=False), time=codec.timestamp(utcnow())  # type: ignore[arg-type]
        )  # type: ignore[arg-type]

    @stream_rpc
    async def WatchTask(self, request: pb.WatchTaskRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.TaskEvent]:
        owner = await self._owner(context)
        task_id = task_id_of(request.task_id)
        # Subscribe before reading the snapshot, so no change falls between the two.
        async with self.bus.subscribe(owner, task_id) as subscription:
            row = await self.store.get(task_id, owner)
            yield self._event(pb.TaskEvent.KIND_SNAPSHOT, row)
            version = row.version
            if row.status.terminal:
                return
            while True:
                event = await subscription.queue.get()
                if event.kind == EventKind.DELETED:
                    yield self._event(pb.TaskEvent.KIND_DELETED, event.task)
                    return
                if event.task.version <= version:
                    continue
                version = event.task.version
                yield self._event(pb.TaskEvent.KIND_CHANGED, event.task)
                if event.task.status.terminal:
                    return

    @stream_rpc
    async def WatchTasks(self, request: pb.WatchTasksRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.TaskEvent]:
        owner = await self._owner(context)
        async with self.bus.subscribe(owner) as subscription:
            while True:
                event = await subscription.queue.get()
                kind = pb.TaskEvent.KIND_DELETED if event.kind == EventKind.DELETED else pb.TaskEvent.KIND_CHANGED
                yield self._event(kind, event.task)
