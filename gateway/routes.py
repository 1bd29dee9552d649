"""Chunkr's task paths, each one RPC. Mounted twice — under `/api/v1` and at
the root — because the SDK appends `/task/parse` to whatever base URL it was
given, and with both the old (`/task/...`) and new (`/tasks/...`) spellings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from chunkr import codec
from gateway import schemas
from gateway.rpc import Caller, caller, stub
from gateway.uploads import configuration_body, create_request
from protos import tasks_pb2 as pb

ALL_TASKS_PAGE = 1000
ALL_TASKS_PAGE_WITH_CHUNKS = 20
Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])


def text_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: text_response("Bad request: invalid argument, or the task's status does not allow the operation"),
    401: text_response("Missing or invalid API key"),
    404: text_response("Task not found (unknown, expired, or another owner's)"),
    413: text_response("File or request body too large"),
    429: text_response("Too many requests"),
    500: text_response("Internal server error"),
    503: text_response("Service unavailable: the gateway cannot reach the gRPC service"),
}
CREATE_ERRORS = {**ERRORS, 415: text_response("Unsupported content type")}
TASK_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"model": schemas.TaskResponse, "description": "The task"}}


def _json_body(schema: str, *, form: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    if form:
        content["multipart/form-data"] = {"schema": {"$ref": f"#/components/schemas/{form}"}}
    return {"requestBody": {"required": True, "content": content}}


class Json(JSONResponse):
    """orjson: the JSON of a task with chunks is most of the gateway's work."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def task_json(task: pb.Task, who: Caller) -> dict[str, Any]:
    task.task_url = who.task_url(task.task_id)
    return codec.task_to_json(task, who.file_url)


router = APIRouter()
WaitQuery = Annotated[
    int, Query(ge=0, le=300, description="Seconds to wait for the task to finish before answering (0 = at once)")
]

# Chunkr's own operationIds, on the `/api/v1/task...` spelling that Chunkr's spec has, so that
# clients generated from either spec call the same methods; the other spellings keep generated ids.
CHUNKR_OPERATION_IDS: dict[tuple[str, str], str] = {
    ("/api/v1/task/parse", "post"): "create_task_route",
    ("/api/v1/task/{task_id}", "get"): "get_task_route",
    ("/api/v1/task/{task_id}", "delete"): "delete_task_route",
    ("/api/v1/task/{task_id}/parse", "patch"): "update_task_route",
    ("/api/v1/task/{task_id}/cancel", "get"): "cancel_task_route",
    ("/api/v1/tasks", "get"): "get_tasks_route",
}


def use_chunkr_operation_ids(document: dict[str, Any]) -> None:
    for (path, method), operation_id in CHUNKR_OPERATION_IDS.items():
        document["paths"][path][method]["operationId"] = operation_id


def route(
    methods: list[str], *paths: str, on: APIRouter = router, **options: Any
) -> Callable[[Endpoint], Endpoint]:
    """One endpoint at each of its spellings (`/task/...` and `/tasks/...`)."""

    def register(endpoint: Endpoint) -> Endpoint:
        for path in paths:
            for method in methods:
                on.add_api_route(path, endpoint, methods=[method], tags=["tasks"], **options)
        return endpoint

    return register


@router.get("/health", response_class=PlainTextResponse, responses={200: text_response("OK")}, tags=["health"])
async def health() -> str:
    """Liveness of the gateway itself (Chunkr answers "OK")."""
    return "OK"


@route(
    ["POST"],
    "/task/parse",
    "/tasks/parse",
    responses={**TASK_RESPONSE, **CREATE_ERRORS},
    openapi_extra=_json_body("CreateTaskBody", form="CreateTaskForm"),
    summary="Create a task",
)
async def create_task(request: Request, wait: WaitQuery = 0) -> Json:
    """Queue a document: JSON (`file` as base64, data: URL or http(s) URL, plus
    configuration keys at top level) or multipart/form-data. The task starts in
    status Starting; poll `task_url` or follow `/events`."""
    who = caller(request)
    message = await create_request(request, request.app.state.settings.max_file_size)
    task = await stub(request).CreateTask(message, metadata=who.metadata)
    if wait:
        task = await stub(request).GetTask(pb.GetTaskRequest(task_id=task.task_id, wait=wait), metadata=who.metadata)
    return Json(task_json(task, who))


@route(["GET"], "/task/{task_id}", "/tasks/{task_id}", responses={**TASK_RESPONSE, **ERRORS}, summary="Get a task")
async def get_task(
    task_id: str,
    request: Request,
    include_chunks: Annotated[bool, Query(description="Include output chunks")] = True,
    base64_urls: Annotated[bool, Query(description="data: URLs instead of signed URLs")] = False,
    wait: WaitQuery = 0,
) -> Json:
    who = caller(request)
    task = await stub(request).GetTask(
        pb.GetTaskRequest(task_id=task_id, include_chunks=include_chunks, base64_urls=base64_urls, wait=wait),
        metadata=who.metadata,
    )
    return Json(task_json(task, who))


@route(
    ["PATCH"],
    "/task/{task_id}/parse",
    "/tasks/{task_id}/parse",
    responses={**TASK_RESPONSE, **ERRORS},
    openapi_extra=_json_body("Configuration"),
    summary="Re-process a Succeeded or Failed task with a changed configuration",
)
async def update_task(task_id: str, request: Request) -> Json:
    who = caller(request)
    configuration = await configuration_body(request)
    task = await stub(request).UpdateTask(
        pb.UpdateTaskRequest(task_id=task_id, configuration=configuration), metadata=who.metadata
    )
    return Json(task_json(task, who))


@route(
    ["GET", "POST"],
    "/task/{task_id}/cancel",
    "/tasks/{task_id}/cancel",
    response_class=PlainTextResponse,
    responses={200: text_response("Task cancelled"), **ERRORS},
    summary="Cancel a task (only while Starting)",
)
async def cancel_task(task_id: str, request: Request) -> PlainTextResponse:
    await stub(request).CancelTask(pb.CancelTaskRequest(task_id=task_id), metadata=caller(request).metadata)
    return PlainTextResponse("Task cancelled")


@route(
    ["DELETE"],
    "/task/{task_id}",
    "/tasks/{task_id}",
    response_class=PlainTextResponse,
    responses={200: text_response("Task deleted"), **ERRORS},
    summary="Delete a Succeeded, Failed or Cancelled task and its files",
)
async def delete_task(task_id: str, request: Request) -> PlainTextResponse:
    await stub(request).DeleteTask(pb.DeleteTaskRequest(task_id=task_id), metadata=caller(request).metadata)
    return PlainTextResponse("Task deleted")


@route(
    ["GET"],
    "/tasks",
    responses={200: {"model": list[schemas.TaskResponse], "description": "Tasks, newest first"}, **ERRORS},
    summary="List tasks",
)
async def list_tasks(
    request: Request,
    page: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="1-based; requires limit")] = None,
    limit: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Tasks per page")] = None,
    start: Annotated[datetime | None, Query(description="Created at or after (ISO 8601)")] = None,
    end: Annotated[datetime | None, Query(description="Created at or before (ISO 8601)")] = None,
    include_chunks: Annotated[bool, Query(description="Include output chunks")] = False,
    base64_urls: Annotated[bool, Query(description="data: URLs instead of signed URLs")] = False,
    status: Annotated[
        list[schemas.Status] | None,  # type: ignore[valid-type]  # made at run time
        Query(description="Only tasks in these statuses (repeat for several; chunkd's addition)"),
    ] = None,
) -> Response:
    message = pb.ListTasksRequest(
        statuses=[
            pb.TaskStatus.ValueType(codec.TASK_STATUS.from_json(s.value, "status"))  # type: ignore[attr-defined]  # s: a schemas.Status member
            for s in status or ()
        ],
        page=page,
        limit=limit,
        start=codec.timestamp(start) if start else None,
        end=codec.timestamp(end) if end else None,
        include_chunks=include_chunks,
        base64_urls=base64_urls,
    )
    who = caller(request)
    if page is None and limit is None:
        # Every task, as Chunkr returns them: keyset pages streamed as one JSON array, so memory
        # stays flat however many there are. The first page is read before the response starts,
        # so a bad key or argument keeps its status code.
        message.page_size = ALL_TASKS_PAGE_WITH_CHUNKS if include_chunks else ALL_TASKS_PAGE
        first = await stub(request).ListTasks(message, metadata=who.metadata)
        return StreamingResponse(_all_tasks(request, message, first, who), media_type="application/json")
    reply = await stub(request).ListTasks(message, metadata=who.metadata)
    return Json([task_json(task, who) for task in reply.tasks])


async def _all_tasks(
    request: Request, message: pb.ListTasksRequest, reply: pb.ListTasksResponse, who: Caller
) -> AsyncIterator[bytes]:
    yield b"["
    separator = b""
    while True:
        for task in reply.tasks:
            yield separator + orjson.dumps(task_json(task, who))
            separator = b","
        if not reply.next_page_token:
            break
        message.page_token = reply.next_page_token
        reply = await stub(request).ListTasks(message, metadata=who.metadata)
    yield b"]"
