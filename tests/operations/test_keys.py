"""`chunkd keys list` shows every key without the key itself; `chunkd keys
revoke ID` turns a key away from a running server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import grpc
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CHUNKD, ROOT, start_server
from tests.support import auth, open_channel


def test_keys_are_listed_without_their_secret_and_a_revoked_key_is_refused(tmp_path: Path) -> None:
    server = start_server(tmp_path / "keys", None, "--no-worker", "--no-gateway")
    try:
        spare = server.create_api_key("bob")
        listing = server.chunkd("keys", "list")
        rows = [line.split("\t") for line in listing.splitlines()[1:]]
        assert [(row[1], row[4]) for row in rows] == [("alice", "active"), ("bob", "active")]
        assert server.api_key not in listing and spare not in listing
        bob_id = rows[1][0]
        server.chunkd("keys", "revoke", bob_id)
        assert server.chunkd("keys", "list").splitlines()[2].split("\t")[4] == "revoked"
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            with pytest.raises(grpc.RpcError) as refused:
                stub.ListTasks(pb.ListTasksRequest(), metadata=auth(spare))
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            stub.ListTasks(pb.ListTasksRequest(), metadata=auth(server.api_key))  # alice's key still works
        missing = subprocess.run(
            [*CHUNKD, "keys", "revoke", "999"], env=server.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert missing.returncode == 1
        assert missing.stderr.strip() == "chunkd: no API key has id 999"
    finally:
        server.stop()
