"""Graceful drain: what SIGTERM starts in a replica. The API stops taking calls
and closes its watch streams (clients reconnect elsewhere); the worker stops
claiming and finishes its tasks, handing back what is left at the deadline."""

from __future__ import annotations

import asyncio


class Drain:
    """The one signal every part of a replica watches."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    def start(self) -> None:
        self.started.set()

    @property
    def draining(self) -> bool:
        return self.started.is_set()
