"""Async engines: SQLite (WAL, busy timeout) by default, PostgreSQL by URL.

SQLite allows one writer at a time. Writes go through their own engine with a
single connection that opens every transaction with BEGIN IMMEDIATE, so
writers in this process queue on the pool instead of failing with "database is
locked", and writers in other processes wait on the busy timeout. Reads use a
separate pool and never block on writers (WAL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

from server import models  # noqa: F401  (registers the tables)


@dataclass(frozen=True)
class Database:
    reader: AsyncEngine
    writer: AsyncEngine

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    async def create_tables(self) -> None:
        async with self.writer.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def _sqlite_engine(url: str, *, writer: bool) -> AsyncEngine:
    if writer:
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=120
        )
    else:
        # Reads are single statements: autocommit needs no BEGIN, and nothing to reset.
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=8, pool_reset_on_return=None)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if writer:

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection) -> None:  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def connect(url: str) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        return Database(reader=engine, writer=engine)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return Database(reader=_sqlite_engine(url, writer=False), writer=_sqlite_engine(url, writer=True))
