"""EventBus: tails the task_events outbox and fans events out to watchers.

Events are read from the database rather than passed in memory so that a
watcher sees changes made by any process — a separate `chunkd worker`, the
sweeper of another replica. Commits in this process wake the reader at once;
otherwise it polls. Ids from a sequence can commit out of order (PostgreSQL),
so an id skipped over is looked for again for a while before it is given up.
On PostgreSQL, LISTEN/NOTIFY wakes the reader when another process commits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import RowMapping

from chunkr.vocabulary import EventKind
from server.models import TaskRow
from server.store import NOTIFY_CHANNEL, TaskStore

log = logging.getLogger(__name__)

GAP_PATIENCE = 10.0  # seconds an unseen id is looked for before it is given up


@dataclass(frozen=True)
class Event:
    """One committed change, handed to every interested watcher as the same
    object, so whatever a watcher derives from it (the reply message) can be
    made once for all of them and kept in `derived`."""

    id: int
    kind: EventKind
    task: TaskRow
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(eq=False)
class Subscription:
    owner: str
    task_id: str | None
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)

    @property
    def key(self) -> tuple[str, str | None]:
        return self.owner, self.task_id


class EventBus:
    def __init__(self, store: TaskStore, poll_seconds: float) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        # By (owner, task_id), and by (owner, None) for watchers of all an owner's tasks.
        self._subscriptions: dict[tuple[str, str | None], set[Subscription]] = {}
        self._wake = asyncio.Event()
        self._cursor = 0
        self._gaps: dict[int, float] = {}
        self._runner: asyncio.Task[None] | None = None
        self._listener: Any = None  # an asyncpg connection LISTENing, on PostgreSQL
        store.on_commit(self.kick)

    def kick(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._cursor = await self.store.last_event_id()
        if self.store.db.is_postgres:
            await self._listen()
        self._runner = asyncio.create_task(self._run(), name="event-bus")

    async def _listen(self) -> None:
        import asyncpg

        url = self.store.db.writer.url.set(drivername="postgresql")
        self._listener = await asyncpg.connect(url.render_as_string(hide_password=False))
        await self._listener.add_listener(NOTIFY_CHANNEL, lambda *_: self.kick())

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        if self._listener is not None:
            await self._listener.close()

    @asynccontextmanager
    async def subscribe(self, owner: str, task_id: str | None = None) -> AsyncIterator[Subscription]:
        subscription = Subscription(owner=owner, task_id=task_id)
        self._subscriptions.setdefault(subscription.key, set()).add(subscription)
        try:
            yield subscription
        finally:
            watchers = self._subscriptions[subscription.key]
            watchers.discard(subscription)
            if not watchers:
                del self._subscriptions[subscription.key]

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self._read()
            except Exception:  # a database hiccup must not end every watch
                log.exception("reading task events failed")
                await asyncio.sleep(self.poll_seconds)

    async def _read(self) -> None:
        now = time.monotonic()
        self._gaps = {i: t for i, t in self._gaps.items() if t > now}
        while True:
            rows = await self.store.events_after(self._cursor, sorted(self._gaps))
            for row in rows:
                event_id = row["id"]
                if event_id in self._gaps:
                    del self._gaps[event_id]
                elif event_id > self._cursor:
                    for missing in range(self._cursor + 1, min(event_id, self._cursor + 1001)):
                        self._gaps[missing] = now + GAP_PATIENCE
                    self._cursor = event_id
                self._deliver(row)
            if len(rows) < 1000:
                return

    def _deliver(self, row: RowMapping) -> None:
        """The snapshot is parsed only when someone watches, once for all of them."""
        watchers = self._subscriptions.get((row["owner"], row["task_id"]), ())
        all_tasks = self._subscriptions.get((row["owner"], None), ())
        if not watchers and not all_tasks:
            return
        task = TaskRow.model_validate(json.loads(row["snapshot"]))
        event = Event(id=row["id"], kind=EventKind(row["kind"]), task=task)
        for subscription in (*watchers, *all_tasks):
            subscription.queue.put_nowait(event)
