"""`list` over more tasks than one page holds (the `owner` fixture's 250):
every task exactly once, newest first, pages fetched only as the iteration
reaches them, filters applied by the server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

import grpc
import pytest

from client import AsyncTaskClient, Status, TaskClient
from tests.client.calls import CallCounter
from tests.client.conftest import TASKS, Owner
from tests.harness import RunningServer


@pytest.fixture
def lister(idle: RunningServer, owner: Owner) -> Iterator[tuple[TaskClient, CallCounter]]:
    counter = CallCounter()
    with grpc.insecure_channel(idle.grpc_address) as channel:
        yield TaskClient(idle.grpc_address, owner.key, channel=grpc.intercept_channel(channel, counter)), counter


def test_list_walks_every_page_newest_first(lister: tuple[TaskClient, CallCounter], owner: Owner) -> None:
    client, counter = lister
    pages = list(client.list(page_size=100).pages())
    assert [len(p.tasks) for p in pages] == [100, 100, 50]
    assert [bool(p.next_page_token) for p in pages] == [True, True, False]
    tasks = [t for p in pages for t in p.tasks]
    assert sorted(t.task_id for t in tasks) == sorted(owner.task_ids)
    created = [t.created_at for t in tasks]
    assert created == sorted(created, reverse=True)
    # the last batch created is the first listed
    assert {t.task_id for t in tasks[:50]} == set(owner.task_ids[-50:])
    assert counter.calls == ["ListTasks"] * 3
    assert [t.task_id for t in client.list(page_size=100)] == [t.task_id for t in tasks]


def test_list_fetches_a_page_only_when_it_is_reached(lister: tuple[TaskClient, CallCounter]) -> None:
    client, counter = lister
    tasks = iter(client.list(page_size=100))
    assert counter.calls == []  # nothing is asked before iterating
    assert len(list(islice(tasks, 100))) == 100
    assert counter.calls == ["ListTasks"]
    assert len(list(islice(tasks, 1))) == 1
    assert counter.calls == ["ListTasks"] * 2


def test_list_filters_by_status_and_time(lister: tuple[TaskClient, CallCounter], owner: Owner) -> None:
    client, _ = lister
    assert {t.task_id for t in client.list(status="cancelled", page_size=3)} == owner.cancelled
    assert len(list(client.list(status=[Status.STARTING, Status.CANCELLED]))) == TASKS
    assert list(client.list(status=Status.SUCCEEDED)) == []
    assert len(list(client.list(since=timedelta(hours=1)))) == TASKS
    assert list(client.list(since=datetime.now(UTC) + timedelta(minutes=1))) == []
    assert list(client.list(until=datetime.now(UTC) - timedelta(hours=1))) == []


def test_async_list_walks_every_page(idle: RunningServer, owner: Owner) -> None:
    async def collect() -> tuple[list[int], list[str]]:
        async with AsyncTaskClient(idle.grpc_address, owner.key) as client:
            sizes = [len(page.tasks) async for page in client.list(page_size=120).pages()]
            ids = [task.task_id async for task in client.list(page_size=120)]
            return sizes, ids

    sizes, ids = asyncio.run(collect())
    assert sizes == [120, 120, 10]
    assert sorted(ids) == sorted(owner.task_ids)
