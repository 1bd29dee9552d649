"""`/ready` (send traffic here) apart from `/health` (the process lives): a
gateway whose gRPC service answers SERVING is ready; one in front of nothing
is alive but not ready."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.harness import CHUNKD, ROOT, free_port, start_server, wait_for_port


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
