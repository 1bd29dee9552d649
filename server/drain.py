"""Graceful drain: what SIGTERM starts in a replica. The API stops taking calls
and closes its watch streams (clients reconnect elsewhere); the worker stops
claiming and finishes its tasks, handing back what is left at the deadline."""

from __future__ import annotations

import asyncio
from typing import Any


class Drain:
    """The one signal every part of a replica watches."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        # Tasks of watch streams waiting for their next event: cancelled when the drain starts.
        self.waiting: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        self.started.set()
        for task in list(self.waiting):
            task.cancel()

    @property
    def draining(self) -> bool:
        return self.started.is_set()
