"""Wakes idle workers when a task is queued. On PostgreSQL the store NOTIFYs
QUEUE_CHANNEL in the transaction that makes a task Starting, so a worker in any
process claims it at once; polling remains, slower, for a lost connection or a
missed notification. On SQLite (one machine) the store's in-process commit hook
does the same for a worker inside `chunkd serve`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from server.db import Database
from server.store import QUEUE_CHANNEL

log = logging.getLogger(__name__)


class QueueListener:
    def __init__(self, db: Database, wake: Callable[[], None], retry_seconds: float, enabled: bool = True) -> None:
        self.db = db
        self.enabled = enabled
        self.wake = wake
        self.retry_seconds = retry_seconds
        self.listening = False

    async def run(self) -> None:
        """Holds a LISTEN connection, reconnecting after a loss; returns at once on SQLite."""
        if not self.enabled or not self.db.is_postgres:
            return
        import asyncpg

        dsn = self.db.writer.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            connection: Any = None
            try:
                connection = await asyncpg.connect(dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda *_, lost=lost: lost.set())
                await connection.add_listener(QUEUE_CHANNEL, lambda *_: self.wake())
                self.listening = True
                self.wake()  # whatever was queued while not listening
                await lost.wait()
                log.warning("the queue's LISTEN connection was lost; polling until it is back")
            except Exception as exc:  # whatever stops the LISTEN, polling carries on and the next try may work
                log.warning("cannot LISTEN for queued tasks (%r); polling", exc)
            finally:
                self.listening = False
                if connection is not None and not connection.is_closed():
                    await connection.close()
            await asyncio.sleep(self.retry_seconds)
