"""Work directories: each worker owns `work/{worker_id}/` under the data
directory, holding one `{task_id}-{lease}` folder per task it runs.

Workers on one data directory never touch each other's folders. A worker
holds an exclusive lock on its directory while it lives; a directory whose
lock is free belongs to a dead worker, and its task folders are collected
once their leases are no longer held (so a task folder is never removed while
its lease is live, whichever machine holds it).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
TASK_ID_LENGTH = 36  # a UUID with dashes

LeaseCheck = Callable[[Iterable[tuple[str, str]]], Awaitable[set[tuple[str, str]]]]
"""live(pairs of (task_id, lease)) → the pairs whose lease is still held."""


class WorkerIdTaken(RuntimeError):
    pass


def _try_lock(path: Path) -> int | None:
    """An exclusive lock on `path` (created if missing), or None when another process holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def task_folder_name(task_id: str, lease: str) -> str:
    return f"{task_id}-{lease}"


def parse_task_folder(name: str) -> tuple[str, str] | None:
    if len(name) <= TASK_ID_LENGTH + 1 or name[TASK_ID_LENGTH] != "-":
        return None
    return name[:TASK_ID_LENGTH], name[TASK_ID_LENGTH + 1 :]


class WorkDirs:
    def __init__(self, root: Path, worker_id: str = "") -> None:
        self.root = root
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self.mine = root / self.worker_id
        self._lock: int | None = None

    def claim(self) -> None:
        """Take this worker's directory, emptying what a previous worker of the same id left."""
        self.mine.mkdir(parents=True, exist_ok=True)
        self._lock = _try_lock(self.mine / LOCK_NAME)
        if self._lock is None:
            raise WorkerIdTaken(f"Another live worker uses the id {self.worker_id!r} (CHUNKD_WORKER_ID)")
        for entry in self.mine.iterdir():
            if entry.name != LOCK_NAME:
                shutil.rmtree(entry, ignore_errors=True)

    def release(self) -> None:
        if self._lock is not None:
            shutil.rmtree(self.mine, ignore_errors=True)
            os.close(self._lock)
            self._lock = None

    def for_task(self, task_id: str, lease: str) -> Path:
        return self.mine / task_folder_name(task_id, lease)

    async def collect(self, live: LeaseCheck) -> int:
        """Remove the task folders of dead workers whose leases are gone; returns how many."""
        removed = 0
        if not self.root.exists():
            return 0
        for directory in self.root.iterdir():
            if directory == self.mine or not directory.is_dir():
                continue
            try:
                lock = _try_lock(directory / LOCK_NAME)
            except FileNotFoundError:
                continue  # another worker collected it meanwhile
            if lock is None:
                continue  # its worker is alive: its folders are its own business
            try:
                entries = [entry for entry in directory.iterdir() if entry.name != LOCK_NAME]
                folders = {parsed: entry for entry in entries if (parsed := parse_task_folder(entry.name))}
                held = await live(folders) if folders else set()
                doomed = [entry for entry in entries if parse_task_folder(entry.name) not in held]
                for entry in doomed:
                    await asyncio.to_thread(_remove, entry)  # a page-image folder can be large
                removed += len(doomed)
                if not held:
                    await asyncio.to_thread(shutil.rmtree, directory, True)
            finally:
                os.close(lock)
        return removed
