"""Helpers for driving the REST gateway with httpx."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx

from chunkr import vocabulary

TERMINAL = tuple(str(status) for status in vocabulary.TERMINAL)


def upload_json(client: httpx.Client, path: Path, **configuration: Any) -> httpx.Response:
    body = {"file": base64.b64encode(path.read_bytes()).decode(), "file_name": path.name, **configuration}
    return client.post("/task/parse", json=body)


def create(client: httpx.Client, path: Path, **configuration: Any) -> dict[str, Any]:
    response = upload_json(client, path, **configuration)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def wait_terminal(client: httpx.Client, task_id: str, timeout: float = 120) -> dict[str, Any]:
    """Polls GET until the task is terminal (an upper bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        task = client.get(f"/task/{task_id}", params={"include_chunks": "false"}).json()
        if task["status"] in TERMINAL:
            return task  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"task {task_id} still {task['status']}"
        time.sleep(0.1)


def assert_plain_error(response: httpx.Response, status: int, text: str | None = None) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("text/plain"), response.headers["content-type"]
    assert "Traceback" not in response.text and response.text
    if text is not None:
        assert response.text == text
