"""A real S3-compatible server for tests: moto in server mode (`moto_server`),
a separate process speaking the S3 HTTP API on loopback, with a fresh bucket."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import free_port, wait_for_port


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    def env(self, prefix: str = "chunkd") -> dict[str, str]:
        """The settings that point chunkd at this server."""
        return {
            "CHUNKD_BLOB_URL": f"s3://{self.bucket}/{prefix}",
            "CHUNKD_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
        }

    def keys(self, prefix: str = "") -> list[str]:
        """Every object key under prefix, straight from the server (ListObjectsV2)."""
        import xml.etree.ElementTree as ET

        url = f"{self.endpoint}/{self.bucket}?list-type=2&prefix={prefix}&max-keys=1000"
        tree = ET.fromstring(urllib.request.urlopen(url, timeout=10).read())
        return [e.text or "" for e in tree.iter() if e.tag.endswith("}Key")]


def moto_command() -> list[str]:
    found = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(
            "moto_server is not installed (pip install 'moto[server]'): no S3-compatible server to test against"
        )
    return [found]


@contextmanager
def running_s3_server(tmp_path: Path) -> Iterator[S3Server]:
    port = free_port()
    log = (tmp_path / "moto.log").open("ab")
    process = subprocess.Popen(
        [*moto_command(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    try:
        wait_for_port(port, 30)
        server = S3Server(endpoint=f"http://127.0.0.1:{port}", bucket=f"chunkd-{uuid.uuid4().hex[:8]}")
        urllib.request.urlopen(urllib.request.Request(f"{server.endpoint}/{server.bucket}", method="PUT"), timeout=10)
        yield server
    finally:
        process.terminate()
        process.wait(10)
