"""Task files in an S3-compatible store (CHUNKD_BLOB_URL=s3://bucket/prefix), against a
real S3 HTTP server (moto_server, tests/s3server.py): files stream in and out, clients get
the store's own presigned URLs, base64_urls still works, delete removes every object."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.blobs import BlobKeyError, Blobs, open_blobs
from tests.harness import CORPUS, ROOT, start_server
from tests.s3server import S3Server, running_s3_server
from tests.support import auth, create, open_channel, wait_terminal, wait_until

pytest.importorskip("obstore", reason="needs obstore (the [s3] extra)")

PDF = CORPUS / "pdf" / "multi_page.pdf"
NO_OBSTORE = (
    "import sys; sys.modules['obstore'] = None\n"
    "from pathlib import Path\nfrom server.blobs import open_blobs\nopen_blobs('s3://b/p', Path('x'))"
)


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3_server(tmp_path) as server:
        yield server


def s3_blobs(server: S3Server, monkeypatch: pytest.MonkeyPatch, prefix: str = "unit") -> Blobs:
    for name, value in server.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return open_blobs(f"s3://{server.bucket}/{prefix}", Path("unused"), server.endpoint)


def test_a_file_larger_than_one_part_streams_up_and_down_unchanged(
    s3_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blobs = s3_blobs(s3_server, monkeypatch)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(9 * 1024 * 1024 + 17))  # past the 8 MiB part size: a multipart upload
    blobs.put_file("tasks/t1/input/big.bin", source)
    copy = blobs.local_copy("tasks/t1/input/big.bin", tmp_path / "work")
    assert copy.read_bytes() == source.read_bytes()
    assert s3_server.keys("unit/") == ["unit/tasks/t1/input/big.bin"]


def test_presigned_url_downloads_and_delete_prefix_removes_every_object(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = s3_blobs(s3_server, monkeypatch)
    for key in (
        "tasks/a/input/x.pdf",
        "tasks/a/runs/r1/output.pb",
        "tasks/a/runs/r1/pages/1.png",
        "tasks/b/input/y.pdf",
    ):
        blobs.put_bytes(key, key.encode())
    url = blobs.url("tasks/a/runs/r1/pages/1.png", 60)
    assert (
        url is not None
        and url.startswith(s3_server.endpoint)
        and "X-Amz-Signature=" in url
        and "X-Amz-Expires=60" in url
    )
    assert urllib.request.urlopen(url, timeout=10).read() == b"tasks/a/runs/r1/pages/1.png"
    assert blobs.exists("tasks/a/input/x.pdf") and not blobs.exists("tasks/a/input/missing.pdf")
    assert blobs.data_url("tasks/b/input/y.pdf").startswith("data:application/pdf;base64,")
    blobs.delete_prefix("tasks/a")
    assert s3_server.keys("unit/") == ["unit/tasks/b/input/y.pdf"]


def test_a_key_that_escapes_its_prefix_is_refused(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    blobs = s3_blobs(s3_server, monkeypatch)
    for key in ("../other/x", "tasks/../../x", "/abs", ""):
        with pytest.raises(BlobKeyError):
            blobs.put_bytes(key, b"x")


def test_an_s3_url_without_the_s3_extra_fails_with_a_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_OBSTORE], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "pip install 'chunkd[s3]'" in result.stderr


def test_a_task_on_s3_serves_presigned_urls_base64_and_leaves_nothing_after_delete_or_expiry(
    s3_server: S3Server,
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "chunkd", s3_server.env(), "--no-gateway")
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, PDF, pb.Configuration(high_resolution=True))
            done = wait_terminal(stub, server.api_key, task.task_id)
            assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
            urls = [done.input_file_url, done.output.pdf_url, *(p.image for p in done.output.pages)]
            assert len(urls) == 2 + done.output.page_count
            for url in urls:
                assert url.startswith(f"{s3_server.endpoint}/{s3_server.bucket}/chunkd/tasks/{task.task_id}/"), url
                assert urllib.request.urlopen(url, timeout=10).read()
            assert urllib.request.urlopen(done.input_file_url, timeout=10).read() == PDF.read_bytes()
            inline = stub.GetTask(
                pb.GetTaskRequest(task_id=task.task_id, base64_urls=True), metadata=auth(server.api_key)
            )
            assert inline.input_file_url.startswith("data:application/pdf;base64,")
            assert all(p.image.startswith("data:image/") for p in inline.output.pages)
            assert not (server.data_dir / "blobs" / "tasks").exists()  # nothing took the local path
            assert s3_server.keys(f"chunkd/tasks/{task.task_id}/")
            stub.DeleteTask(pb.DeleteTaskRequest(task_id=task.task_id), metadata=auth(server.api_key))
            assert s3_server.keys(f"chunkd/tasks/{task.task_id}/") == []

            expiring = create(stub, server.api_key, PDF, pb.Configuration(expires_in=2))
            assert wait_terminal(stub, server.api_key, expiring.task_id).status == pb.TASK_STATUS_SUCCEEDED
            assert s3_server.keys(f"chunkd/tasks/{expiring.task_id}/")
            wait_until(lambda: s3_server.keys(f"chunkd/tasks/{expiring.task_id}/") == [], timeout=30)  # the sweeper's
    finally:
        server.stop()
