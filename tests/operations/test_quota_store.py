"""The quotas in the store, on SQLite and PostgreSQL: creates that race each
other never overshoot the running-tasks limit (the check and the insert share
one transaction; on PostgreSQL an advisory lock per owner orders them), and a
task's pages count once, when its worker's success commits; the counts of
days before yesterday are swept away."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from chunkr.vocabulary import Status
from server import usage
from server.blobs.local import BlobStore
from server.config import Settings
from server.db import connect
from server.models import TaskRow, utcnow
from server.quotas import Quota, QuotaExceeded, check
from server.store import TaskStore
from server.sweeper import Sweeper
from server.usage import pages_used
from server.webhooks import WebhookStore
from tests.test_postgres import database  # noqa: F401  (fixture: a fresh PostgreSQL database)

RACERS = 12
LIMIT = 3
REPLICAS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'quotas.db'}"
    else:
        yield request.getfixturevalue("database")


def task(owner: str) -> TaskRow:
    now = utcnow()
    return TaskRow(
        id=str(uuid.uuid4()),
        owner=owner,
        status=Status.STARTING,
        configuration="{}",
        input_key="tasks/x/input/a.pdf",
        created_at=now,
        deadline_at=now + timedelta(hours=1),
    )


async def race_and_count(url: str) -> None:
    db = connect(url)
    replicas = [connect(url) for _ in range(REPLICAS)]  # transactions of their own, in parallel
    try:
        await db.create_tables()
        store = TaskStore(db)
        quota = Quota(max_running_tasks=LIMIT, pages_per_day=5)

        async def attempt(n: int, owner: str) -> bool:
            try:
                await TaskStore(replicas[n % REPLICAS]).create(
                    task(owner), lambda connection: check(connection, owner, quota)
                )
            except QuotaExceeded:
                return False
            return True

        owners = ["alice"] * RACERS + ["bob"] * RACERS
        created = await asyncio.gather(*(attempt(n, owner) for n, owner in enumerate(owners)))
        assert created[:RACERS].count(True) == LIMIT  # never one more, however the creates interleave
        assert created[RACERS:].count(True) == LIMIT  # bob's limit is his own

        claims = await store.claim(1, lease=60)
        owner = claims[0].task.owner
        finished = await store.succeed(claims[0], output_key="k", page_count=4, message="Task succeeded")
        assert finished is not None
        assert await store.succeed(claims[0], output_key="k", page_count=4, message="again") is None  # lease gone
        assert await db.transaction(lambda connection: pages_used(connection, owner)) == 4
        await store.create(task(owner), lambda connection: check(connection, owner, quota))  # 4 < 5, a place free

        claims = await store.claim(10, lease=60)
        for claim in claims:
            if claim.task.owner == owner:
                await store.succeed(claim, output_key="k", page_count=1, message="Task succeeded")
        assert await db.transaction(lambda connection: pages_used(connection, owner)) == 4 + sum(
            1 for claim in claims if claim.task.owner == owner
        )
        with pytest.raises(QuotaExceeded, match="Daily page quota reached for this API key"):
            await store.create(task(owner), lambda connection: check(connection, owner, quota))
    finally:
        for replica in replicas:
            await replica.dispose()
        await db.dispose()


def test_racing_creates_stop_at_the_limit_and_pages_count_once_per_success(url: str) -> None:
    asyncio.run(race_and_count(url))


async def sweep_old_counts(url: str) -> None:
    db = connect(url)
    try:
        await db.create_tables()
        utc_today = usage.today()
        for days_ago in (0, 1, 2, 30):
            day = utc_today - timedelta(days=days_ago)
            await db.transaction(lambda connection, day=day: usage.count_pages(connection, "alice", 10, day))
        blobs = BlobStore(Path(tempfile.mkdtemp()))
        await Sweeper(Settings(), TaskStore(db), blobs, WebhookStore(db)).sweep_once()
        kept = await db.fetch(select(usage.page_usage.c.day).order_by(usage.page_usage.c.day))
        assert [row["day"] for row in kept] == [utc_today - timedelta(days=1), utc_today]
    finally:
        await db.dispose()


def test_the_sweeper_drops_page_counts_of_days_before_yesterday(url: str) -> None:
    asyncio.run(sweep_old_counts(url))
