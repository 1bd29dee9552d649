"""A database made before the per-key limits is brought up to the models when
chunkd opens it, on SQLite and on PostgreSQL: the new columns are added in
place, its keys keep working (with the settings' limits), and opening it
again changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, MetaData, inspect, text

from server.auth import KeyLimits, KeyRing
from server.db import connect
from server.migrations import UnsafeMigration, add_missing_columns
from server.models import utcnow
from tests.test_postgres import database  # noqa: F401  (fixture: a fresh PostgreSQL database)

NEW_COLUMNS = ("rate_limit_rps", "pages_per_day", "max_running_tasks")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        yield request.getfixturevalue("database")


def columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


async def migrate_an_old_database(url: str) -> None:
    db = connect(url)
    try:
        await db.create_tables()

        def make_it_old(connection: Connection) -> None:
            for name in NEW_COLUMNS:  # api_keys as it was before the per-key limits
                connection.execute(text(f"ALTER TABLE api_keys DROP COLUMN {name}"))
            connection.execute(text("DROP TABLE page_usage"))
            connection.execute(
                text("INSERT INTO api_keys (owner, name, key_hash, created_at, revoked) VALUES (:o, :o, :h, :t, :r)"),
                {"o": "old", "h": "0" * 64, "t": utcnow(), "r": False},
            )

        await db.transaction(make_it_old)
        assert not set(NEW_COLUMNS) & await db.transaction(lambda c: columns(c, "api_keys"))
    finally:
        await db.dispose()

    for _ in range(2):  # a restart, then another: the second finds nothing to do
        db = connect(url)
        try:
            await db.create_tables()
            assert set(NEW_COLUMNS) <= await db.transaction(lambda c: columns(c, "api_keys"))
            assert "page_usage" in await db.transaction(lambda c: set(inspect(c).get_table_names()))
        finally:
            await db.dispose()

    db = connect(url)
    try:
        keys = KeyRing(db)
        old = await db.fetch(text("SELECT owner, rate_limit_rps, pages_per_day, max_running_tasks FROM api_keys"))
        assert [dict(row) for row in old] == [
            {"owner": "old", "rate_limit_rps": None, "pages_per_day": None, "max_running_tasks": None}
        ]
        key = await keys.create("new", limits=KeyLimits(rate_limit_rps=1.5, pages_per_day=10, max_running_tasks=2))
        caller = await keys.lookup(key)
        assert caller is not None and caller.limits == KeyLimits(1.5, 10, 2)
    finally:
        await db.dispose()


def test_an_old_database_gains_the_new_columns_in_place_and_again_is_a_no_op(url: str) -> None:
    asyncio.run(migrate_an_old_database(url))


def test_a_column_that_cannot_be_added_in_place_is_refused_by_name(tmp_path: Path) -> None:
    from sqlalchemy import Column, Integer, Table, create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE things (id INTEGER PRIMARY KEY)"))
        metadata = MetaData()
        Table("things", metadata, Column("id", Integer, primary_key=True), Column("size", Integer, nullable=False))
        with pytest.raises(UnsafeMigration, match=r"things\.size cannot be added to an existing table"):
            add_missing_columns(connection, metadata)
    engine.dispose()
