"""The 2.x task paths (`/tasks/...`) answer in Chunkr 2.x's task JSON, as the
generated 2.x SDK (chunkr-ai 0.1.0a15) reads it, each against a live server
and each response held to the OpenAPI document; the v1 paths keep v1's JSON."""

from __future__ import annotations

import base64
import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.schemas import TaskResponse, TaskResponseV2
from tests.gateway.conftest import PDF, rest
from tests.gateway.rest import assert_plain_error
from tests.gateway.test_openapi import check
from tests.harness import RunningServer

BODY = {"file": base64.b64encode(PDF.read_bytes()).decode(), "file_name": PDF.name}
PARSE_KEYS = {"chunk_processing", "error_handling", "ocr_strategy", "segment_processing", "segmentation_strategy"}
V2_ONLY = {"task_type", "completed", "file_info", "version_info", "input_file_url"}


@pytest.fixture(scope="module")
def document(server: RunningServer) -> dict[str, Any]:
    return httpx.get(f"{server.http_url}/openapi.json").json()  # type: ignore[no-any-return]


@pytest.fixture
def own(idle: RunningServer) -> Iterator[httpx.Client]:
    """A fresh owner on the idle server (no worker: tasks stay Starting)."""
    with rest(idle, idle.create_api_key(f"v2-{uuid.uuid4().hex[:8]}")) as client:
        yield client


def assert_v2(task: dict[str, Any]) -> None:
    TaskResponseV2.model_validate(task)
    assert task["task_type"] == "Parse"
    assert set(task["configuration"]) == PARSE_KEYS
    assert task["file_info"]["url"] == task["input_file_url"] and task["input_file_url"]
    assert task["task_url"].endswith(f"/api/v1/tasks/{task['task_id']}")


def test_create_answers_a_queued_parse_task_with_its_file_info(
    document: dict[str, Any], server: RunningServer, http: httpx.Client
) -> None:
    created = http.post("/tasks/parse", json=BODY)
    check(document, "POST", "/api/v1/tasks/parse", created)
    task = created.json()
    assert_v2(task)
    assert task["completed"] is False and task["status"] in ("Starting", "Processing")
    assert task["file_info"]["name"] == PDF.name and task["file_info"]["mime_type"] == "application/pdf"
    assert task["version_info"] == {"client_version": "Unspecified", "server_version": "0.1.0"}


def test_get_with_wait_answers_the_finished_task_completed_with_its_page_count(
    document: dict[str, Any], http: httpx.Client
) -> None:
    task_id = http.post("/tasks/parse", json=BODY).json()["task_id"]
    response = http.get(f"/tasks/{task_id}", params={"wait": 120})
    check(document, "GET", "/api/v1/tasks/{task_id}", response)
    task = response.json()
    assert_v2(task)
    assert task["status"] == "Succeeded" and task["completed"] is True and task["started_at"] and task["finished_at"]
    assert task["file_info"]["page_count"] == task["output"]["page_count"] >= 2
    assert task["output"]["chunks"] and task["output"]["file_name"] == PDF.name
    # the 2.x SDK's tasks.parse.get reads the same task
    parse_get = http.get(f"/tasks/{task_id}/parse", params={"include_chunks": "false"})
    check(document, "GET", "/api/v1/tasks/{task_id}/parse", parse_get)
    assert parse_get.json()["task_id"] == task_id and parse_get.json()["task_type"] == "Parse"
    # its task_url is a 2.x path, and answers the same task
    again = httpx.get(task["task_url"], params={"include_chunks": "false"}, headers=http.headers).json()
    assert again["task_id"] == task_id and again["task_type"] == "Parse" and again["output"]["chunks"] == []


def test_the_v1_spelling_of_the_same_task_keeps_v1_json(http: httpx.Client) -> None:
    task_id = http.post("/tasks/parse", json=BODY).json()["task_id"]
    v1 = http.get(f"/task/{task_id}").json()
    TaskResponse.model_validate(v1)
    assert not V2_ONLY & set(v1)
    assert v1["configuration"]["input_file_url"] and "expires_in" in v1["configuration"]
    assert v1["task_url"].endswith(f"/api/v1/task/{task_id}")


def test_update_answers_in_2x_json(document: dict[str, Any], http: httpx.Client) -> None:
    task_id = http.post("/tasks/parse", json=BODY, params={"wait": 120}).json()["task_id"]
    response = http.patch(f"/tasks/{task_id}/parse", json={"chunk_processing": {"target_length": 77}})
    check(document, "PATCH", "/api/v1/tasks/{task_id}/parse", response)
    task = response.json()
    assert_v2(task)
    assert task["status"] == "Starting" and task["completed"] is False
    assert task["configuration"]["chunk_processing"]["target_length"] == 77


def test_cancel_and_delete_on_the_2x_paths(document: dict[str, Any], own: httpx.Client) -> None:
    task_id = own.post("/tasks/parse", json=BODY).json()["task_id"]
    cancelled = own.get(f"/tasks/{task_id}/cancel")
    check(document, "GET", "/api/v1/tasks/{task_id}/cancel", cancelled)
    assert cancelled.text == "Task cancelled"
    task = own.get(f"/tasks/{task_id}").json()
    assert (task["status"], task["completed"]) == ("Cancelled", True)
    deleted = own.delete(f"/tasks/{task_id}")
    check(document, "DELETE", "/api/v1/tasks/{task_id}", deleted)
    assert deleted.text == "Task deleted"
    assert_plain_error(own.get(f"/tasks/{task_id}"), 404)


def test_list_for_2x_callers_pages_by_cursor_newest_first(document: dict[str, Any], own: httpx.Client) -> None:
    created = [own.post("/tasks/parse", json=BODY).json()["task_id"] for _ in range(5)]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2, "sort": "desc"}
    while True:
        response = own.get("/tasks", params=params)
        check(document, "GET", "/api/v1/tasks", response)
        page = response.json()
        assert set(page) == {"tasks", "next_cursor", "has_more"}
        for task in page["tasks"]:
            assert_v2(task)
        seen += [t["task_id"] for t in page["tasks"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        assert len(page["tasks"]) == 2
        params["cursor"] = page["next_cursor"]
    assert seen == created[::-1]


def test_list_for_2x_callers_oldest_first_and_filtered(own: httpx.Client) -> None:
    created = [own.post("/tasks/parse", json=BODY).json()["task_id"] for _ in range(3)]
    own.get(f"/tasks/{created[1]}/cancel")
    first = own.get("/tasks", params={"sort": "asc", "limit": 2}).json()
    rest_ = own.get("/tasks", params={"sort": "asc", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [t["task_id"] for t in first["tasks"] + rest_["tasks"]] == created
    assert rest_["has_more"] is False
    # the SDK sends arrays comma-separated
    starting = own.get("/tasks", params={"statuses": "Starting,Processing"}).json()
    assert [t["task_id"] for t in starting["tasks"]] == [created[2], created[0]]
    cancelled = own.get("/tasks", params={"statuses": "Cancelled", "task_types": "Parse"}).json()
    assert [t["task_id"] for t in cancelled["tasks"]] == [created[1]]
    assert own.get("/tasks", params={"task_types": "Extract"}).json() == {"tasks": [], "next_cursor": None, "has_more": False}
    assert_plain_error(own.get("/tasks", params={"statuses": "Done"}), 400)
    assert_plain_error(own.get("/tasks", params={"sort": "sideways"}), 400)


def test_list_answers_the_2x_sdk_a_page_and_everyone_else_v1s_array(own: httpx.Client) -> None:
    created = [own.post("/tasks/parse", json=BODY).json()["task_id"] for _ in range(2)]
    sdk = own.get("/tasks", headers={"X-Stainless-Lang": "python"}).json()
    assert [t["task_id"] for t in sdk["tasks"]] == created[::-1] and sdk["has_more"] is False
    v1 = own.get("/tasks").json()
    assert isinstance(v1, list) and [t["task_id"] for t in v1] == created[::-1]
    assert not V2_ONLY & set(v1[0])
    assert isinstance(own.get("/tasks", params={"page": 1, "limit": 1}).json(), list)


def test_2x_pages_never_split_tasks_created_at_the_same_instant(idle: RunningServer, own: httpx.Client) -> None:
    created = [own.post("/tasks/parse", json=BODY).json()["task_id"] for _ in range(6)]
    group = created[1:5]
    with contextlib.closing(sqlite3.connect(idle.data_dir / "chunkd.db")) as db, db:
        # four tasks created at one instant (as one clock tick can create them)
        db.execute(
            f"UPDATE tasks SET created_at = (SELECT created_at FROM tasks WHERE id = ?) WHERE id IN ({','.join('?' * 4)})",
            (group[0], *group),
        )
    for sort, expected_first in (("desc", created[5]), ("asc", created[0])):
        pages: list[list[str]] = []
        params: dict[str, Any] = {"limit": 2, "sort": sort}
        while True:
            page = own.get("/tasks", params=params).json()
            pages.append([t["task_id"] for t in page["tasks"]])
            if not page["has_more"]:
                break
            params["cursor"] = page["next_cursor"]
        seen = [task_id for page_ids in pages for task_id in page_ids]
        assert sorted(seen) == sorted(created) and len(seen) == 6, (sort, pages)
        assert pages[0] == [expected_first]  # the page stops before the group rather than inside it
        assert sorted(pages[1]) == sorted(group)  # the group, whole, though larger than the limit
