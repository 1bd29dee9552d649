"""The store's gauges from a real database of each kind: tasks by status,
queue depth and the age of the oldest queued task."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chunkr.vocabulary import Status
from server import metrics
from server.db import connect
from server.models import TaskRow, utcnow
from server.store import TaskStore
from tests.test_postgres import database  # noqa: F401  the fixture: a fresh PostgreSQL database


def row(n: int, status: Status, age: float) -> TaskRow:
    return TaskRow(
        id=f"00000000-0000-0000-0000-{n:012d}",
        owner="alice",
        status=status,
        message="",
        file_name="a.pdf",
        mime_type="application/pdf",
        input_key=f"k{n}",
        configuration="{}",
        created_at=utcnow() - timedelta(seconds=age),
        deadline_at=utcnow() + timedelta(hours=1),
    )


async def fill_and_read(url: str) -> None:
    db = connect(url)
    try:
        await db.create_tables()
        store = TaskStore(db)
        for n, (status, age) in enumerate([(Status.STARTING, 120), (Status.STARTING, 5), (Status.SUCCEEDED, 300)]):
            await store.create(row(n, status, age))
        await metrics.refresh_store_gauges(db)
    finally:
        await db.dispose()
    assert metrics.TASKS.labels("Starting")._value.get() == 2
    assert metrics.TASKS.labels("Succeeded")._value.get() == 1
    assert metrics.TASKS.labels("Failed")._value.get() == 0
    assert metrics.QUEUE_DEPTH._value.get() == 2
    assert 120 <= metrics.QUEUE_OLDEST._value.get() < 3600


async def test_gauges_from_sqlite(tmp_path: Path) -> None:
    await fill_and_read(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")


async def test_gauges_from_postgresql(database: str) -> None:  # noqa: F811
    await fill_and_read(database)
