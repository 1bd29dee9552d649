"""Acceptance: Chunkr's own Python SDK (chunkr-ai==0.3.7), unchanged, against
a real chunkd on loopback, with the base URL given both ways users write it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.gateway.conftest import PDF
from tests.harness import ROOT, RunningServer


def run_flow(flow: str, url: str, key: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.gateway.sdk_flows", flow, url, key, str(PDF)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("prefix", ["", "/api/v1"])
def test_upload_polls_through_task_url_to_succeeded(server: RunningServer, prefix: str) -> None:
    seen = run_flow("upload", server.http_url + prefix, server.api_key)
    assert seen["status"] == "Succeeded"
    assert seen["markdown"].strip()
    assert seen["task_url"] == f"{server.http_url}/api/v1/task/{seen['task_id']}"


def test_create_task_and_cancel(idle: RunningServer) -> None:
    seen = run_flow("create_and_cancel", idle.http_url, idle.api_key)
    assert seen == {"created": "Starting", "after_cancel_task": "Cancelled", "after_task_cancel": "Cancelled"}


def test_update_task_with_a_new_target_length(server: RunningServer) -> None:
    seen = run_flow("update", server.http_url + "/api/v1", f"Bearer {server.api_key}")
    assert seen["before"] == 512
    assert seen["started"] == "Starting"
    assert (seen["status"], seen["after"], seen["again"]) == ("Succeeded", 77, 99)
    assert seen["chunks"] > 0


def test_get_task_and_delete_task(server: RunningServer) -> None:
    seen = run_flow("get_and_delete", server.http_url, server.api_key)
    assert seen["chunks"] > 0 and seen["light_chunks"] == 0
    assert seen["file_name"] == PDF.name
    assert seen["input_file_url"].startswith("data:application/pdf;base64,")
    assert seen["after_delete"] == [404, "Task not found"]
