"""The v1 gaps found when chunkd was tried as a new user would (issue 11),
each against the live session server."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest

from server.service import DEFAULT_PAGE_SIZE
from tests.gateway.conftest import PDF, rest
from tests.gateway.rest import wait_terminal
from tests.harness import RunningServer

MISSING_KEY = "Missing API key: send it in the authorization header"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/task/parse"),
        ("POST", "/tasks/parse"),
        ("PATCH", "/tasks/00000000-0000-4000-8000-000000000000/parse"),
        ("POST", "/files"),
        ("POST", "/webhooks"),
        ("GET", "/tasks"),
    ],
)
@pytest.mark.parametrize("prefix", ["/api/v1", ""])
def test_no_key_and_an_empty_body_is_401_not_400(server: RunningServer, method: str, path: str, prefix: str) -> None:
    response = httpx.request(method, f"{server.http_url}{prefix}{path}", content=b"")
    assert (response.status_code, response.text) == (401, MISSING_KEY)


def test_rest_task_json_has_progress(http: httpx.Client) -> None:
    created = http.post("/task/parse", json={"file": base64.b64encode(PDF.read_bytes()).decode()}).json()
    assert set(created["progress"]) == {"stage", "pages_done", "pages_total"}
    done = wait_terminal(http, created["task_id"])
    assert done["progress"]["pages_done"] == done["progress"]["pages_total"] >= 2


def test_a_failed_task_keeps_its_file_name(http: httpx.Client) -> None:
    corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00garbage" * 50
    created = http.post(
        "/task/parse", json={"file": base64.b64encode(corrupt).decode(), "file_name": "broken.pdf"}
    ).json()
    failed = wait_terminal(http, created["task_id"])
    assert failed["status"] == "Failed"
    assert failed["output"]["file_name"] == "broken.pdf"
    assert failed["output"]["page_count"] is None  # never counted: null, not 0
    assert "Traceback" not in failed["message"] and failed["message"]


@pytest.mark.parametrize("path", ["/home/me/docs/report.pdf", "C:\\Users\\me\\report.pdf", "report.pdf"])
def test_an_sdk_upload_keeps_only_the_base_name(http: httpx.Client, path: str) -> None:
    created = http.post("/task/parse", json={"file": base64.b64encode(PDF.read_bytes()).decode(), "file_name": path})
    done = wait_terminal(http, created.json()["task_id"])
    assert done["output"]["file_name"] == "report.pdf"


def test_list_without_page_or_limit_returns_every_task(idle: RunningServer) -> None:
    with rest(idle, idle.create_api_key(f"many-{uuid.uuid4().hex[:8]}")) as client:
        body = {"file": base64.b64encode(PDF.read_bytes()).decode()}
        created = [client.post("/task/parse", json=body).json()["task_id"] for _ in range(DEFAULT_PAGE_SIZE + 5)]
        listed = client.get("/tasks")
        assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
        assert [t["task_id"] for t in listed.json()] == created[::-1]
        assert len(client.get("/tasks", params={"page": 1, "limit": 10}).json()) == 10
