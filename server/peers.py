"""Commit wake-ups between the API processes of one `chunkd serve`
(CHUNKD_API_PROCESSES > 1) on SQLite, where no NOTIFY exists.

Each process binds a Unix datagram socket `<index>.sock` in a directory the
first process made. After a commit a process sends one byte to every other
socket (at most once per turn of its event loop, however many writes the turn
committed); a process that receives bytes runs its commit listeners, so its
event bus, worker and webhook dispatcher read at once what another process
committed, as they would for a commit of their own. Polling stays underneath:
a lost datagram delays, never loses, an event (the database is the truth).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class Peers:
    def __init__(self, directory: Path, index: int, count: int, wake: Callable[[], None]) -> None:
        self.directory = directory
        self.index = index
        self._others = [str(directory / f"{i}.sock") for i in range(count) if i != index]
        self._wake = wake
        self._scheduled = False
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        path = self.directory / f"{self.index}.sock"
        path.unlink(missing_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(str(path))
        self._socket = sock
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._received)

    def stop(self) -> None:
        if self._socket is None:
            return
        assert self._loop is not None
        self._loop.remove_reader(self._socket.fileno())
        self._socket.close()
        self._socket = None
        (self.directory / f"{self.index}.sock").unlink(missing_ok=True)

    def announce(self) -> None:
        """A commit here: the others hear of it at the end of this loop turn."""
        if self._scheduled or self._loop is None:
            return
        self._scheduled = True
        self._loop.call_soon(self._send)

    def _send(self) -> None:
        self._scheduled = False
        if self._socket is None:
            return
        for other in self._others:
            try:
                self._socket.sendto(b"!", other)
            except OSError:  # not up yet, gone, or its queue is full of wake-ups already
                pass

    def _received(self) -> None:
        assert self._socket is not None
        while True:
            try:
                self._socket.recv(64)
            except BlockingIOError:
                break
            except OSError:
                return
        self._wake()
