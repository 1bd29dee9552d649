"""Fixtures for the gateway tests: REST clients of the session server (worker
on, default settings: private URLs refused), and an idle server (no worker, so
tasks stay Starting until a test runs a worker; private URLs allowed; a small
file-size cap) for cancel flows, URL fetching and size limits."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.http_files import FileServer, serve_files
from tests.harness import CORPUS, RunningServer, start_server

PDF = CORPUS / "pdf" / "multi_page.pdf"
# Above multi_page.pdf (128 KB), below normal_4pages.pdf (359 KB).
IDLE_MAX_FILE_SIZE = 200_000


def rest(server: RunningServer, key: str | None = None, prefix: str = "/api/v1") -> httpx.Client:
    headers = {"Authorization": key} if key else {}
    return httpx.Client(base_url=server.http_url + prefix, headers=headers, timeout=120)


@pytest.fixture(scope="session")
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with rest(server, server.api_key) as client:
        yield client


@pytest.fixture(scope="session")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"CHUNKD_ALLOW_PRIVATE_URLS": "true", "CHUNKD_MAX_FILE_SIZE": str(IDLE_MAX_FILE_SIZE)}
    running = start_server(tmp_path_factory.mktemp("idle-gateway"), env, "--no-worker")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def idle_http(idle: RunningServer) -> Iterator[httpx.Client]:
    with rest(idle, idle.api_key) as client:
        yield client


@pytest.fixture(scope="session")
def files() -> Iterator[FileServer]:
    with serve_files(CORPUS) as server:
        yield server
