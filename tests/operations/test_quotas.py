"""Per-key limits and quotas on a real server: `chunkd keys create NAME --rps
--pages-per-day --max-running` stores a key's own limits, which override the
settings' (CHUNKD_RATE_LIMIT_RPS, CHUNKD_PAGES_PER_DAY, CHUNKD_MAX_RUNNING_TASKS).
Over a quota CreateTask answers RESOURCE_EXHAUSTED with a readable message,
and the REST gateway 429 with the same text; a daily page quota also says
when to come back (Retry-After: until midnight UTC)."""

from __future__ import annotations

import base64
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import CHUNKD, ROOT, start_server
from tests.support import auth, create, open_channel, rpc_error, wait_terminal


def seconds_to_utc_midnight() -> float:
    now = datetime.now(UTC)
    return (datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC) - now).total_seconds()


def rest_create(http_url: str, key: str, document: Path) -> httpx.Response:
    upload = {"file": base64.b64encode(document.read_bytes()).decode(), "file_name": document.name}
    return httpx.post(f"{http_url}/api/v1/task/parse", json=upload, headers={"Authorization": key}, timeout=60)


def test_keys_list_shows_each_keys_own_limits_and_default_for_the_rest(tmp_path: Path) -> None:
    server = start_server(tmp_path / "list", None, "--no-worker", "--no-gateway")
    try:
        server.chunkd("keys", "create", "bob", "--rps", "2.5", "--pages-per-day", "5000", "--max-running", "4")
        server.chunkd("keys", "create", "carol", "--max-running", "0")
        rows = [line.split("\t") for line in server.chunkd("keys", "list").splitlines()]
        assert rows[0][5:] == ["rps", "pages_per_day", "max_running"]
        assert [row[1:2] + row[5:] for row in rows[1:]] == [
            ["alice", "default", "default", "default"],
            ["bob", "2.5", "5000", "4"],
            ["carol", "default", "default", "0"],
        ]
        refused = subprocess.run(
            [*CHUNKD, "keys", "create", "dave", "--rps", "-1"],
            env=server.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 2 and "must not be negative: -1" in refused.stderr
    finally:
        server.stop()


def test_a_key_with_its_own_rate_is_held_to_it_while_the_settings_set_none(tmp_path: Path) -> None:
    server = start_server(tmp_path / "rps", None, "--no-worker", "--no-gateway")
    try:
        slow = server.chunkd("keys", "create", "bob", "--rps", "0.05")  # a burst of 1, then one call per 20 s
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            stub.ListTasks(pb.ListTasksRequest(), metadata=auth(slow))
            refused = rpc_error(lambda: stub.ListTasks(pb.ListTasksRequest(), metadata=auth(slow)))
            assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refused.details() == "Rate limit exceeded for this API key"
            assert 1 <= int(dict(refused.trailing_metadata())["retry-after"]) <= 20
            for _ in range(5):  # alice has no limit of her own, and the settings set none
                stub.ListTasks(pb.ListTasksRequest(), metadata=auth(server.api_key))
    finally:
        server.stop()


def test_over_the_running_tasks_quota_create_is_refused_until_a_task_finishes(tmp_path: Path) -> None:
    """Without a worker every task stays queued: queued and processing tasks both count."""
    server = start_server(tmp_path / "running", {"CHUNKD_MAX_RUNNING_TASKS": "1"}, "--no-worker")
    document = long_pdf(tmp_path / "one.pdf", 1)
    try:
        two = server.chunkd("keys", "create", "bob", "--max-running", "2")
        unlimited = server.chunkd("keys", "create", "carol", "--max-running", "0")
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            create(stub, server.api_key, document)  # alice: the settings' limit of 1
            refused = rpc_error(lambda: create(stub, server.api_key, document))
            assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refused.details() == (
                "Too many tasks at once for this API key: 1 queued or processing (the limit is 1); "
                "try again when one has finished"
            )
            assert "retry-after" not in dict(refused.trailing_metadata())  # nobody knows when a task finishes
            reply = rest_create(server.http_url, server.api_key, document)
            assert (reply.status_code, reply.text) == (429, refused.details())
            assert "Retry-After" not in reply.headers

            first = create(stub, two, document)  # bob's own limit of 2 overrides the settings' 1
            create(stub, two, document)
            assert rpc_error(lambda: create(stub, two, document)).code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            stub.CancelTask(pb.CancelTaskRequest(task_id=first.task_id), metadata=auth(two))
            create(stub, two, document)  # a finished task frees its place

            for _ in range(4):  # carol's 0 is no limit at all
                create(stub, unlimited, document)
            listed = stub.ListTasks(pb.ListTasksRequest(page_size=100), metadata=auth(server.api_key)).tasks
            assert len(listed) == 1  # the refused creates left no task behind
    finally:
        server.stop()


def test_once_a_day_s_pages_are_used_create_is_refused_with_retry_after_until_midnight_utc(tmp_path: Path) -> None:
    server = start_server(tmp_path / "pages", {"CHUNKD_WORKER_PROCESSES": "1"})
    try:
        key = server.chunkd("keys", "create", "bob", "--pages-per-day", "3")
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            two = create(stub, key, long_pdf(tmp_path / "two.pdf", 2))
            assert wait_terminal(stub, key, two.task_id).status == pb.TASK_STATUS_SUCCEEDED
            # 2 of 3 used: a task may still start, and its pages all count once it is done
            three = create(stub, key, long_pdf(tmp_path / "three.pdf", 3))
            assert wait_terminal(stub, key, three.task_id).status == pb.TASK_STATUS_SUCCEEDED
            stub.DeleteTask(pb.DeleteTaskRequest(task_id=three.task_id), metadata=auth(key))  # gives nothing back

            refused = rpc_error(lambda: create(stub, key, tmp_path / "two.pdf"))
            assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refused.details() == (
                "Daily page quota reached for this API key: 5 pages processed today (the limit is 3); "
                "it resets at midnight UTC"
            )
            retry_after = int(dict(refused.trailing_metadata())["retry-after"])
            assert retry_after == pytest.approx(seconds_to_utc_midnight(), abs=60)
            reply = rest_create(server.http_url, key, tmp_path / "two.pdf")
            assert (reply.status_code, reply.text) == (429, refused.details())
            assert int(reply.headers["Retry-After"]) == pytest.approx(seconds_to_utc_midnight(), abs=60)
            create(stub, server.api_key, tmp_path / "two.pdf")  # alice's pages are her own
    finally:
        server.stop()
