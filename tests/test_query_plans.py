"""The queries that must stay fast at a million rows use their indexes:
checked with SQLite's EXPLAIN QUERY PLAN on the store's own statements."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from chunkr.vocabulary import Status
from server.db import connect
from server.models import utcnow
from server.store import ListQuery, TaskStore, tasks


def plan(db_path: Path, statement) -> str:  # type: ignore[no-untyped-def]
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {compiled}").fetchall()
    return " | ".join(row[-1] for row in rows)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "plans.db"

    async def make() -> None:
        db = connect(f"sqlite+aiosqlite:///{path}")
        await db.create_tables()
        await db.dispose()

    asyncio.run(make())
    return path


def test_list_walks_the_owner_index_without_sorting(db_path: Path) -> None:
    now = utcnow()
    statement = (
        select(tasks)
        .where(*TaskStore._visible("alice"), tasks.c.created_at >= now)
        .order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
        .limit(10)
    )
    text = plan(db_path, statement)
    assert "ix_tasks_owner_created" in text
    assert "TEMP B-TREE" not in text, text
    assert ListQuery(owner="alice", limit=10).offset == 0


def test_claim_uses_the_status_index_without_sorting(db_path: Path) -> None:
    statement = select(tasks.c.id).where(tasks.c.status == Status.STARTING).order_by(tasks.c.created_at).limit(4)
    text = plan(db_path, statement)
    assert "ix_tasks_status_created" in text and "TEMP B-TREE" not in text, text


def test_sweeper_scans_touch_only_active_rows(db_path: Path) -> None:
    now = utcnow()
    lost = select(tasks).where(tasks.c.status == Status.PROCESSING, tasks.c.lease_expires_at < now)
    late = select(tasks).where(tasks.c.status.in_([Status.STARTING, Status.PROCESSING]), tasks.c.deadline_at < now)
    assert "ix_tasks_status_lease" in plan(db_path, lost)
    assert "ix_tasks_status_deadline" in plan(db_path, late)


def test_list_with_a_status_filter_walks_the_owner_status_index_without_sorting(db_path: Path) -> None:
    """Rows of other statuses are never visited, however many there are."""
    for status in Status:
        text = plan(db_path, TaskStore.list_statement(ListQuery(owner="alice", limit=10, statuses=(status,))))
        assert "ix_tasks_owner_status_created" in text and "TEMP B-TREE" not in text, text
