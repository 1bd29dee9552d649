"""Live status without polling: WatchTask and WatchTasks as Server-Sent Events.

Each event is `event: snapshot|changed|deleted` with a TaskEvent JSON `data:`;
a task's stream ends when the server ends the watch (after the terminal event),
the stream of all the caller's tasks (`/events`) never ends. An
error before the first event is an ordinary HTTP error (404, 401...); one after
it is sent as an `error` event, since the status line has gone. A client that
disconnects cancels the response task, and with it the RPC.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from chunkr import codec
from gateway.errors import rpc_error
from gateway.routes import ERRORS, route
from gateway.rpc import Caller, caller, stub
from protos import tasks_pb2 as pb

router = APIRouter()
KEEPALIVE_SECONDS = 15.0

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A stream of Server-Sent Events; each `data:` is a TaskEvent",
        "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/TaskEvent"}}},
    },
    **ERRORS,
}


def sse(event: pb.TaskEvent, who: Caller) -> str:
    event.task.task_url = who.task_url(event.task.task_id)
    data = codec.event_to_json(event, who.file_url)
    return f"event: {data['kind'].lower()}\ndata: {orjson.dumps(data).decode()}\n\n"


class WatchCounter:
    """How many watches are open (lets a test see that a disconnect ended the
    RPC), and how long a stream may stay silent."""

    def __init__(self, keepalive: float = KEEPALIVE_SECONDS) -> None:
        self.open = 0
        self.keepalive = keepalive


async def _stream(
    call: Any, first: pb.TaskEvent | None, who: Caller, counter: WatchCounter, keepalive: float
) -> AsyncIterator[str]:
    """The events, with a comment line after `keepalive` seconds of silence so
    that proxies and clients do not take a slow task for a dead connection."""
    reading: asyncio.Task[Any] | None = None
    try:
        event: Any = first
        while event is not grpc.aio.EOF:
            if event is not None:
                yield sse(event, who)
            reading = asyncio.ensure_future(call.read())
            while not (await asyncio.wait({reading}, timeout=keepalive))[0]:
                yield ": keep-alive\n\n"
            event = reading.result()
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.CANCELLED:
            status, message = rpc_error(exc)
            yield f"event: error\ndata: {orjson.dumps({'status': status, 'message': message}).decode()}\n\n"
    finally:
        if reading is not None:
            reading.cancel()
        call.cancel()
        counter.open -= 1


@route(
    "WatchTask",
    on=router,
    response_class=StreamingResponse,
    responses=SSE_RESPONSE,
    summary="Follow a task's status as Server-Sent Events",
)
async def task_events(task_id: str, request: Request) -> StreamingResponse:
    who = caller(request)
    call = stub(request).WatchTask(pb.WatchTaskRequest(task_id=task_id), metadata=who.metadata)
    try:
        first = await call.read()
    except BaseException:
        call.cancel()
        raise
    return _response(call, first, who, request)


def _response(call: Any, first: pb.TaskEvent | None, who: Caller, request: Request) -> StreamingResponse:
    counter: WatchCounter = request.app.state.watches
    counter.open += 1
    return StreamingResponse(
        _stream(call, first, who, counter, counter.keepalive),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@route(
    "WatchTasks",
    on=router,
    response_class=StreamingResponse,
    responses=SSE_RESPONSE,
    summary="Follow every change to the caller's tasks as Server-Sent Events",
)
async def all_events(request: Request) -> StreamingResponse:
    """`changed` and `deleted` events, no snapshot; the stream never ends. The
    response starts once the watch is subscribed, so a task list read after
    it arrives misses no change."""
    who = caller(request)
    call = stub(request).WatchTasks(pb.WatchTasksRequest(), metadata=who.metadata)
    try:
        await call.initial_metadata()
        if call.done():
            await call.read()  # raises the RPC's error (401...) while a status line can still carry it
    except BaseException:
        call.cancel()
        raise
    return _response(call, None, who, request)
