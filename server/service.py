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

from chunkr import codec
from chunkr.vocabulary import EventKind, Status
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server import tracing
from server.auth import KeyRing, key_from_metadata
from server.blobs import Blobs, task_prefix
from server.config import Settings
from server.configuration import configuration_from_text, configuration_to_text, resolve
from server.errors import ChunkdError, InvalidArgument, ResourceExhausted, UnsupportedFileType
from server.events import Event, EventBus
from server.files import FileStore, file_id_of
from server.models import FILE_NAME_MAX_LENGTH, TaskRow, utcnow
from server.pipeline import detect
from server.offload import Offload
from server.presenter import Presenter
from server.quotas import Quota, QuotaExceeded, precheck
from server.quotas import check as check_quota
from server.store import QUEUED_MESSAGE, ListQuery, TaskStore, decode_cursor, encode_cursor

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_WAIT_SECONDS = 300
MAX_URL_LENGTH = 8192  # what common HTTP servers accept in a request line
MAX_PAGE_TOKEN_LENGTH = 200  # a cursor is a timestamp and a task id
# Files this small that arrive together are written by one hop to a thread (server/offload.py).
BATCHED_WRITE_BYTES = 64 * 1024

Request = TypeVar("Request")
Response = TypeVar("Response")


async def _abort(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
    if isinstance(exc, QuotaExceeded) and exc.retry_after is not None:
        await context.abort(exc.code, exc.message, trailing_metadata=(("retry-after", str(exc.retry_after)),))
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


def checked_text(field: str, value: str, limit: int) -> str:
    """A caller's string that must fit its column and PostgreSQL's text (which holds no NUL)."""
    if len(value) > limit:
        raise InvalidArgument(f"{field} is too long: {len(value):,} characters (the limit is {limit:,})")
    if "\x00" in value:
        raise InvalidArgument(f"{field} must not contain NUL characters")
    return value


def base_name(name: str) -> str:
    """Only the last part of a client's path names the file (the SDK sends a file object's full path)."""
    return re.split(r"[\\/]", name)[-1]


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
        blobs: Blobs,
        presenter: Presenter,
    ) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.keys = keys
        self.blobs = blobs
        self.presenter = presenter
        self.files = FileStore(store.db)
        self._small_writes = Offload("blob-write")

    async def _owner(self, context: grpc.aio.ServicerContext) -> str:
        return await self.keys.owner(key_from_metadata(context.invocation_metadata()))

    def _expires_in(self, configuration: pb.Configuration) -> int:
        return configuration.expires_in if configuration.expires_in > 0 else self.settings.default_expires_in

    @rpc
    async def CreateTask(self, request: pb.CreateTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        caller = await self.keys.caller(key_from_metadata(context.invocation_metadata()))
        owner = caller.owner
        configuration = resolve(request.configuration)
        quota = Quota.of(caller.limits, self.settings)
        if quota.limited:
            await precheck(self.store.db, owner, quota)
        file_name = base_name(checked_text("file_name", request.file_name, FILE_NAME_MAX_LENGTH))
        source = request.WhichOneof("source")
        if source == "url":
            from server.fetch import fetch_url

            fetched = await fetch_url(checked_text("url", request.url, MAX_URL_LENGTH), self.settings)
            data = fetched.data
            # a name taken from the URL's path is ours to shorten, not the caller's error
            file_name = fetched.file_name.replace("\x00", "")[:FILE_NAME_MAX_LENGTH] or file_name
        elif source == "file":
            data = request.file
        elif source == "file_id":
            stored = await self.files.get(file_id_of(request.file_id), owner)
            data = await asyncio.to_thread(self.blobs.get_bytes, stored.blob_key)
            file_name = file_name or stored.file_name
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
        if len(data) <= BATCHED_WRITE_BYTES and self.blobs.local:
            await self._small_writes.run(functools.partial(self.blobs.put_bytes, input_key, data))
        else:
            await asyncio.to_thread(self.blobs.put_bytes, input_key, data)
        with tracing.span("chunkd.task.create", {"chunkd.task_id": task_id, "chunkd.mime_type": mime_type}):
            now = utcnow()
            row = TaskRow.model_construct(  # every value is made here; table models do not validate anyway
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
                trace_parent=tracing.traceparent(),  # the worker's span continues from this one
            )
            checked = (lambda connection: check_quota(connection, owner, quota)) if quota.limited else None
            try:
                await self.store.create(row, checked)
            except QuotaExceeded:
                await asyncio.to_thread(self.blobs.delete_prefix, task_prefix(task_id))
                raise
        return self.presenter.task(row)

    @rpc
    async def GetTask(self, request: pb.GetTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        owner = await self._owner(context)
        if not 0 <= request.wait <= MAX_WAIT_SECONDS:
            raise InvalidArgument(f"wait must be between 0 and {MAX_WAIT_SECONDS} seconds")
        if request.wait:
            row = await self._until_terminal(task_id_of(request.task_id), owner, request.wait, context)
        else:
            row = await self.store.get(task_id_of(request.task_id), owner)
        include_chunks = request.include_chunks if request.HasField("include_chunks") else True
        if include_chunks and row.output_key:
            return await asyncio.to_thread(
                self.presenter.task, row, include_chunks=True, base64_urls=request.base64_urls
            )
        if request.base64_urls:
            return await asyncio.to_thread(self.presenter.task, row, base64_urls=True)
        return self.presenter.summary(row)

    async def _until_terminal(
        self, task_id: str, owner: str, wait: float, context: grpc.aio.ServicerContext
    ) -> TaskRow:
        """The task once it is terminal, or as it is when `wait` (or the call's deadline, less a
        margin to reply in) runs out: WatchTask's subscription, without the stream."""
        remaining = context.time_remaining()
        if remaining is not None:
            wait = min(wait, max(0.0, remaining - 0.5))
        async with self.bus.subscribe(owner, task_id) as subscription:
            row = await self.store.get(task_id, owner)
            try:
                async with asyncio.timeout(wait):
                    while not row.status.terminal:
                        event = await subscription.queue.get()
                        if event.kind == EventKind.DELETED:
                            break
                        if event.task.version > row.version:
                            row = event.task
            except TimeoutError:
                pass
        return await self.store.get(task_id, owner) if row.status.terminal else row

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
            try:
                statuses.append(Status.from_proto(status))
            except ValueError:
                raise InvalidArgument(f"Invalid status: {status}") from None
        common: dict[str, Any] = {
            "owner": owner,
            "start": start,
            "end": end,
            "statuses": tuple(statuses),
            "oldest_first": request.oldest_first,
        }
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
        token = checked_text("page_token", request.page_token, MAX_PAGE_TOKEN_LENGTH)
        after = decode_cursor(token) if token else None
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
            task_id_of(request.task_id),
            owner,
            reconfigure,
            deadline=self.settings.task_timeout,
            trace_parent=tracing.traceparent(),
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

    def _event(self, kind: pb.TaskEvent.Kind, row: TaskRow) -> pb.TaskEvent:
        return pb.TaskEvent(kind=kind, task=self.presenter.task(row, with_output=False), time=codec.timestamp(utcnow()))

    def _shared_event(self, kind: pb.TaskEvent.Kind, event: Event) -> pb.TaskEvent:
        """The message of a bus event, made once for every stream that sends it
        (a thousand watchers of one task cost one message, not a thousand)."""
        message = event.derived.get(kind)
        if message is None:
            message = event.derived[kind] = self._event(kind, event.task)
        return message

    @stream_rpc
    async def WatchTask(
        self, request: pb.WatchTaskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TaskEvent]:
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
                if event.kind is EventKind.DELETED:
                    yield self._shared_event(pb.TaskEvent.KIND_DELETED, event)
                    return
                if event.task.version <= version:
                    continue
                version = event.task.version
                yield self._shared_event(pb.TaskEvent.KIND_CHANGED, event)
                if event.task.status.terminal:
                    return

    @stream_rpc
    async def WatchTasks(
        self, request: pb.WatchTasksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TaskEvent]:
        owner = await self._owner(context)
        async with self.bus.subscribe(owner) as subscription:
            # Tells the caller the watch is open before any change happens, so
            # that a list it reads next misses nothing.
            await context.send_initial_metadata(())
            while True:
                event = await subscription.queue.get()
                yield self._shared_event(event.kind.proto, event)
