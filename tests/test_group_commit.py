"""Writes that arrive together share one transaction (group commit), on
SQLite and on PostgreSQL, and each still behaves as if it ran alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from chunkr.vocabulary import Status
from server.db import Database, connect
from server.errors import InvalidState
from server.models import TaskRow, utcnow
from server.store import TaskStore, events
from tests.test_postgres import ADMIN_DSN, _admin


def _task(task_id: str | None = None) -> TaskRow:
    now = utcnow()
    return TaskRow(
        id=task_id or str(uuid.uuid4()),
        owner="alice",
        status=Status.STARTING,
        configuration="{}",
        input_key="tasks/x/input/doc.pdf",
        created_at=now,
        deadline_at=now + timedelta(hours=1),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'batch.db'}"
        return
    name = f"chunkd_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield ADMIN_DSN.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _event_count(db: Database) -> int:
    (row,) = await db.fetch(select(func.count().label("n")).select_from(events))
    return int(row["n"])


def test_a_failing_write_fails_alone_and_the_others_commit_with_their_events(url: str) -> None:
    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        taken = await store.create(_task())
        fresh = [_task() for _ in range(40)]
        # The duplicate id arrives among forty good creates, in the same batches.
        outcomes = await asyncio.gather(
            *(store.create(t) for t in fresh[:20]),
            store.create(_task(taken.id)),
            *(store.create(t) for t in fresh[20:]),
            return_exceptions=True,
        )
        try:
            failed = [o for o in outcomes if isinstance(o, BaseException)]
            assert len(failed) == 1 and isinstance(failed[0], IntegrityError), failed
            for task in fresh:
                assert (await store.get(task.id, "alice")).status == Status.STARTING
            assert await _event_count(db) == 41
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_fifty_concurrent_cancels_of_one_task_cancel_it_once(url: str) -> None:
    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        task = await store.create(_task())
        outcomes = await asyncio.gather(*(store.cancel(task.id, "alice") for _ in range(50)), return_exceptions=True)
        try:
            cancelled = [o for o in outcomes if isinstance(o, TaskRow)]
            refused = [o for o in outcomes if isinstance(o, InvalidState)]
            assert len(cancelled) == 1 and len(refused) == 49, outcomes[:3]
            assert cancelled[0].status == Status.CANCELLED and cancelled[0].version == task.version + 1
            assert await _event_count(db) == 2  # the create and the one cancel
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_a_claim_in_the_batch_of_creates_sees_the_tasks_created_before_it(url: str) -> None:
    """Creates are inserted together at the end of their batch, or before any other
    write of tasks in it: a claim queued after them takes them."""

    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        fresh = [_task() for _ in range(10)]
        try:
            *_, claims = await asyncio.gather(*(store.create(t) for t in fresh), store.claim(100, 60))
            assert {claim.task.id for claim in claims} == {t.id for t in fresh}
            assert [(await store.get(t.id, "alice")).status for t in fresh] == [Status.PROCESSING] * 10
            assert await _event_count(db) == 20  # ten creates, ten claims
        finally:
            await db.dispose()

    asyncio.run(scenario())
