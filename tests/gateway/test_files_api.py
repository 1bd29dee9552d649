"""Chunkr 2.x's Files API over REST and gRPC against a live chunkd: upload once,
read back, list, sign, delete, and make tasks from `ch://files/{file_id}`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.gateway.conftest import PDF, rest
from tests.gateway.rest import wait_terminal
from tests.harness import RunningServer
from tests.support import auth, rpc_error


def upload(http: httpx.Client, data: bytes = b"", name: str = "multi_page.pdf", metadata: str | None = None) -> httpx.Response:
    fields = {"file_metadata": metadata} if metadata is not None else {}
    return http.post("/files", files={"file": (name, data or PDF.read_bytes(), "application/pdf")}, data=fields)


@pytest.fixture(scope="module")
def stranger(server: RunningServer) -> Iterator[httpx.Client]:
    with rest(server, server.create_api_key(f"stranger-{uuid.uuid4().hex[:6]}")) as client:
        yield client


@pytest.fixture(scope="module")
def files_stub(channel: grpc.Channel) -> tasks_pb2_grpc.FileServiceStub:
    return tasks_pb2_grpc.FileServiceStub(channel)


def test_upload_returns_the_2x_record_with_a_permanent_ch_url(http: httpx.Client) -> None:
    response = upload(http, metadata='{"project": "alpha", "pages": 2}')
    assert response.status_code == 200, response.text
    file = response.json()
    assert set(file) == {"file_id", "file_name", "content_type", "file_size", "metadata", "created_at", "url"}
    assert file["url"] == f"ch://files/{file['file_id']}"
    assert file["file_name"] == "multi_page.pdf" and file["content_type"] == "application/pdf"
    assert file["file_size"] == PDF.stat().st_size
    assert file["metadata"] == {"project": "alpha", "pages": 2}
    assert http.get(f"/files/{file['file_id']}").json() == file


def test_upload_keeps_only_the_base_name_of_a_client_path(http: httpx.Client) -> None:
    assert upload(http, name="C:\\Users\\me\\docs\\report.pdf").json()["file_name"] == "report.pdf"
    assert upload(http, name="/home/me/docs/notes.pdf").json()["file_name"] == "notes.pdf"


def test_content_is_the_bytes_uploaded(http: httpx.Client) -> None:
    file = upload(http).json()
    response = http.get(f"/files/{file['file_id']}/content")
    assert response.status_code == 200
    assert response.content == PDF.read_bytes()
    assert response.headers["content-type"] == "application/pdf"


def test_signed_url_downloads_without_a_key_and_a_tampered_one_is_403(http: httpx.Client, server: RunningServer) -> None:
    file = upload(http).json()
    signed = http.get(f"/files/{file['file_id']}/url").json()
    assert signed["url"].startswith(server.http_url + "/files/") and signed["expires_at"]
    assert httpx.get(signed["url"]).content == PDF.read_bytes()
    assert httpx.get(signed["url"].replace("signature=", "signature=x")).status_code == 403


def test_list_pages_newest_first_with_a_cursor(server: RunningServer) -> None:
    with rest(server, server.create_api_key(f"lister-{uuid.uuid4().hex[:6]}")) as own:
        ids = [upload(own, name=f"doc{i}.pdf").json()["file_id"] for i in range(5)]
        first = own.get("/files", params={"limit": 2}).json()
        assert first["has_more"] and first["next_cursor"]
        seen = [f["file_id"] for f in first["files"]]
        cursor = first["next_cursor"]
        while cursor:
            page = own.get("/files", params={"limit": 2, "cursor": cursor}).json()
            seen += [f["file_id"] for f in page["files"]]
            cursor = page["next_cursor"]
        assert seen == ids[::-1]
        assert own.get("/files", params={"cursor": "not-a-cursor"}).status_code == 400


def test_every_path_is_served_under_api_v1_and_at_the_root(server: RunningServer) -> None:
    with rest(server, server.api_key, prefix="") as root:
        file = upload(root).json()
        assert root.get(f"/api/v1/files/{file['file_id']}").json()["file_id"] == file["file_id"]
        assert root.get(f"/files/{file['file_id']}").status_code == 200


def test_delete_then_the_file_is_gone(http: httpx.Client) -> None:
    file = upload(http).json()
    response = http.delete(f"/files/{file['file_id']}")
    assert response.status_code == 200 and response.json()["deleted"] is True
    for path in ("", "/content", "/url"):
        gone = http.get(f"/files/{file['file_id']}{path}")
        assert (gone.status_code, gone.text) == (404, "File not found")
    assert http.delete(f"/files/{file['file_id']}").status_code == 404


def test_another_owners_file_is_not_found(http: httpx.Client, stranger: httpx.Client) -> None:
    file = upload(http).json()
    for method, path in (("GET", ""), ("GET", "/content"), ("GET", "/url"), ("DELETE", "")):
        response = stranger.request(method, f"/files/{file['file_id']}{path}")
        assert (response.status_code, response.text) == (404, "File not found")
    assert file["file_id"] not in [f["file_id"] for f in stranger.get("/files").json()["files"]]
    task = stranger.post("/tasks/parse", json={"file": file["url"]})
    assert (task.status_code, task.text) == (404, "File not found")
    assert http.get(f"/files/{file['file_id']}").status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"file_metadata": "[1, 2]"}, 400, "Invalid file_metadata: expected a JSON object"),
        ({"file_metadata": "{not json"}, 400, "Invalid file_metadata: expected a JSON object"),
    ],
)
def test_bad_metadata_is_400(http: httpx.Client, fields: dict[str, str], status: int, text: str) -> None:
    response = http.post("/files", files={"file": ("a.pdf", PDF.read_bytes())}, data=fields)
    assert (response.status_code, response.text) == (status, text)


def test_bad_uploads_and_ids_are_refused_with_their_status(http: httpx.Client) -> None:
    no_file = http.post("/files", files={"file_metadata": (None, "{}")})
    assert (no_file.status_code, no_file.text) == (400, "file is required")
    assert http.post("/files", json={"file": "abc"}).status_code == 415
    empty = http.post("/files", files={"file": ("a.pdf", b"")})
    assert (empty.status_code, empty.text) == (400, "File is empty")
    bad = http.get("/files/not-a-uuid")
    assert (bad.status_code, bad.text) == (400, "Invalid file id: 'not-a-uuid'")
    assert http.get(f"/files/{uuid.uuid4()}").status_code == 404


def test_a_task_reads_an_uploaded_file_without_a_second_upload(http: httpx.Client) -> None:
    file = upload(http, name="uploaded.pdf").json()
    for body in ({"file": file["url"]}, {"file": file["url"], "file_name": "renamed.pdf"}):
        task = http.post("/tasks/parse", json=body)
        assert task.status_code == 200, task.text
        wait_terminal(http, task.json()["task_id"])
        done = http.get(f"/tasks/{task.json()['task_id']}").json()
        assert done["status"] == "Succeeded", done["message"]
        assert done["output"]["file_name"] == body.get("file_name", "uploaded.pdf")
        assert done["output"]["page_count"] >= 2
    form = http.post("/task/parse", files={"file": (None, file["url"])})
    assert form.status_code == 200, form.text
    # the task keeps its own copy: deleting the file leaves the task's input readable
    http.delete(f"/files/{file['file_id']}")
    assert http.get(f"/tasks/{form.json()['task_id']}").status_code == 200


def test_file_service_over_grpc(files_stub: tasks_pb2_grpc.FileServiceStub, stub: tasks_pb2_grpc.TaskServiceStub, api_key: str) -> None:
    metadata = auth(api_key)
    file = files_stub.UploadFile(
        pb.UploadFileRequest(file=PDF.read_bytes(), file_name="dir/grpc.pdf", metadata='{"k": "v"}'), metadata=metadata
    )
    assert file.url == f"ch://files/{file.file_id}" and file.file_name == "grpc.pdf"
    assert json.loads(file.metadata) == {"k": "v"} and file.file_size == PDF.stat().st_size
    assert files_stub.GetFile(pb.GetFileRequest(file_id=file.file_id), metadata=metadata) == file
    assert files_stub.GetFile(pb.GetFileRequest(file_id=file.url), metadata=metadata) == file
    content = files_stub.GetFileContent(pb.GetFileContentRequest(file_id=file.file_id), metadata=metadata)
    assert content.content == PDF.read_bytes() and content.content_type == "application/pdf"
    assert files_stub.GetFileUrl(pb.GetFileUrlRequest(file_id=file.file_id), metadata=metadata).url
    listed = files_stub.ListFiles(pb.ListFilesRequest(limit=1000), metadata=metadata)
    assert file.file_id in [f.file_id for f in listed.files]
    task = stub.CreateTask(pb.CreateTaskRequest(file_id=file.url), metadata=metadata)
    assert task.status == pb.TASK_STATUS_STARTING
    files_stub.DeleteFile(pb.DeleteFileRequest(file_id=file.file_id), metadata=metadata)
    error = rpc_error(lambda: files_stub.GetFile(pb.GetFileRequest(file_id=file.file_id), metadata=metadata))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    unauthenticated = rpc_error(lambda: files_stub.ListFiles(pb.ListFilesRequest()))
    assert unauthenticated.code() == grpc.StatusCode.UNAUTHENTICATED
