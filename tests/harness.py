"""Starts the real thing for tests and benchmarks: `chunkd serve` (gRPC,
worker and gateway) as a subprocess on free loopback ports, with its own data
directory and SQLite database (or the PostgreSQL URL given)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CHUNKD = [sys.executable, "-m", "server.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


@dataclass
class RunningServer:
    data_dir: Path
    grpc_port: int
    http_port: int
    env: dict[str, str]
    api_key: str = ""
    process: subprocess.Popen[bytes] | None = None
    credentials: grpc.ChannelCredentials | None = None  # a server on TLS: what readiness checks connect with
    command: list[str] = field(default_factory=lambda: list(CHUNKD))  # what runs `chunkd ARGS...`
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "server.log"

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def chunkd(self, *args: str, timeout: float = 60) -> str:
        """Runs a `chunkd` command against this server's settings."""
        result = subprocess.run(
            [*CHUNKD, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True
        )
        return result.stdout.strip()

    def create_api_key(self, owner: str) -> str:
        return self.chunkd("keys", "create", owner)

    def start(self, *args: str) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*self.command, "serve", *args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        if self.credentials is not None:
            opened = grpc.secure_channel(self.grpc_address, self.credentials)
        else:
            opened = grpc.insecure_channel(self.grpc_address)
        with opened as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"chunkd exited with {self.process.returncode}:\n{self.log()}")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.RpcError:
                    time.sleep(0.1)
            else:
                raise TimeoutError(f"chunkd not ready after {timeout}s:\n{self.log()}")
        if "--no-gateway" not in (self.process.args if self.process else []):  # type: ignore[operator]
            wait_for_port(self.http_port, timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self, *args: str) -> None:
        self.stop()
        self.start(*args)

    def spawn_worker(self, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A separate `chunkd worker` process on the same database and data directory."""
        log = (self.data_dir / "worker.log").open("ab")
        process = subprocess.Popen(
            [*self.command, "worker"], env={**self.env, **(extra_env or {})}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return process


def start_server(
    data_dir: Path,
    env: dict[str, str] | None = None,
    *args: str,
    grpc_port: int | None = None,
    http_port: int | None = None,
    credentials: grpc.ChannelCredentials | None = None,
    command: list[str] | None = None,
) -> RunningServer:
    """`args` go to `chunkd serve` (e.g. "--no-worker", "--no-gateway"); `command` replaces
    `python -m server.cli` for serve and spawned workers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    grpc_port = grpc_port or free_port()
    http_port = http_port or free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHUNKD_")},
        "CHUNKD_DATA_DIR": str(data_dir),
        "CHUNKD_GRPC_ADDRESS": f"127.0.0.1:{grpc_port}",
        "CHUNKD_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
        "CHUNKD_POLL_SECONDS": "0.2",
        "CHUNKD_SWEEP_SECONDS": "0.5",
        "CHUNKD_EVENTS_POLL_SECONDS": "0.1",
        # Restarts in tests hand running tasks back almost at once, as a crash would; drain tests set their own.
        "CHUNKD_DRAIN_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    server = RunningServer(
        data_dir=data_dir, grpc_port=grpc_port, http_port=http_port, env=full_env, credentials=credentials
    )
    if command is not None:
        server.command = command
    server.api_key = server.create_api_key("alice")
    server.start(*args)
    return server
