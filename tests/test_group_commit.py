"""Writes that arrive together share one transaction (group commit), on
SQLite and on PostgreSQL, and each still behaves as if it ran alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from chunkr.vocabulary import Status
from server.db import Database, connect
from server.errors import InvalidState, TaskNotFound
from server.models import TaskRow, utcnow
from server.store import TaskStore, events
from server.usage import usage_of
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


def _statements(db: Database, verb: str) -> list[str]:
    """The statements starting with `verb` that the writer's connections run, as they run."""
    seen: list[str] = []
    engine = db.sqlite_writer if db.sqlite_writer is not None else db.writer.sync_engine

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(verb):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def _held_updates(statements: list[str]) -> list[str]:
    """The UPDATEs of the worker's writes among `statements` (after WITH on SQLite)."""
    return [s for s in statements if "UPDATE tasks" in s and "held" in s]


def test_cancels_that_arrive_together_are_one_update_and_each_wins_or_loses_by_its_own_row(url: str) -> None:
    """In one batch: a new task cancelled three times (one wins), a task that expires an hour
    after it finishes, a task already Processing, another owner's task, an id that does not
    exist, and an update being cancelled (its previous state comes back)."""

    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        running = await store.create(_task())
        (claim,) = await store.claim(10, 60)
        updated = await store.create(_task())
        (done,) = await store.claim(10, 60)
        await store.succeed(done, output_key="out", page_count=3, message="Task succeeded")
        await store.update(updated.id, "alice", lambda t: ('{"ocr_strategy":"All"}', t.expires_in), 60)
        expiring, plain, theirs = _task(), _task(), _task()
        expiring.expires_in = 3600
        theirs.owner = "bob"
        for task in (expiring, plain, theirs):
            await store.create(task)
        try:
            before = await _event_count(db)
            updates = _statements(db, "UPDATE")

            outcomes = await asyncio.gather(
                *(store.cancel(expiring.id, "alice") for _ in range(3)),
                store.cancel(plain.id, "alice"),
                store.cancel(running.id, "alice"),
                store.cancel(theirs.id, "alice"),
                store.cancel(str(uuid.uuid4()), "alice"),
                store.cancel(updated.id, "alice"),
                return_exceptions=True,
            )
            won = [o for o in outcomes[:3] if isinstance(o, TaskRow)]
            assert len(won) == 1 and all(isinstance(o, InvalidState) for o in outcomes[:3] if o is not won[0])
            (cancelled,) = won
            assert cancelled.status == Status.CANCELLED and cancelled.finished_at is not None
            assert cancelled.expires_at == cancelled.finished_at + timedelta(seconds=3600)
            assert (await store.get(expiring.id, "alice")).expires_at == cancelled.expires_at
            assert isinstance(outcomes[3], TaskRow) and outcomes[3].status == Status.CANCELLED
            assert outcomes[3].expires_at is None  # expires_in 0: never
            assert isinstance(outcomes[4], InvalidState) and "Processing" in str(outcomes[4])
            assert isinstance(outcomes[5], TaskNotFound) and isinstance(outcomes[6], TaskNotFound)
            assert isinstance(outcomes[7], TaskRow) and outcomes[7].status == Status.SUCCEEDED
            assert outcomes[7].output_key == "out" and outcomes[7].previous is None
            assert (await store.get(theirs.id, "bob")).status == Status.STARTING
            assert (await store.get(running.id, "alice")).status == Status.PROCESSING
            assert await _event_count(db) == before + 3  # the two cancels and the update undone
            # The batch's cancels were one UPDATE, but a second cancel of a task starts another
            # (so that it sees the first); the update's undo is a compare-and-set after a read.
            assert len([s for s in updates if "previous IS NULL" in s]) == 3
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_fifty_cancels_of_fifty_tasks_arriving_together_are_one_statement(url: str) -> None:
    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        created = await asyncio.gather(*(store.create(_task()) for _ in range(50)))
        updates = _statements(db, "UPDATE")
        try:
            cancelled = await asyncio.gather(*(store.cancel(t.id, "alice") for t in created))
            assert sorted(t.id for t in cancelled) == sorted(t.id for t in created)
            assert {t.status for t in cancelled} == {Status.CANCELLED}
            assert {t.version for t in cancelled} == {created[0].version + 1}
            assert len(updates) == 1, updates
            assert await _event_count(db) == 100
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_two_replicas_cancelling_the_same_tasks_at_once_cancel_each_once(url: str) -> None:
    """Two stores on one database (two API replicas) batch their cancels separately, and their
    UPDATEs meet on the same rows: each task is cancelled by exactly one of them."""

    async def scenario() -> None:
        first, second = connect(url), connect(url)
        await first.create_tables()
        stores = TaskStore(first), TaskStore(second)
        created = await asyncio.gather(*(stores[0].create(_task()) for _ in range(30)))
        try:
            outcomes = await asyncio.gather(
                *(store.cancel(task.id, "alice") for task in created for store in stores), return_exceptions=True
            )
            for task, pair in zip(created, zip(outcomes[::2], outcomes[1::2], strict=True), strict=True):
                won = [o for o in pair if isinstance(o, TaskRow)]
                assert len(won) == 1 and won[0].id == task.id and won[0].status == Status.CANCELLED, pair
                assert [type(o) for o in pair if o is not won[0]] == [InvalidState]
            assert await _event_count(first) == 60  # thirty creates, thirty cancels
        finally:
            await first.dispose()
            await second.dispose()

    asyncio.run(scenario())


def test_the_workers_writes_arriving_together_are_one_update_each_kind_and_a_stale_lease_is_refused(url: str) -> None:
    """Progress, succeed and fail of many tasks in one batch: one UPDATE each, every one matching
    only its own task under its own lease. A worker whose lease was lost (the task requeued and
    claimed again by another) has each of its writes refused, batched or not."""

    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        await asyncio.gather(*(store.create(_task()) for _ in range(3)))
        stale = await store.claim(3, -1)  # their leases already expired
        assert len(await store.requeue_lost(max_attempts=5)) == 3
        current = await store.claim(3, 60)
        assert {c.task.id for c in current} == {c.task.id for c in stale}
        await asyncio.gather(*(store.create(_task()) for _ in range(30)))
        claims = await store.claim(30, 60)
        progressing, succeeding, failing = claims[:10], claims[10:20], claims[20:]
        statements = _statements(db, "")
        before = await _event_count(db)
        try:
            outcomes = await asyncio.gather(
                *(store.progress(c, "Layout", 2, 5) for c in progressing),
                store.progress(stale[0], "Layout", 1, 5),
                *(store.succeed(c, output_key=f"out/{c.task.id}", page_count=3, message="done") for c in succeeding),
                store.succeed(stale[1], output_key="stale", page_count=3, message="done"),
                *(store.fail(c, "broken") for c in failing),
                store.fail(stale[2], "stale"),
            )
            assert outcomes[:10] == [True] * 10 and outcomes[10] is False
            succeeded = outcomes[11:21]
            assert [t.id for t in succeeded] == [c.task.id for c in succeeding]  # each its own row
            assert all(t.status == Status.SUCCEEDED and t.output_key == f"out/{t.id}" for t in succeeded)
            assert outcomes[21] is None
            assert [t.status for t in outcomes[22:32]] == [Status.FAILED] * 10 and outcomes[32] is None
            assert len(_held_updates(statements)) == 3  # one per kind
            for c in progressing:
                task = await store.get(c.task.id, "alice")
                assert (task.progress_stage, task.pages_done, task.status) == ("Layout", 2, Status.PROCESSING)
                assert task.version == c.task.version + 1
            for claim in current:
                still = await store.get(claim.task.id, "alice")
                assert still.status == Status.PROCESSING and still.lease_owner == claim.token
                assert still.progress_stage == "Starting" and still.output_key is None
            assert await _event_count(db) == before + 30
            (usage,) = await db.fetch(usage_of("alice"))
            assert usage["pages"] == 30  # ten tasks of three pages; the stale success counted nothing
        finally:
            await db.dispose()

    asyncio.run(scenario())


def test_a_workers_writes_to_one_task_in_one_batch_run_in_arrival_order(url: str) -> None:
    """Progress then success of one task both hold; success then progress: the progress comes
    after the task finished, and is refused, as it would be in transactions of their own."""

    async def scenario() -> None:
        db = connect(url)
        await db.create_tables()
        store = TaskStore(db)
        await asyncio.gather(store.create(_task()), store.create(_task()))
        first, second = await store.claim(2, 60)
        statements = _statements(db, "")
        try:
            progressed, done = await asyncio.gather(
                store.progress(first, "Tables", 1, 1),
                store.succeed(first, output_key="out", page_count=1, message="done"),
            )
            assert progressed is True and done is not None and done.status == Status.SUCCEEDED
            assert done.version == first.task.version + 2
            done, progressed = await asyncio.gather(
                store.succeed(second, output_key="out", page_count=1, message="done"),
                store.progress(second, "Tables", 1, 1),
            )
            assert done is not None and progressed is False
            assert (await store.get(second.task.id, "alice")).progress_stage == "Done"
            assert len(_held_updates(statements)) == 4  # the second write of a task in a batch runs after the first's UPDATE
        finally:
            await db.dispose()

    asyncio.run(scenario())
