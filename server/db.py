"""Database access: SQLite (WAL, busy timeout) by default, PostgreSQL by URL.

SQLite allows one writer at a time. Writes go through an async engine with a
single connection that opens every transaction with BEGIN IMMEDIATE, so
writers in this process queue on the pool instead of failing with "database
is locked", and writers in other processes wait on the busy timeout. SQLite
reads run on plain pysqlite in a small thread pool: one thread hop per query
instead of aiosqlite's several, which more than doubles GetTask's throughput,
and WAL keeps them from ever waiting on the writer. PostgreSQL does both
through one asyncpg pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, RowMapping, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable
from sqlmodel import SQLModel

from server import models  # noqa: F401  (registers the tables)

SQLITE_READ_THREADS = 4

T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    writer: AsyncEngine
    sqlite_reader: Engine | None = None
    _read_threads: ThreadPoolExecutor | None = None

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    async def transaction(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Runs `work` in one write transaction that its caller's cancellation
        cannot abandon half way: a transaction cut off between BEGIN IMMEDIATE
        and COMMIT would leave SQLite's write lock with a connection nobody
        finishes, and every other writer would wait on it until "database is
        locked". A cancelled caller stops waiting; the transaction completes."""

        async def run() -> T:
            async with self.writer.begin() as connection:
                return await work(connection)

        return await asyncio.shield(run())

    async def fetch(self, statement: Executable) -> Sequence[RowMapping]:
        """Runs one read statement and returns its rows."""
        if self.sqlite_reader is None:
            async with self.writer.connect() as connection:
                return (await connection.execute(statement)).mappings().all()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_threads, self._fetch_sqlite, statement)

    def _fetch_sqlite(self, statement: Executable) -> Sequence[RowMapping]:
        assert self.sqlite_reader is not None
        with self.sqlite_reader.connect() as connection:
            return connection.execute(statement).mappings().all()

    async def create_tables(self) -> None:
        async with self.writer.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.sqlite_reader is not None:
            self.sqlite_reader.dispose()
        if self._read_threads is not None:
            self._read_threads.shutdown(wait=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, issues BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_writer(url: str) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0, pool_timeout=120)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _sqlite_reader(url: str) -> Engine:
    # Reads are single statements: autocommit needs no BEGIN, and nothing to reset.
    engine = create_engine(
        url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1),
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=SQLITE_READ_THREADS,
        pool_reset_on_return=None,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def connect(url: str) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return Database(writer=create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True))
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return Database(
        writer=_sqlite_writer(url),
        sqlite_reader=_sqlite_reader(url),
        _read_threads=ThreadPoolExecutor(SQLITE_READ_THREADS, "db-read"),
    )
