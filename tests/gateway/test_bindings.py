"""The REST paths are declared once, on the RPCs in tasks.proto (google.api.http):
the gateway serves exactly those bindings, at /api/v1 and at the root, and the
OpenAPI document lists them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.bindings import API_PREFIX, bindings, bound_rpcs
from server.config import Settings

# Paths of the gateway that are no RPC of the proto: its liveness, and signed file downloads.
NOT_RPCS = {("GET", "/health"), ("GET", "/files/{key}")}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("data"))))


def _declared() -> set[tuple[str, str]]:
    return {(b.method, b.path) for rpc in bound_rpcs() for b in bindings(rpc)}


def test_every_rpc_but_the_streams_to_dashboards_has_a_rest_binding() -> None:
    assert {"CreateTask", "GetTask", "ListTasks", "UpdateTask", "CancelTask", "DeleteTask", "WatchTask"} <= set(
        bound_rpcs()
    )
    assert {"UploadFile", "GetFileContent", "CreateWebhook", "DeleteWebhook"} <= set(bound_rpcs())
    assert ("POST", "/task/parse") in _declared() and ("PATCH", "/tasks/{task_id}/parse") in _declared()


def test_the_gateway_serves_and_documents_exactly_the_declared_bindings_at_both_prefixes(app: Any) -> None:
    documented = {(m.upper(), p) for p, operations in app.openapi()["paths"].items() for m in operations}
    under_prefix = {(m, p.removeprefix(API_PREFIX)) for m, p in documented if p.startswith(API_PREFIX + "/")}
    at_root = {(m, p) for m, p in documented if not p.startswith(API_PREFIX + "/")}
    assert under_prefix - NOT_RPCS == _declared()
    assert at_root - NOT_RPCS == _declared()


def test_each_rpcs_main_binding_carries_chunkrs_operation_id(app: Any) -> None:
    paths = app.openapi()["paths"]
    main = bindings("ListTasks")[0]
    assert paths[API_PREFIX + main.path][main.method.lower()]["operationId"] == "get_tasks_route"
    main = bindings("UpdateTask")[0]
    assert paths[API_PREFIX + main.path][main.method.lower()]["operationId"] == "update_task_route"
