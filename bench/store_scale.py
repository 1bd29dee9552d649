"""The store at a million rows: ListTasks pages, the queue claim, GetTask and
the sweeper's scans, timed through TaskStore on SQLite.

    .venv/bin/python -m bench.store_scale [--rows 1000000]

Rows are written straight into SQLite in bulk (the API would take hours to
create a million tasks); every timed operation goes through the real store.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chunkr.vocabulary import Status
from server.db import connect
from server.store import ListQuery, TaskStore, decode_cursor, encode_cursor

OWNERS = 100
ACTIVE_SHARE = 0.001  # a thousand queued tasks among a million


def fill(path: Path, rows: int) -> list[str]:
    """Bulk-insert `rows` tasks; returns a sample of ids."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sample: list[str] = []
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        batch = []
        for i in range(rows):
            task_id = str(uuid.UUID(int=random.getrandbits(128), version=4))
            created = start + timedelta(seconds=i * 2)
            active = random.random() < ACTIVE_SHARE
            status = Status.STARTING.value if active else random.choice(["Succeeded", "Succeeded", "Failed", "Cancelled"])
            batch.append(
                (
                    task_id, f"owner-{i % OWNERS}", status, "", "{}", 0, "doc.pdf", "application/pdf",
                    f"tasks/{task_id}/input/doc.pdf", None, None,
                    created.strftime("%Y-%m-%d %H:%M:%S.%f"), None, None, None,
                    "2099-01-01 00:00:00.000000",
                    0, None, None, "", 0, 0, None, 1,
                )
            )
            if i % 1000 == 0:
                sample.append(task_id)
            if len(batch) == 50_000:
                db.executemany(f"INSERT INTO tasks VALUES ({','.join('?' * 24)})", batch)
                batch.clear()
        if batch:
            db.executemany(f"INSERT INTO tasks VALUES ({','.join('?' * 24)})", batch)
        db.execute("ANALYZE")
    return sample


async def timed(label: str, action: Callable[[], Awaitable[object]], repeat: int = 50) -> tuple[str, float, float]:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return label, statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def measure(path: Path, sample: list[str], rows: int) -> list[tuple[str, float, float]]:
    db = connect(f"sqlite+aiosqlite:///{path}")
    store = TaskStore(db)
    owner = "owner-7"
    first = await store.list(ListQuery(owner=owner, limit=11))
    deep_offset = min(5000, rows // OWNERS // 2)
    deep = await store.list(ListQuery(owner=owner, limit=101, offset=deep_offset))
    cursor = decode_cursor(encode_cursor(deep[-1]))
    results = [
        await timed("ListTasks first page (10)", lambda: store.list(ListQuery(owner=owner, limit=11))),
        await timed("ListTasks keyset page deep in history (100)", lambda: store.list(ListQuery(owner=owner, limit=101, after=cursor))),
        await timed(f"ListTasks page={deep_offset // 100} limit=100 (offset)", lambda: store.list(ListQuery(owner=owner, limit=100, offset=deep_offset - 100))),
        await timed("GetTask by id", lambda: store.get(random.choice(sample), "owner-0")),
    ]

    async def claim_and_release() -> None:
        for claim in await store.claim(1, 60):
            await store.release(claim, "Task queued")

    results.append(await timed("claim + release one task", claim_and_release))
    results += await status_filters(path, store, owner)
    results.append(await timed("sweeper: lost leases + timeouts", lambda: asyncio.gather(store.requeue_lost(3), store.time_out()), repeat=10))
    assert first and deep
    await db.dispose()
    return results


STATUS_INDEX = "ix_tasks_owner_status_created"


async def status_filters(path: Path, store: TaskStore, owner: str) -> list[tuple[str, float, float]]:
    """ListTasks with a status filter, first without the (owner, status, created_at)
    index, as before it existed, then with it: same rows, same run."""
    cases = {
        "status=Starting (0.1 % of rows)": (Status.STARTING,),
        "status=Failed (25 %)": (Status.FAILED,),
        "status in (Failed, Cancelled)": (Status.FAILED, Status.CANCELLED),
    }
    with sqlite3.connect(path) as db:
        index_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (STATUS_INDEX,)).fetchone()[0]
        db.execute(f"DROP INDEX {STATUS_INDEX}")
    results = []
    for label, statuses in cases.items():
        query = ListQuery(owner=owner, limit=11, statuses=statuses)
        results.append(await timed(f"ListTasks {label}, first page (10), without the status index", lambda q=query: store.list(q)))
    with sqlite3.connect(path) as db:
        db.execute(index_sql)
        db.execute("ANALYZE")
    for label, statuses in cases.items():
        query = ListQuery(owner=owner, limit=11, statuses=statuses)
        results.append(await timed(f"ListTasks {label}, first page (10)", lambda q=query: store.list(q)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"

        async def schema() -> None:
            db = connect(f"sqlite+aiosqlite:///{path}")
            await db.create_tables()
            await db.dispose()

        asyncio.run(schema())
        began = time.perf_counter()
        sample = fill(path, args.rows)
        print(f"filled {args.rows:,} rows in {time.perf_counter() - began:.0f}s")
        results = asyncio.run(measure(path, sample, args.rows))
    print(f"| operation at {args.rows:,} rows | median ms | p99 ms |")
    print("| --- | ---: | ---: |")
    for label, median, p99 in results:
        print(f"| {label} | {median:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
