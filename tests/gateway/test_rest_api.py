"""The REST gateway against a real chunkd (gRPC server, worker, SQLite, blob
store) over loopback, replaying the seeds' REST examples with httpx."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest

from server.blobs import UrlSigner, load_secret
from tests.gateway.conftest import IDLE_MAX_FILE_SIZE, PDF, rest
from tests.gateway.http_files import FileServer
from tests.gateway.rest import assert_plain_error, create, upload_json, wait_terminal
from tests.harness import CORPUS, RunningServer

BIG_PDF = CORPUS / "pdf" / "normal_4pages.pdf"


def test_health(server: RunningServer) -> None:
    for path in ("/health", "/api/v1/health"):
        response = httpx.get(server.http_url + path)
        assert (response.status_code, response.text) == (200, "OK")


def test_create_then_get_a_succeeded_task_with_chunks(http: httpx.Client, server: RunningServer) -> None:
    task = create(http, PDF, chunk_processing={"target_length": 128})
    assert task["status"] == "Starting"
    assert task["configuration"]["chunk_processing"]["target_length"] == 128
    assert task["configuration"]["ocr_strategy"] == "Auto"  # default filled in
    assert task["task_url"] == f"{server.http_url}/api/v1/task/{task['task_id']}"
    assert datetime.fromisoformat(task["created_at"]).tzinfo is not None
    wait_terminal(http, task["task_id"])
    done = http.get(f"/task/{task['task_id']}").json()
    assert done["status"] == "Succeeded" and done["finished_at"] and done["started_at"]
    output = done["output"]
    assert output["file_name"] == "multi_page.pdf" and output["page_count"] >= 2
    segments = [s for chunk in output["chunks"] for s in chunk["segments"]]
    assert segments and all(set(s["bbox"]) == {"left", "top", "width", "height"} for s in segments)
    assert any(s["markdown"] for s in segments)
    without = http.get(f"/task/{task['task_id']}", params={"include_chunks": "false"}).json()
    assert without["output"]["chunks"] == []


def test_both_base_urls_and_both_spellings_answer(server: RunningServer, http: httpx.Client) -> None:
    task = create(http, PDF)
    task_id = task["task_id"]
    for prefix in ("", "/api/v1"):
        for spelling in ("task", "tasks"):
            with rest(server, server.api_key, prefix) as client:
                got = client.get(f"/{spelling}/{task_id}", params={"include_chunks": "false"})
            assert got.status_code == 200, (prefix, spelling)
            assert got.json()["task_url"] == f"{server.http_url}/api/v1/{spelling}/{task_id}"
    with rest(server, server.api_key, "") as root:
        assert root.post("/tasks/parse", json={"file": base64.b64encode(PDF.read_bytes()).decode()}).status_code == 200


def test_multipart_upload_with_configuration_fields(http: httpx.Client) -> None:
    response = http.post(
        "/task/parse",
        files={"file": (PDF.name, PDF.read_bytes(), "application/pdf")},
        data={"ocr_strategy": "All", "chunk_processing": '{"target_length": 64}', "high_resolution": "false"},
    )
    assert response.status_code == 200, response.text
    configuration = response.json()["configuration"]
    assert configuration["ocr_strategy"] == "All"
    assert configuration["chunk_processing"]["target_length"] == 64
    assert configuration["high_resolution"] is False
    assert f"/input/{PDF.name}?" in configuration["input_file_url"]


def test_data_url_upload(http: httpx.Client) -> None:
    data_url = "data:application/pdf;base64," + base64.b64encode(PDF.read_bytes()).decode()
    assert http.post("/task/parse", json={"file": data_url, "file_name": "a.pdf"}).status_code == 200


def test_api_key_bare_or_bearer_and_401_without(server: RunningServer) -> None:
    task_path = "/api/v1/tasks?limit=1&page=1"
    assert httpx.get(server.http_url + task_path, headers={"Authorization": server.api_key}).status_code == 200
    assert httpx.get(server.http_url + task_path, headers={"Authorization": f"Bearer {server.api_key}"}).status_code == 200
    assert_plain_error(httpx.get(server.http_url + task_path), 401)
    assert_plain_error(httpx.get(server.http_url + task_path, headers={"Authorization": "ck_nope"}), 401, "Invalid API key")


def test_task_not_found_texts(http: httpx.Client) -> None:
    missing = str(uuid.uuid4())
    assert_plain_error(http.get(f"/task/{missing}"), 404, "Task not found")
    assert_plain_error(http.get(f"/task/{missing}/cancel"), 404, "Task not found")
    assert_plain_error(http.delete(f"/task/{missing}"), 404, "Task not found")
    assert_plain_error(http.patch(f"/task/{missing}/parse", json={"expires_in": 5}), 404, "Task not found")


def test_another_owners_task_is_not_found(server: RunningServer, http: httpx.Client) -> None:
    task = create(http, PDF)
    with rest(server, server.create_api_key("mallory")) as other:
        assert_plain_error(other.get(f"/task/{task['task_id']}"), 404, "Task not found")


# ------------------------------------------------------------- the seeds' flows


def test_cancel_and_recreate(idle_http: httpx.Client) -> None:
    first = create(idle_http, PDF)
    cancelled = idle_http.get(f"/task/{first['task_id']}/cancel")
    assert (cancelled.status_code, cancelled.text) == (200, "Task cancelled")
    assert idle_http.get(f"/task/{first['task_id']}").json()["status"] == "Cancelled"
    assert_plain_error(
        idle_http.get(f"/task/{first['task_id']}/cancel"), 400, "Task cannot be cancelled: status is Cancelled"
    )
    second = create(idle_http, PDF)
    assert second["task_id"] != first["task_id"] and second["status"] == "Starting"
    assert idle_http.post(f"/tasks/{second['task_id']}/cancel").text == "Task cancelled"


def test_list_with_page_limit_and_date_filters(idle: RunningServer) -> None:
    with rest(idle, idle.create_api_key(f"lister-{uuid.uuid4()}")) as client:
        created = [create(client, PDF) for _ in range(3)]
        newest_first = [t["task_id"] for t in reversed(created)]
        page1 = client.get("/tasks", params={"page": 1, "limit": 2}).json()
        page2 = client.get("/tasks", params={"page": 2, "limit": 2}).json()
        assert [t["task_id"] for t in page1 + page2] == newest_first
        assert all(t["output"] is None for t in page1)
        start = created[1]["created_at"]
        since = client.get("/tasks", params={"page": 1, "limit": 10, "start": start}).json()
        assert [t["task_id"] for t in since] == newest_first[:2]
        until = client.get("/tasks", params={"page": 1, "limit": 10, "end": start}).json()
        assert [t["task_id"] for t in until] == newest_first[1:]
        everything = client.get("/tasks").json()
        assert [t["task_id"] for t in everything] == newest_first
        assert client.get("/tasks", params={"page": 9, "limit": 10}).json() == []


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("page=1", "Limit is required when page is provided"),
        ("page=0&limit=1", None),
        ("page=x&limit=1", "Invalid page: Input should be a valid integer, unable to parse string as an integer"),
        ("limit=-5", None),
        ("start=yesterday", None),
        ("include_chunks=maybe", None),
        ("start=2025-01-02T00:00:00Z&end=2025-01-01T00:00:00Z", "start must not be after end"),
    ],
)
def test_list_query_problems_are_400(http: httpx.Client, query: str, text: str | None) -> None:
    assert_plain_error(http.get(f"/tasks?{query}"), 400, text)


def test_cleanup_of_old_tasks(server: RunningServer) -> None:
    with rest(server, server.create_api_key(f"cleaner-{uuid.uuid4()}")) as client:
        old = [create(client, PDF)["task_id"] for _ in range(2)]
        for task_id in old:
            wait_terminal(client, task_id)
        cutoff = datetime.now(UTC)
        newer = create(client, PDF)["task_id"]
        stale = client.get("/tasks", params={"end": cutoff.isoformat()}).json()
        assert sorted(t["task_id"] for t in stale) == sorted(old)
        for task in stale:
            response = client.delete(f"/task/{task['task_id']}")
            assert (response.status_code, response.text) == (200, "Task deleted")
        assert [t["task_id"] for t in client.get("/tasks").json()] == [newer]


def test_delete_with_retry(http: httpx.Client) -> None:
    task_id = create(http, PDF)["task_id"]
    refusals = []
    deadline = time.monotonic() + 120
    while True:
        response = http.delete(f"/task/{task_id}")
        if response.status_code == 200:
            break
        assert_plain_error(response, 400)
        refusals.append(response.text)
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert response.text == "Task deleted"
    assert all(text.startswith("Task cannot be deleted: status is ") for text in refusals)
    assert_plain_error(http.get(f"/task/{task_id}"), 404, "Task not found")


def test_delete_of_a_starting_task_is_400(idle_http: httpx.Client) -> None:
    task = create(idle_http, PDF)
    assert_plain_error(idle_http.delete(f"/task/{task['task_id']}"), 400, "Task cannot be deleted: status is Starting")


def test_update_rules(idle_http: httpx.Client, http: httpx.Client) -> None:
    starting = create(idle_http, PDF)
    assert_plain_error(
        idle_http.patch(f"/task/{starting['task_id']}/parse", json={"expires_in": 60}),
        400,
        "Task cannot be updated: status is Starting",
    )
    done = create(http, PDF)
    wait_terminal(http, done["task_id"])
    same = http.patch(f"/task/{done['task_id']}/parse", json={"chunk_processing": {"target_length": 512}})
    assert_plain_error(same, 400, "Updated configuration must be different from the current one")
    updated = http.patch(f"/task/{done['task_id']}/parse", json={"chunk_processing": {"target_length": 77}})
    assert updated.status_code == 200 and updated.json()["status"] == "Starting"
    assert wait_terminal(http, done["task_id"])["configuration"]["chunk_processing"]["target_length"] == 77


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "status", "text"),
    [
        ({"content": b"{not json"}, 400, None),
        ({"content": b""}, 400, "Request body is empty: expected a JSON object"),
        ({"content": b"[" * 100_000}, 400, "Invalid JSON body: nested too deeply"),
        ({"content": b"\xff\xfe{}"}, 400, None),
        ({"json": ["file"]}, 400, "Invalid JSON body: expected an object"),
        ({"json": {"file_name": "a.pdf"}}, 400, "file is required"),
        ({"json": {"file": 12}}, 400, "Invalid file: expected a string (base64, data: URL or http(s) URL)"),
        ({"json": {"file": "***not base64***"}}, 400, "Invalid base64 data"),
        ({"json": {"file": "data:application/pdf,rawtext"}}, 400, "Invalid base64 data"),
        ({"json": {"file": "ftp://example.com/a.pdf"}}, 400, "Invalid base64 data"),
        ({"json": {"file": "QUJD", "file_name": 5}}, 400, "Invalid file_name: expected a string"),
        ({"json": {"file": "QUJD", "ocr_strategy": "Never"}}, 400, "Invalid ocr_strategy: 'Never' (expected one of Auto, All)"),
        ({"json": {"file": "QUJD", "chunk_processing": {"target_length": "big"}}}, 400,
         "Invalid chunk_processing.target_length: expected an integer, got string"),
        ({"json": {"file": "QUJD", "chunk_processing": {"target_length": -1}}}, 400, None),
        ({"json": {"file": "QUJD", "high_resolution": 1}}, 400, "Invalid high_resolution: expected a boolean, got number"),
        ({"json": {"file": "QUJD", "ocr_stratgy": "All"}}, 400, None),
        ({"json": {"file": "QUJD", "tokenizer": {"Enum": 5}}}, 400, None),
        ({"json": {"file": "QUJD", "expires_in": -1}}, 400, "Invalid expires_in: -1 (must be >= 0)"),
        ({"json": {"file": base64.b64encode(bytes(range(256)) * 4).decode()}}, 400, "Unsupported file type: application/octet-stream"),
        ({"content": b"file=x", "headers": {"content-type": "application/x-www-form-urlencoded"}}, 415, None),
        ({"files": {"other": ("a.pdf", b"%PDF-")}}, 400, "file is required"),
    ],
)
def test_bad_create_requests_are_clear_4xx(http: httpx.Client, kwargs: dict[str, object], status: int, text: str | None) -> None:
    assert_plain_error(http.post("/task/parse", **kwargs), status, text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/task/not-a-uuid", 400),
        ("/task/%2e%2e", 400),
        ("/task/..%2F..%2Fsecret.key", 404),
        ("/task/a/b/c", 404),
        ("/task/" + "x" * 5000, 400),
    ],
)
def test_odd_task_ids_are_4xx(http: httpx.Client, path: str, status: int) -> None:
    assert_plain_error(http.get(path), status)


def test_unknown_path_and_method_are_plain_text(http: httpx.Client) -> None:
    assert_plain_error(http.get("/nowhere"), 404, "Not Found")
    assert_plain_error(http.put("/task/parse"), 405, "Method Not Allowed")


def test_oversized_body_is_413_before_it_is_read(idle_http: httpx.Client) -> None:
    huge = b'{"file": "' + b"A" * (2 * 1024 * 1024) + b'"}'
    response = idle_http.post("/task/parse", content=huge, headers={"content-type": "application/json"})
    assert_plain_error(response, 413)
    assert response.text.startswith("Request body too large")


def test_oversized_chunked_body_is_413(idle_http: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"file": "'
        for _ in range(40):
            yield b"A" * 65536
        yield b'"}'

    response = idle_http.post("/task/parse", content=body(), headers={"content-type": "application/json"})
    assert_plain_error(response, 413)


def test_file_over_the_configured_size_is_413(idle_http: httpx.Client) -> None:
    assert BIG_PDF.stat().st_size > IDLE_MAX_FILE_SIZE
    response = idle_http.post("/task/parse", files={"file": (BIG_PDF.name, BIG_PDF.read_bytes())})
    assert_plain_error(response, 413)
    assert response.text.startswith("File too large")
    assert_plain_error(upload_json(idle_http, BIG_PDF), 413)


# ----------------------------------------------------------------- URL files


def test_url_on_loopback_is_refused_by_default(http: httpx.Client, files: FileServer) -> None:
    response = http.post("/task/parse", json={"file": files / "pdf/multi_page.pdf"})
    assert_plain_error(response, 400)
    assert "loopback, private or reserved" in response.text


def test_url_is_fetched_when_allowed_and_its_name_wins(idle_http: httpx.Client, files: FileServer) -> None:
    response = idle_http.post("/task/parse", json={"file": files / "pdf/multi_page.pdf", "file_name": "other.pdf"})
    assert response.status_code == 200, response.text
    input_url = response.json()["configuration"]["input_file_url"]
    assert "/input/multi_page.pdf?" in input_url
    assert httpx.get(input_url).content == PDF.read_bytes()


def test_url_problems_are_400(idle_http: httpx.Client, files: FileServer) -> None:
    assert_plain_error(idle_http.post("/task/parse", json={"file": files / "pdf/nope.pdf"}), 400, "Could not fetch URL: HTTP 404")
    too_big = idle_http.post("/task/parse", json={"file": files / "pdf/normal_4pages.pdf"})
    assert_plain_error(too_big, 413)


# --------------------------------------------------------------- signed files


def test_signed_file_urls(server: RunningServer, http: httpx.Client) -> None:
    task = create(http, PDF)
    url = task["configuration"]["input_file_url"]
    assert url.startswith(f"{server.http_url}/files/tasks/{task['task_id']}/")
    download = httpx.get(url)
    assert download.status_code == 200 and download.content == PDF.read_bytes()
    assert download.headers["content-type"] == "application/pdf"
    assert_plain_error(httpx.get(url.replace("signature=", "signature=x")), 403, "Invalid or expired signature")
    assert_plain_error(httpx.get(url.split("?")[0]), 403, "Invalid or expired signature")
    assert_plain_error(httpx.get(url.replace("expires=", "expires=1")), 403)

    key = url.split("/files/", 1)[1].split("?")[0]
    signer = UrlSigner(load_secret("", server.data_dir), server.http_url, ttl=60)
    expired = signer.sign(key, now=time.time() - 3600)
    assert_plain_error(httpx.get(expired), 403, "Invalid or expired signature")
    for odd_key in (f"tasks/{task['task_id']}/missing.pdf", "../secret.key"):
        signed = f"{server.http_url}/files/{quote(odd_key, safe='')}?" + signer.sign(odd_key).split("?")[1]
        assert_plain_error(httpx.get(signed), 404, "File not found")


def test_base64_urls(http: httpx.Client) -> None:
    task = create(http, PDF)
    wait_terminal(http, task["task_id"])
    got = http.get(f"/task/{task['task_id']}", params={"base64_urls": "true"}).json()
    assert got["configuration"]["input_file_url"].startswith("data:application/pdf;base64,")
    urls = [got["output"]["pdf_url"]] + [p["image"] for p in got["output"]["pages"] or []]
    assert all(u is None or u.startswith("data:") for u in urls)
