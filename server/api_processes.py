"""The other API processes of `chunkd serve` (CHUNKD_API_PROCESSES > 1).

grpc.aio does its per-call work under one GIL, so one process tops out well
below what the transport carries. The first process starts the others as
`chunkd serve --api-process I --peers DIR`; every one listens on the same
gRPC and HTTP ports with SO_REUSEPORT and the kernel spreads connections over
them. The others answer the API only: the worker, sweeper, webhook sender and
metrics port stay in the first (their work is leased or compare-and-set, so
this is for economy, not safety). Watchers in any process see every commit:
events are read from the database, woken by NOTIFY on PostgreSQL and by
server/peers.py on SQLite.

If one of them exits, the first stops too (a supervisor restarts the whole);
if the first dies, the others notice their parent is gone and leave.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from server.config import Settings

PARENT_CHECK_SECONDS = 1.0


class ApiProcesses:
    def __init__(self, settings: Settings, peers_dir: Path, gateway: bool, log_level: str | None) -> None:
        self.settings = settings
        self.peers_dir = peers_dir
        self.gateway = gateway
        self.log_level = log_level
        self._processes: list[asyncio.subprocess.Process] = []

    def _command(self, index: int) -> Sequence[str]:
        command = [sys.executable, "-m", "server.cli"]
        if self.log_level:
            command += ["--log-level", self.log_level]
        command += ["serve", "--api-process", str(index), "--peers", str(self.peers_dir)]
        if not self.gateway:
            command.append("--no-gateway")
        return command

    async def start(self, timeout: float = 120.0) -> None:
        """Returns once every one serves gRPC (so `chunkd: ready` means all of them)."""
        env = {**os.environ, "CHUNKD_INSECURE": "true" if self.settings.insecure else "false"}
        for index in range(1, self.settings.api_processes):
            self._processes.append(await asyncio.create_subprocess_exec(*self._command(index), env=env))
        deadline = asyncio.get_running_loop().time() + timeout
        for index, process in enumerate(self._processes, start=1):
            while not ready_file(self.peers_dir, index).exists():
                if process.returncode is not None or asyncio.get_running_loop().time() > deadline:
                    await self.stop()
                    raise RuntimeError(f"API process {index} did not start (exit status {process.returncode})")
                await asyncio.sleep(0.05)

    async def run(self) -> None:
        """Returns when one of them exits; stops them all when cancelled."""
        try:
            waits = [asyncio.ensure_future(process.wait()) for process in self._processes]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for process in self._processes:
                if process.returncode is not None:
                    raise RuntimeError(f"API process {process.pid} exited with {process.returncode}")
        finally:
            await self.stop()

    async def stop(self) -> None:
        """SIGTERM: each drains as the first does; past the drain time, SIGKILL."""
        alive = [process for process in self._processes if process.returncode is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        if not alive:
            return
        waits = asyncio.gather(*(process.wait() for process in alive))
        try:
            await asyncio.wait_for(asyncio.shield(waits), self.settings.drain_seconds + 10)
        except TimeoutError:
            for process in alive:
                if process.returncode is None:
                    process.kill()
            await waits


def ready_file(peers_dir: Path, index: int) -> Path:
    """Made by API process `index` once its gRPC server is listening."""
    return peers_dir / f"{index}.ready"


async def leave_with_parent() -> None:
    """In the other API processes: returns once the first process is gone."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_SECONDS)
