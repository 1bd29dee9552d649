"""The served OpenAPI document describes every path, parameter and error, and
the gateway's real responses validate against it."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from jsonschema import Draft202012Validator

from gateway import events, file_routes, files, routes, webhook_routes
from gateway.app import API_PREFIX
from tests.gateway.conftest import PDF
from tests.gateway.rest import create, wait_terminal
from tests.gateway.test_events import sse_events
from tests.harness import RunningServer


@pytest.fixture(scope="module")
def document(server: RunningServer) -> dict[str, Any]:
    response = httpx.get(f"{server.http_url}/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def check(document: dict[str, Any], method: str, template: str, response: httpx.Response, body: Any = None) -> None:
    """Validates one real response against the document's schema for it."""
    operation = document["paths"][template][method.lower()]
    described = operation["responses"].get(str(response.status_code))
    assert described is not None, f"{method} {template} does not document {response.status_code}"
    media = response.headers["content-type"].split(";")[0]
    assert media in described["content"], f"{method} {template} {response.status_code}: {media} not documented"
    schema = described["content"][media]["schema"]
    instance = body if body is not None else (response.json() if media == "application/json" else response.text)
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_every_route_is_documented(document: dict[str, Any]) -> None:
    mounted = [(prefix, router) for prefix in (API_PREFIX, "") for router in (routes.router, events.router, file_routes.router, webhook_routes.router)]
    mounted.append(("", files.router))
    routes_ = {
        (prefix + r.path.replace(":path}", "}"), m.lower()) for prefix, router in mounted for r in router.routes if isinstance(r, APIRoute) for m in r.methods or ()
    }
    assert len(routes_) >= 30
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert routes_ == documented
    for prefix in ("", "/api/v1"):
        for path in ("/task/parse", "/task/{task_id}", "/task/{task_id}/parse", "/task/{task_id}/cancel",
                     "/tasks", "/tasks/{task_id}", "/tasks/{task_id}/cancel", "/tasks/parse", "/health",
                     "/task/{task_id}/events", "/events"):
            assert prefix + path in document["paths"], prefix + path


def test_every_task_operation_documents_its_errors_and_parameters(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.endswith("/health") or path.startswith("/files"):
                continue
            assert {"400", "401", "404", "500"} <= set(operation["responses"]), (method, path)
            for status, response in operation["responses"].items():
                if status != "200":
                    assert "text/plain" in response["content"], (method, path, status)
    names = {p["name"] for p in document["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    assert names == {"page", "limit", "start", "end", "include_chunks", "base64_urls", "status"} | {
        "cursor", "sort", "statuses", "task_types"  # 2.x's
    }
    get_names = {p["name"] for p in document["paths"]["/api/v1/task/{task_id}"]["get"]["parameters"]}
    assert get_names == {"task_id", "include_chunks", "base64_urls", "wait"}
    create_body = document["paths"]["/api/v1/task/parse"]["post"]["requestBody"]["content"]
    assert set(create_body) == {"application/json", "multipart/form-data"}
    assert "file" in document["components"]["schemas"]["CreateTaskBody"]["properties"]


def test_task_responses_match_the_schema(document: dict[str, Any], http: httpx.Client) -> None:
    created = http.post("/task/parse", json={"file": base64.b64encode(PDF.read_bytes()).decode(), "file_name": PDF.name})
    check(document, "POST", "/api/v1/task/parse", created)
    task_id = created.json()["task_id"]
    wait_terminal(http, task_id)
    for params in ({}, {"include_chunks": "false"}, {"base64_urls": "true"}):
        check(document, "GET", "/api/v1/task/{task_id}", http.get(f"/task/{task_id}", params=params))
    check(document, "GET", "/api/v1/tasks", http.get("/tasks", params={"include_chunks": "true", "limit": 3}))
    updated = http.patch(f"/task/{task_id}/parse", json={"chunk_processing": {"target_length": 33}})
    check(document, "PATCH", "/api/v1/task/{task_id}/parse", updated)
    with http.stream("GET", f"/task/{task_id}/events") as stream:
        events = list(sse_events(stream.iter_lines()))
        for _, data in events:
            check(document, "GET", "/api/v1/task/{task_id}/events", stream, body=data)
    check(document, "GET", "/api/v1/task/{task_id}/cancel", http.get(f"/task/{task_id}/cancel"))  # 400 text
    check(document, "DELETE", "/api/v1/task/{task_id}", http.delete(f"/task/{task_id}"))


def test_error_and_text_responses_match_the_schema(
    document: dict[str, Any], server: RunningServer, http: httpx.Client, idle_http: httpx.Client
) -> None:
    check(document, "GET", "/api/v1/task/{task_id}", http.get("/task/00000000-0000-0000-0000-000000000000"))
    check(document, "GET", "/api/v1/tasks", http.get("/tasks", params={"page": 1}))
    check(document, "POST", "/api/v1/task/parse", http.post("/task/parse", content=b"{"))
    check(document, "GET", "/api/v1/tasks", httpx.get(f"{server.http_url}/api/v1/tasks"))
    task = create(idle_http, PDF)
    check(document, "GET", "/api/v1/task/{task_id}/cancel", idle_http.get(f"/task/{task['task_id']}/cancel"))
    check(document, "DELETE", "/api/v1/task/{task_id}", idle_http.delete(f"/task/{task['task_id']}"))
    check(document, "GET", "/health", httpx.get(f"{server.http_url}/health"))


def test_file_download_responses_match_the_schema(document: dict[str, Any], http: httpx.Client) -> None:
    url = create(http, PDF)["configuration"]["input_file_url"]
    check(document, "GET", "/files/{key}", httpx.get(url.replace("signature=", "signature=x")))



def test_the_interactive_docs_are_served(server: RunningServer) -> None:
    docs = httpx.get(f"{server.http_url}/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


def test_operation_ids_are_chunkrs_and_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/api/v1/task/parse"]["post"]["operationId"] == "create_task_route"
    assert document["paths"]["/api/v1/task/{task_id}"]["get"]["operationId"] == "get_task_route"
    assert document["paths"]["/api/v1/task/{task_id}/cancel"]["get"]["operationId"] == "cancel_task_route"
    assert document["paths"]["/api/v1/tasks"]["get"]["operationId"] == "get_tasks_route"


def test_the_document_validates_as_openapi(document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(document)  # type: ignore[arg-type]
    for path in ("/files", "/files/{file_id}", "/files/{file_id}/content", "/files/{file_id}/url",
                 "/webhooks", "/webhooks/{webhook_id}"):
        assert path in document["paths"] and "/api/v1" + path in document["paths"], path
