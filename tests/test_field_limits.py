"""Every string a caller sends fits where it is stored: one too long (or holding a NUL,
which PostgreSQL's text cannot hold) is INVALID_ARGUMENT / 400 with a message naming
the field and the limit, over gRPC and REST, on PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.gateway.rest import assert_plain_error
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import auth, open_channel, rpc_error
from tests.test_postgres import database  # noqa: F401  the fixture: a fresh PostgreSQL database

PDF = CORPUS / "pdf" / "multi_page.pdf"
HUGE = "n" * 1_000_000


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # a module-scoped database of its own, made as the function-scoped fixture makes it
    import asyncio
    import uuid

    from tests.test_postgres import _admin

    name = f"chunkd_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    server = start_server(tmp_path_factory.mktemp("limits"), {"CHUNKD_DATABASE_URL": url}, "--no-worker")
    yield server
    server.stop()
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def stub(pg: RunningServer) -> Iterator[tasks_pb2_grpc.TaskServiceStub]:
    with open_channel(pg.grpc_address) as channel:
        yield tasks_pb2_grpc.TaskServiceStub(channel)


@pytest.fixture(scope="module")
def http(pg: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=pg.http_url + "/api/v1", headers={"Authorization": pg.api_key}, timeout=60) as client:
        yield client


def _create(stub: tasks_pb2_grpc.TaskServiceStub, key: str, **fields: object) -> pb.Task:
    return stub.CreateTask(pb.CreateTaskRequest(file=PDF.read_bytes(), **fields), metadata=auth(key))  # type: ignore[arg-type]


GRPC_CASES = [
    ("file_name of a million characters", {"file_name": HUGE}, "file_name is too long: 1,000,000 characters (the limit is 1,000)"),
    ("file_name with a NUL", {"file_name": "a\x00b.pdf"}, "file_name must not contain NUL characters"),
    (
        "tokenizer of a million characters",
        {"configuration": pb.Configuration(chunk_processing=pb.ChunkProcessing(tokenizer=HUGE))},
        "Invalid chunk_processing.tokenizer: 1,000,000 characters (the limit is 1000)",
    ),
    (
        "llm name of a million characters",
        {"configuration": pb.Configuration(segment_processing=pb.SegmentProcessing(table=pb.GenerationConfig(llm=HUGE)))},
        "Invalid segment_processing.table.llm: 1,000,000 characters (the limit is 1000)",
    ),
]


@pytest.mark.parametrize(("name", "fields", "message"), GRPC_CASES, ids=[c[0] for c in GRPC_CASES])
def test_an_oversized_string_is_invalid_argument_over_grpc(
    stub: tasks_pb2_grpc.TaskServiceStub, pg: RunningServer, name: str, fields: dict[str, object], message: str
) -> None:
    error = rpc_error(lambda: _create(stub, pg.api_key, **fields))
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, message)


def test_a_url_or_page_token_too_long_is_invalid_argument(stub: tasks_pb2_grpc.TaskServiceStub, pg: RunningServer) -> None:
    url = rpc_error(
        lambda: stub.CreateTask(pb.CreateTaskRequest(url="https://example.com/" + HUGE), metadata=auth(pg.api_key))
    )
    assert (url.code(), url.details()) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "url is too long: 1,000,020 characters (the limit is 8,192)",
    )
    token = rpc_error(lambda: stub.ListTasks(pb.ListTasksRequest(page_token=HUGE), metadata=auth(pg.api_key)))
    assert token.code() == grpc.StatusCode.INVALID_ARGUMENT and "page_token is too long" in token.details()


def test_a_file_name_of_exactly_the_limit_is_stored_whole(stub: tasks_pb2_grpc.TaskServiceStub, pg: RunningServer) -> None:
    import asyncio

    from server.db import connect
    from server.store import TaskStore
    from tests.support import server_settings

    name = "n" * 996 + ".pdf"
    task = _create(stub, pg.api_key, file_name=name)

    async def stored() -> str:
        db = connect(server_settings(pg).sqlalchemy_url)
        try:
            return (await TaskStore(db).get(task.task_id, "alice")).file_name
        finally:
            await db.dispose()

    assert asyncio.run(stored()) == name


def test_an_oversized_file_name_is_400_over_rest_as_json_and_as_a_form(http: httpx.Client) -> None:
    as_json = http.post("/task/parse", json={"file": base64.b64encode(PDF.read_bytes()).decode(), "file_name": HUGE})
    assert_plain_error(as_json, 400, "file_name is too long: 1,000,000 characters (the limit is 1,000)")
    as_form = http.post("/task/parse", files={"file": ("x.pdf", PDF.read_bytes())}, data={"file_name": HUGE})
    assert_plain_error(as_form, 400, "file_name is too long: 1,000,000 characters (the limit is 1,000)")


def test_the_server_keeps_serving_after_oversized_fields(stub: tasks_pb2_grpc.TaskServiceStub, pg: RunningServer, tmp_path: Path) -> None:
    for _, fields, _ in GRPC_CASES:
        rpc_error(lambda fields=fields: _create(stub, pg.api_key, **fields))  # type: ignore[misc]
    assert _create(stub, pg.api_key, file_name="fine.pdf").status == pb.TASK_STATUS_STARTING
