"""Writes through TaskStore alone (no gRPC): N creates, then N cancels of those
tasks, from `--concurrency` coroutines in one process; then the worker's side: N
more tasks claimed, a progress report for each, then each finished (half succeed,
half fail).

    .venv/bin/python -m bench.store_writes [--database URL] [--tasks 2000] [--concurrency 64]

Without --database, a fresh SQLite file; a PostgreSQL URL
(postgresql+asyncpg://...) is used as it is, so give it a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from chunkr.vocabulary import Status
from server.db import connect
from server.models import TaskRow, utcnow
from server.store import TaskStore


def new_task() -> TaskRow:
    now = utcnow()
    return TaskRow(
        id=str(uuid.uuid4()),
        owner="bench",
        status=Status.STARTING,
        configuration="{}",
        input_key="tasks/x/input/doc.pdf",
        created_at=now,
        deadline_at=now + timedelta(hours=1),
    )


async def rate(calls: list[Callable[[], Awaitable[object]]], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await call()

    began = time.perf_counter()
    await asyncio.gather(*(one(call) for call in calls))
    return len(calls) / (time.perf_counter() - began)


async def main(url: str, count: int, concurrency: int) -> None:
    db = connect(url)
    await db.create_tables()
    store = TaskStore(db)
    tasks = [new_task() for _ in range(count)]
    try:
        creates = await rate([lambda t=t: store.create(t) for t in tasks], concurrency)
        cancels = await rate([lambda t=t: store.cancel(t.id, "bench") for t in tasks], concurrency)
        await rate([lambda: store.create(new_task()) for _ in range(count)], concurrency)
        claims = await store.claim(count, 3600)
        progress = await rate([lambda c=c: store.progress(c, "Layout", 1, 2) for c in claims], concurrency)
        finishes = await rate(
            [
                (lambda c=c: store.succeed(c, output_key="out", page_count=2, message="Task succeeded"))
                if i % 2
                else (lambda c=c: store.fail(c, "Task failed"))
                for i, c in enumerate(claims)
            ],
            concurrency,
        )
    finally:
        await db.dispose()
    print(
        f"{count} tasks, {concurrency} at a time: {creates:,.0f} creates/s, {cancels:,.0f} cancels/s, "
        f"{progress:,.0f} progress/s, {finishes:,.0f} succeed or fail/s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="")
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database or f"sqlite+aiosqlite:///{tmp}/writes.db", args.tasks, args.concurrency))
