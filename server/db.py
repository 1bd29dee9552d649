"""Database access: SQLite (WAL, busy timeout) by default, PostgreSQL by URL.

SQLite allows one writer at a time. Writes run on one thread with one
pysqlite connection that opens every transaction with BEGIN IMMEDIATE, so
writers in other processes wait on the busy timeout; writes that arrive
together share a transaction (server/group_commit.py), on PostgreSQL too. SQLite
reads run on plain pysqlite in a small thread pool: one thread hop per query
instead of aiosqlite's several, which more than doubles GetTask's throughput,
and WAL keeps them from ever waiting on the writer. Reads of one row by
primary key (GetTask's) run on the event loop's own thread instead: the read
takes microseconds, less than the thread hop and the GIL hand-over it would
wait for. PostgreSQL does reads and writes through one SQLAlchemy asyncpg
pool, and point reads on a plain asyncpg pool (one round trip, no BEGIN).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RowMapping, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable
from sqlmodel import SQLModel

from server import metrics, models  # noqa: F401  (models registers the tables)
from server.group_commit import GroupCommit, Outcome, Work, run_batch
from server.migrations import add_missing_columns
from server.prepared_read import PreparedRead

SQLITE_READ_THREADS = 4
POSTGRES_POOL = 16  # each of the two pools: about the 10 + 20 of before, in all
POSTGRES_WRITERS = 4  # write transactions in flight at once

T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    writer: AsyncEngine
    sqlite_reader: Engine | None = None
    _read_threads: ThreadPoolExecutor | None = None
    sqlite_writer: Engine | None = None
    _write_thread: ThreadPoolExecutor | None = None
    _inline: dict[str, Any] = field(default_factory=dict)  # the drivers' own connections, for read_one
    _commits: GroupCommit = field(init=False)
    # Run last in every write transaction (the store writes its events there).
    before_commit: list[Work] = field(default_factory=list)

    def __post_init__(self) -> None:
        parallel = 1 if self.sqlite_writer is not None else POSTGRES_WRITERS
        wait = metrics.WRITE_WAIT.labels("sqlite" if self.sqlite_writer is not None else "postgresql")
        object.__setattr__(self, "_commits", GroupCommit(self._commit, parallel, wait.observe))

    async def read_one(self, read: PreparedRead, **values: Any) -> dict[str, Any] | None:
        """One row by primary key. On SQLite it is read on the calling (event
        loop) thread: a few microseconds, less than a hop to a read thread."""
        if self.sqlite_reader is not None:
            compiled = read.compiled(self.sqlite_reader.dialect)
            raw = self._inline_sqlite().execute(compiled.sql, compiled.params(values)).fetchone()
        else:
            compiled = read.compiled(self.writer.dialect)
            raw = await (await self._asyncpg_pool()).fetchrow(compiled.sql, *compiled.params(values))
        return compiled.mapping(raw) if raw is not None else None

    def _inline_sqlite(self) -> sqlite3.Connection:
        connection = self._inline.get("sqlite")
        if connection is None:
            assert self.sqlite_reader is not None
            database = self.sqlite_reader.url.database or ":memory:"
            connection = sqlite3.connect(database, timeout=30, isolation_level=None)
            _sqlite_pragmas(connection)
            self._inline["sqlite"] = connection
        return connection

    async def _asyncpg_pool(self) -> Any:
        pool = self._inline.get("asyncpg")
        if pool is None:
            import asyncpg

            dsn = self.writer.url.set(drivername="postgresql").render_as_string(hide_password=False)
            pool = await asyncpg.create_pool(dsn, min_size=1, max_size=POSTGRES_POOL)
            if "asyncpg" in self._inline:  # another caller made one meanwhile
                await pool.close()
                return self._inline["asyncpg"]
            self._inline["asyncpg"] = pool
        return pool

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    async def transaction(self, work: Callable[[Connection], T]) -> T:
        """Runs `work` (synchronous SQLAlchemy Core on the connection it is
        given) in a write transaction, shared with the writes of concurrent
        callers. Its caller's cancellation cannot abandon it half way: a
        transaction cut off between BEGIN IMMEDIATE and COMMIT would leave
        SQLite's write lock with a connection nobody finishes. A cancelled
        caller stops waiting; the transaction completes."""
        result: T = await self._commits.run(work)
        return result

    def _finish(self, connection: Connection) -> None:
        for hook in self.before_commit:
            hook(connection)

    async def _commit(self, works: list[Work]) -> list[Outcome]:
        if self.sqlite_writer is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._write_thread, run_batch, self.sqlite_writer.connect, works, self._finish
            )
        async with self.writer.connect() as connection:
            return await connection.run_sync(lambda sync: run_batch(lambda: nullcontext(sync), works, self._finish))

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
        def create(connection: Connection) -> None:
            SQLModel.metadata.create_all(connection)
            add_missing_columns(connection, SQLModel.metadata)
            # create_all makes a table's indexes only with the table: an index
            # added since an existing database was made is created here.
            for table in SQLModel.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(connection, checkfirst=True)

        await self.transaction(create)

    async def dispose(self) -> None:
        if "sqlite" in self._inline:
            self._inline.pop("sqlite").close()
        if "asyncpg" in self._inline:
            await self._inline.pop("asyncpg").close()
        await self.writer.dispose()
        if self._write_thread is not None:
            assert self.sqlite_writer is not None
            await asyncio.get_running_loop().run_in_executor(self._write_thread, self.sqlite_writer.dispose)
            self._write_thread.shutdown(wait=False)
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


def _sqlite_writer(url: str) -> Engine:
    """Used from the one writer thread only."""
    engine = create_engine(
        url.replace("sqlite+aiosqlite", "sqlite+pysqlite", 1),
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=1,
        max_overflow=0,
    )
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
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
        # A fixed pool: overflow connections are closed as soon as they are
        # returned, so a steady load above pool_size would open one per query.
        return Database(
            writer=create_async_engine(
                url, pool_size=POSTGRES_POOL, max_overflow=0, pool_timeout=60, pool_pre_ping=True
            )
        )
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return Database(
        writer=create_async_engine(url),  # names the dialect; SQLite writes go through sqlite_writer
        sqlite_reader=_sqlite_reader(url),
        _read_threads=ThreadPoolExecutor(SQLITE_READ_THREADS, "db-read"),
        sqlite_writer=_sqlite_writer(url),
        _write_thread=ThreadPoolExecutor(1, "db-write"),
    )
