"""`/ready` (send traffic here) apart from `/health` (the process lives): a
gateway whose gRPC service answers SERVING is ready; one in front of nothing
is alive but not ready; one whose blob store (a stopped S3 server) or
database (a dropped PostgreSQL database) does not answer is not ready and
says which, and is ready again once it answers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import urllib.request
from pathlib import Path

import httpx

from tests.harness import CHUNKD, ROOT, RunningServer, free_port, start_server, wait_for_port
from tests.s3server import S3Server, moto_command
from tests.support import wait_until
from tests.test_postgres import _admin, database  # noqa: F401  (fixture: a fresh PostgreSQL database)


def test_a_gateway_in_front_of_a_serving_grpc_service_is_ready(tmp_path: Path) -> None:
    server = start_server(tmp_path / "ready", None, "--no-worker")
    try:
        reply = httpx.get(f"{server.http_url}/ready", timeout=10)
        assert (reply.status_code, reply.text) == (200, "OK")
    finally:
        server.stop()


def test_a_gateway_in_front_of_nothing_is_alive_but_not_ready(tmp_path: Path) -> None:
    http_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHUNKD_")},
        "CHUNKD_DATA_DIR": str(tmp_path),
        "CHUNKD_GRPC_ADDRESS": f"127.0.0.1:{free_port()}",  # nothing listens there
        "CHUNKD_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
    }
    with (tmp_path / "gateway.log").open("wb") as log:
        gateway = subprocess.Popen([*CHUNKD, "gateway"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(http_port)
        url = f"http://127.0.0.1:{http_port}"
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200
        reply = httpx.get(f"{url}/ready", timeout=10)
        assert reply.status_code == 503
        assert reply.text == "Not ready: the gRPC service does not answer"
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)


def test_ready_is_503_with_the_reason_while_the_s3_blob_store_is_down_and_200_once_it_is_back(tmp_path: Path) -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = "chunkd-ready"

    def start_moto() -> subprocess.Popen[bytes]:
        with (tmp_path / "moto.log").open("ab") as log:
            process = subprocess.Popen(
                [*moto_command(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(port)
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{bucket}", method="PUT"), timeout=10)
        return process

    moto = start_moto()
    s3 = S3Server(endpoint=endpoint, bucket=bucket)
    server = start_server(tmp_path / "s3", s3.env(), "--no-worker")
    try:
        assert ready(server) == (200, "OK")
        moto.terminate()
        moto.wait(timeout=30)
        assert wait_until(lambda: ready(server)[0] == 503, timeout=30)
        assert ready(server) == (503, "Not ready: the blob store is unreachable")
        assert httpx.get(f"{server.http_url}/health", timeout=10).status_code == 200  # alive all along
        moto = start_moto()  # the same address, the bucket made again
        assert wait_until(lambda: ready(server) == (200, "OK"), timeout=30)
    finally:
        server.stop()
        moto.terminate()
        moto.wait(timeout=30)


def test_ready_is_503_with_the_reason_once_the_postgresql_database_is_gone(
    database: str,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "pg", {"CHUNKD_DATABASE_URL": database}, "--no-worker")
    try:
        assert ready(server) == (200, "OK")
        name = database.rsplit("/", 1)[-1]
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))  # its connections are cut, and no new one opens
        assert wait_until(lambda: ready(server)[0] == 503, timeout=30)
        assert ready(server) == (503, "Not ready: the database is unreachable")
    finally:
        server.stop()


def ready(server: RunningServer) -> tuple[int, str]:
    reply = httpx.get(f"{server.http_url}/ready", timeout=10)
    return reply.status_code, reply.text
