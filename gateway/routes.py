"""Chunkr's task paths, each one RPC, at the paths tasks.proto binds it to
(gateway/bindings.py). Mounted twice — under `/api/v1` and at the root —
because the SDK appends `/task/parse` to whatever base URL it was given. The v1
spelling (`/task/...`) answers in v1's JSON; the 2.x spelling (`/tasks/...`) in
2.x's (`codec.task_to_json_v2`). `GET /tasks` is both generations' list path:
it answers 2.x's page object to 2.x callers (see `list_tasks`) and v1's array
to everyone else."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from chunkr import codec
from gateway import schemas
from gateway.bindings import API_PREFIX, V1, V2, bindings, rpc_method
from gateway.comments import comment
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
TASK_RESPONSE_V2: dict[int | str, dict[str, Any]] = {
    200: {"model": schemas.TaskResponseV2, "description": "The task, in Chunkr 2.x's JSON"}
}


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


def task_json_v2(task: pb.Task, who: Caller, request: Request) -> dict[str, Any]:
    task.task_url = who.task_url(task.task_id, "tasks")
    return codec.task_to_json_v2(task, who.file_url, server_version=request.app.version)


router = APIRouter()
WaitQuery = Annotated[
    int, Query(ge=0, le=300, description="Seconds to wait for the task to finish before answering (0 = at once)")
]

# Chunkr's own operationIds, on each RPC's main binding (the `/api/v1/task...` spelling that
# Chunkr's spec has), so that clients generated from either spec call the same methods; the
# other bindings keep generated ids.
CHUNKR_OPERATION_IDS = {
    "CreateTask": "create_task_route",
    "GetTask": "get_task_route",
    "DeleteTask": "delete_task_route",
    "UpdateTask": "update_task_route",
    "CancelTask": "cancel_task_route",
    "ListTasks": "get_tasks_route",
}


def use_chunkr_operation_ids(document: dict[str, Any]) -> None:
    for rpc, operation_id in CHUNKR_OPERATION_IDS.items():
        main = bindings(rpc)[0]
        document["paths"][API_PREFIX + main.path][main.method.lower()]["operationId"] = operation_id


def route(rpc: str, spelling: str = "", *, on: APIRouter = router, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """The endpoint at each REST binding of `rpc` whose path starts with `spelling`
    (V1 or V2, where the two generations answer in different JSON; "" for all).
    On a router without tags of its own (the task routers), it is tagged `tasks`.
    Its description is the RPC's comment in the proto, then the endpoint's
    docstring (what is particular to REST)."""
    tags: dict[str, Any] = {} if on.tags else {"tags": ["tasks"]}

    def register(endpoint: Endpoint) -> Endpoint:
        texts = (comment(rpc_method(rpc).full_name), inspect.cleandoc(endpoint.__doc__ or ""))
        described = {"description": "\n\n".join(text for text in texts if text), **options}
        for binding in bindings(rpc):
            if binding.path.startswith(spelling):
                on.add_api_route(binding.path, endpoint, methods=[binding.method], **tags, **described)
        return endpoint

    return register


@router.get("/health", response_class=PlainTextResponse, responses={200: text_response("OK")}, tags=["health"])
async def health() -> str:
    """Liveness of the gateway itself (Chunkr answers "OK")."""
    return "OK"


async def _create(request: Request, who: Caller, wait: int) -> pb.Task:
    message = await create_request(request, request.app.state.settings.max_file_size)
    task: pb.Task = await stub(request).CreateTask(message, metadata=who.metadata)
    if wait:
        task = await stub(request).GetTask(pb.GetTaskRequest(task_id=task.task_id, wait=wait), metadata=who.metadata)
    return task


async def _get(
    request: Request, who: Caller, task_id: str, include_chunks: bool, base64_urls: bool, wait: int
) -> pb.Task:
    return await stub(request).GetTask(  # type: ignore[no-any-return]
        pb.GetTaskRequest(task_id=task_id, include_chunks=include_chunks, base64_urls=base64_urls, wait=wait),
        metadata=who.metadata,
    )


async def _update(request: Request, who: Caller, task_id: str) -> pb.Task:
    configuration = await configuration_body(request)
    return await stub(request).UpdateTask(  # type: ignore[no-any-return]
        pb.UpdateTaskRequest(task_id=task_id, configuration=configuration), metadata=who.metadata
    )


IncludeChunks = Annotated[bool, Query(description="Include output chunks")]
Base64Urls = Annotated[bool, Query(description="data: URLs instead of signed URLs")]
CREATE: dict[str, Any] = {
    "responses": {**TASK_RESPONSE, **CREATE_ERRORS},
    "openapi_extra": _json_body("CreateTaskBody", form="CreateTaskForm"),
    "summary": "Create a task",
}
UPDATE: dict[str, Any] = {
    "openapi_extra": _json_body("Configuration"),
    "summary": "Re-process a Succeeded or Failed task with a changed configuration",
}


@route("CreateTask", V1, **CREATE)
async def create_task(request: Request, wait: WaitQuery = 0) -> Json:
    """Queue a document: JSON (`file` as base64, data: URL or http(s) URL, plus
    configuration keys at top level) or multipart/form-data. The task starts in
    status Starting; poll `task_url` or follow `/events`."""
    who = caller(request)
    return Json(task_json(await _create(request, who, wait), who))


@route("GetTask", V1, responses={**TASK_RESPONSE, **ERRORS}, summary="Get a task")
async def get_task(
    task_id: str,
    request: Request,
    include_chunks: IncludeChunks = True,
    base64_urls: Base64Urls = False,
    wait: WaitQuery = 0,
) -> Json:
    who = caller(request)
    return Json(task_json(await _get(request, who, task_id, include_chunks, base64_urls, wait), who))


@route("UpdateTask", V1, responses={**TASK_RESPONSE, **ERRORS}, **UPDATE)
async def update_task(task_id: str, request: Request) -> Json:
    who = caller(request)
    return Json(task_json(await _update(request, who, task_id), who))


@route("CreateTask", V2, **{**CREATE, "responses": {**TASK_RESPONSE_V2, **CREATE_ERRORS}})
async def create_task_v2(request: Request, wait: WaitQuery = 0) -> Json:
    """As `POST /task/parse`, answered in Chunkr 2.x's task JSON."""
    who = caller(request)
    return Json(task_json_v2(await _create(request, who, wait), who, request))


@route(
    "GetTask",
    V2,  # `/tasks/{task_id}/parse` too: the 2.x SDK's `tasks.parse.get`, the same parse task
    responses={**TASK_RESPONSE_V2, **ERRORS},
    summary="Get a task (2.x JSON)",
)
async def get_task_v2(
    task_id: str,
    request: Request,
    include_chunks: IncludeChunks = True,
    base64_urls: Base64Urls = False,
    wait: WaitQuery = 0,
) -> Json:
    who = caller(request)
    return Json(task_json_v2(await _get(request, who, task_id, include_chunks, base64_urls, wait), who, request))


@route("UpdateTask", V2, responses={**TASK_RESPONSE_V2, **ERRORS}, **UPDATE)
async def update_task_v2(task_id: str, request: Request) -> Json:
    who = caller(request)
    return Json(task_json_v2(await _update(request, who, task_id), who, request))


@route(
    "CancelTask",
    response_class=PlainTextResponse,
    responses={200: text_response("Task cancelled"), **ERRORS},
    summary="Cancel a task (only while Starting)",
)
async def cancel_task(task_id: str, request: Request) -> PlainTextResponse:
    await stub(request).CancelTask(pb.CancelTaskRequest(task_id=task_id), metadata=caller(request).metadata)
    return PlainTextResponse("Task cancelled")


@route(
    "DeleteTask",
    response_class=PlainTextResponse,
    responses={200: text_response("Task deleted"), **ERRORS},
    summary="Delete a Succeeded, Failed or Cancelled task and its files",
)
async def delete_task(task_id: str, request: Request) -> PlainTextResponse:
    await stub(request).DeleteTask(pb.DeleteTaskRequest(task_id=task_id), metadata=caller(request).metadata)
    return PlainTextResponse("Task deleted")


V2_LIST_PARAMETERS = frozenset({"cursor", "sort", "statuses", "task_types"})
V2_DEFAULT_LIMIT = 100
V2_MAX_LIMIT = 999  # one more row than the page is read, and the service reads at most 1000
ONE_MICROSECOND = timedelta(microseconds=1)


def _wants_v2_list(request: Request) -> bool:
    """`GET /tasks` is the list path of both generations. 2.x callers use 2.x's
    parameters, or are Chunkr's generated 2.x SDK (Stainless: it sends
    `X-Stainless-Lang` on every request, whichever parameters it has)."""
    return bool(V2_LIST_PARAMETERS & request.query_params.keys()) or "x-stainless-lang" in request.headers


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _statuses(values: list[str]) -> list[Any]:
    """Repeated, or comma-separated as the 2.x SDK sends them."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return [codec.TASK_STATUS.from_json(name, "status") for name in names]


@route(
    "ListTasks",
    responses={
        200: {
            "model": list[schemas.TaskResponse] | schemas.TasksPage,  # type: ignore[valid-type]  # made at run time
            "description": "v1: the tasks, newest first (every task without page and limit). "
            "2.x (a 2.x parameter given, or Chunkr's 2.x SDK calling): one page of them",
        },
        **ERRORS,
    },
    summary="List tasks",
)
async def list_tasks(
    request: Request,
    page: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="v1: 1-based; requires limit")] = None,
    limit: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Tasks per page")] = None,
    start: Annotated[datetime | None, Query(description="Created at or after (ISO 8601)")] = None,
    end: Annotated[datetime | None, Query(description="Created at or before (ISO 8601)")] = None,
    include_chunks: IncludeChunks = False,
    base64_urls: Base64Urls = False,
    status: Annotated[
        list[schemas.Status] | None,  # type: ignore[valid-type]  # made at run time
        Query(description="Only tasks in these statuses (repeat for several; chunkd's addition)"),
    ] = None,
    cursor: Annotated[
        datetime | None, Query(description="2.x: the `next_cursor` of the page before (a creation time)")
    ] = None,
    sort: Annotated[schemas.SortOrder | None, Query(description="2.x: by creation time; desc (default) or asc")] = None,
    statuses: Annotated[
        list[str] | None, Query(description="2.x: only tasks in these statuses (comma-separated or repeated)")
    ] = None,
    task_types: Annotated[
        list[schemas.TaskType] | None,
        Query(description="2.x: only tasks of these types; chunkd's tasks are all Parse"),
    ] = None,
) -> Response:
    who = caller(request)
    message = pb.ListTasksRequest(
        statuses=_statuses([s.value for s in status or ()] + list(statuses or ())),  # type: ignore[attr-defined]
        include_chunks=include_chunks,
        base64_urls=base64_urls,
    )
    if _wants_v2_list(request):
        if task_types is not None and schemas.TaskType.Parse not in task_types:
            return Json({"tasks": [], "next_cursor": None, "has_more": False})
        oldest_first = sort == schemas.SortOrder.asc
        start, end = _utc(start), _utc(end)
        if cursor is not None:
            # Strictly past the cursor: pages never end inside a group of tasks created at one instant.
            moment = cursor if cursor.tzinfo else cursor.replace(tzinfo=UTC)
            if oldest_first:
                start = moment + ONE_MICROSECOND if start is None else max(start, moment + ONE_MICROSECOND)
            else:
                end = moment - ONE_MICROSECOND if end is None else min(end, moment - ONE_MICROSECOND)
        if start is not None:
            message.start.CopyFrom(codec.timestamp(start))
        if end is not None:
            message.end.CopyFrom(codec.timestamp(end))
        message.oldest_first = oldest_first
        return Json(await _tasks_page(request, message, min(limit or V2_DEFAULT_LIMIT, V2_MAX_LIMIT), who))
    if page is not None:
        message.page = page
    if limit is not None:
        message.limit = limit
    if start is not None:
        message.start.CopyFrom(codec.timestamp(start))
    if end is not None:
        message.end.CopyFrom(codec.timestamp(end))
    if page is None and limit is None:
        # Every task, as Chunkr returns them: keyset pages streamed as one JSON array, so memory
        # stays flat however many there are. The first page is read before the response starts,
        # so a bad key or argument keeps its status code.
        message.page_size = ALL_TASKS_PAGE_WITH_CHUNKS if include_chunks else ALL_TASKS_PAGE
        first = await stub(request).ListTasks(message, metadata=who.metadata)
        return StreamingResponse(_all_tasks(request, message, first, who), media_type="application/json")
    reply = await stub(request).ListTasks(message, metadata=who.metadata)
    return Json([task_json(task, who) for task in reply.tasks])


async def _tasks_page(request: Request, message: pb.ListTasksRequest, limit: int, who: Caller) -> dict[str, Any]:
    """One 2.x page: `{tasks, next_cursor, has_more}`, where `next_cursor` is the
    creation time of the page's last task (Chunkr 2.x's cursor is a timestamp).
    A page never ends inside a group of tasks created at the same instant, so
    "strictly past the cursor" loses none of them; one row past the page tells."""
    message.page_size = limit + 1
    reply = await stub(request).ListTasks(message, metadata=who.metadata)
    rows = list(reply.tasks)
    has_more = len(rows) > limit
    page = rows[:limit]
    if has_more:
        boundary = rows[limit].created_at
        while page and page[-1].created_at == boundary:
            page.pop()
        if not page:  # more than `limit` tasks created at one instant: this page holds them all
            page, has_more = await _whole_instant(request, message, rows, reply.next_page_token, who)
    return {
        "tasks": [task_json_v2(task, who, request) for task in page],
        "next_cursor": codec.timestamp_to_json(page[-1].created_at) if has_more else None,
        "has_more": has_more,
    }


async def _whole_instant(
    request: Request, message: pb.ListTasksRequest, rows: list[pb.Task], token: str, who: Caller
) -> tuple[list[pb.Task], bool]:
    instant = rows[0].created_at
    page = list(rows)
    while token:
        message.page_token = token
        reply = await stub(request).ListTasks(message, metadata=who.metadata)
        for task in reply.tasks:
            if task.created_at != instant:
                return page, True
            page.append(task)
        token = reply.next_page_token
    return page, False


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
