"""Group commit: the writes that arrive while a transaction is committing go
into the next transaction together, so concurrent callers share one BEGIN, one
COMMIT (one fsync on PostgreSQL) and, on SQLite, one hop to the writer thread.

Each write is a function of a connection run in arrival order inside the
batch's transaction, so it sees every earlier write of the batch: a
compare-and-set stays exact (of two conflicting changes the second matches no
row, as it would in a transaction of its own). A write that raises rolls the
batch back; the others are then run again, each in a transaction of its own,
so one bad write fails alone. Results are handed back only after the commit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Connection

Work = Callable[[Connection], Any]
Outcome = tuple[bool, Any]  # (succeeded, result or exception)
MAX_BATCH = 256


def run_batch(connection_for: Callable[[], Any], works: list[Work], finish: Work | None = None) -> list[Outcome]:
    """Runs `works` in one transaction of `connection_for().begin()`, then
    `finish` (what the works left for the end of the transaction), or each in
    its own transaction when one of them fails. Synchronous: for the writer
    thread, or for AsyncConnection.run_sync."""
    try:
        with connection_for() as connection, connection.begin():
            results = [work(connection) for work in works]
            if finish is not None:
                finish(connection)
        return [(True, result) for result in results]
    except Exception as exc:  # noqa: BLE001  (handed back to the caller whose write raised it)
        if len(works) == 1:
            return [(False, exc)]
    return [run_batch(connection_for, [work], finish)[0] for work in works]


class GroupCommit:
    """`parallel` transactions may be in flight at once: 1 for SQLite (one
    writer at a time anyway); more on PostgreSQL, whose row locks keep each
    compare-and-set exact across transactions as they did before batching."""

    def __init__(
        self,
        commit: Callable[[list[Work]], Awaitable[list[Outcome]]],
        parallel: int = 1,
        waited: Callable[[float], None] | None = None,
    ) -> None:
        self._commit = commit
        self._parallel = parallel
        self._waited = waited  # told, for each write, the seconds from its arrival to its transaction
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._committers: set[asyncio.Task[None]] = set()

    async def run(self, work: Work) -> Any:
        """`work`'s result once its transaction has committed. A cancelled
        caller stops waiting; its write still commits (or rolls back) whole."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((work if self._waited is None else _timed(work, self._waited), future))
        self._committers = {task for task in self._committers if not task.done()}
        if len(self._committers) < self._parallel:
            self._committers.add(asyncio.create_task(self._drain(), name="group-commit"))
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                outcomes = await self._commit([work for work, _ in batch])
            except Exception as exc:  # noqa: BLE001  (the database itself failed: every caller hears of it)
                outcomes = [(False, exc)] * len(batch)
            settle([future for _, future in batch], outcomes)


def settle(futures: list[asyncio.Future[Any]], outcomes: list[Outcome]) -> None:
    """Hand each waiting caller its outcome: a value, or the exception it raises (a caller
    that gave up meanwhile hears nothing)."""
    for future, (ok, value) in zip(futures, outcomes, strict=True):
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def _timed(work: Work, waited: Callable[[float], None]) -> Work:
    """`work`, reporting how long after now it first ran (in its transaction, after BEGIN)."""
    arrived = time.perf_counter()
    reported = False

    def timed(connection: Connection) -> Any:
        nonlocal reported
        if not reported:  # a batch run again write by write reports only its first wait
            reported = True
            waited(time.perf_counter() - arrived)
        return work(connection)

    return timed
