"""Blocking calls that arrive together go to a thread in one hand-over and run there one
after another: the event loop pays one hop per batch, not one per call, and none of the
calls' own waits (a small file's mkdir, open and rename, which stall on a busy disk)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from server.group_commit import settle

T = TypeVar("T")
MAX_BATCH = 256


def _run_all(calls: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    for call in calls:
        try:
            outcomes.append((True, call()))
        except Exception as exc:  # noqa: BLE001  (handed back to its own caller)
            outcomes.append((False, exc))
    return outcomes


class Offload:
    """Up to `threads` batches run at once, each on its own thread."""

    def __init__(self, name: str, threads: int = 2) -> None:
        self._threads = threads
        self._pool = ThreadPoolExecutor(threads, name)
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._runners: set[asyncio.Task[None]] = set()

    async def run(self, call: Callable[[], T]) -> T:
        """`call()`'s result, from a thread. A cancelled caller stops waiting; the call still runs."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((call, future))
        self._runners = {task for task in self._runners if not task.done()}
        if len(self._runners) < self._threads:
            self._runners.add(asyncio.create_task(self._drain()))
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            outcomes = await loop.run_in_executor(self._pool, _run_all, [call for call, _ in batch])
            settle([future for _, future in batch], outcomes)

    def close(self) -> None:
        self._pool.shutdown(wait=False)
