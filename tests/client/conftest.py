"""Fixtures for the client tests: the session's working server (tests/conftest.py)
and an idle one whose tasks stay Starting because it runs no worker, so that
cancel, listing and reconnect tests control when a task moves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from client import AsyncTaskClient, TaskClient
from tests.harness import CORPUS, RunningServer, start_server

PDF = CORPUS / "pdf" / "multi_page.pdf"
TASKS = 250


@pytest.fixture(scope="session")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("client-idle"), None, "--no-worker", "--no-gateway")
    yield server
    server.stop()


@pytest.fixture
def client(server: RunningServer) -> Iterator[TaskClient]:
    with TaskClient(server.grpc_address, server.api_key) as chunkd:
        yield chunkd


@pytest.fixture
def idle_client(idle: RunningServer) -> Iterator[TaskClient]:
    """A client of the idle server with an owner of its own: it sees only
    the tasks the test creates."""
    with TaskClient(idle.grpc_address, idle.create_api_key("client-test")) as chunkd:
        yield chunkd


@dataclass(frozen=True)
class Owner:
    key: str
    task_ids: list[str]  # in creation order
    cancelled: set[str]


@pytest.fixture(scope="session")
def owner(idle: RunningServer) -> Owner:
    """An owner with 250 tasks on the idle server (so they stay Starting),
    created concurrently by the async client; the oldest 10 are cancelled."""
    key = idle.create_api_key("lister")

    async def fill() -> Owner:
        async with AsyncTaskClient(idle.grpc_address, key) as client:
            data = PDF.read_bytes()
            ids: list[str] = []
            for batch in range(0, TASKS, 50):  # batches keep creation order coarse but known
                created = await asyncio.gather(*(client.create(data, file_name=f"{i}.pdf") for i in range(batch, batch + 50)))
                ids.extend(t.task_id for t in created)
            cancelled = await asyncio.gather(*(client.cancel(task_id) for task_id in ids[:10]))
            return Owner(key, ids, {t.task_id for t in cancelled})

    return asyncio.run(fill())
