"""A write cancelled half way (a heartbeat or progress report cut off when its
task ends) must not leave SQLite's write lock behind for everyone else."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path

from chunkr.vocabulary import Status
from server.db import connect
from server.models import TaskRow, utcnow
from server.store import TaskStore


def _task(n: int) -> TaskRow:
    now = utcnow()
    return TaskRow(
        id=f"00000000-0000-4000-8000-{n:012d}",
        owner="alice",
        status=Status.STARTING,
        configuration="{}",
        input_key="tasks/x/input/doc.pdf",
        created_at=now,
        deadline_at=now + timedelta(hours=1),
    )


def test_cancelled_writes_leave_no_lock_behind(tmp_path: Path) -> None:
    async def scenario() -> None:
        db = connect(f"sqlite+aiosqlite:///{tmp_path / 'cancel.db'}")
        await db.create_tables()
        store = TaskStore(db)
        for n in range(20):
            await store.create(_task(n))
        claims = await store.claim(20, 3600)
        random.seed(3)
        for round_ in range(200):
            claim = claims[round_ % len(claims)]
            write = asyncio.create_task(store.progress(claim, "Segmenting", round_, 200))
            await asyncio.sleep(random.random() * 0.004)
            write.cancel()
        # Every writer after them still gets the lock, promptly.
        other = connect(f"sqlite+aiosqlite:///{tmp_path / 'cancel.db'}")
        try:
            await asyncio.wait_for(TaskStore(other).create(_task(999)), timeout=20)
            await asyncio.wait_for(store.create(_task(998)), timeout=20)
        finally:
            await other.dispose()
            await db.dispose()

    asyncio.run(scenario())
