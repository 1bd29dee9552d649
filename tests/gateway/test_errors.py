"""The one table from gRPC status codes to HTTP statuses."""

from __future__ import annotations

from pathlib import Path

import grpc
import httpx
import pytest
from grpc.aio import AioRpcError, Metadata

from gateway.errors import http_status, rpc_error
from server.config import Settings
from tests.gateway.inprocess import running_gateway
from tests.harness import free_port


def failed(code: grpc.StatusCode, details: str) -> AioRpcError:
    return AioRpcError(code, Metadata(), Metadata(), details=details)


@pytest.mark.parametrize(
    ("code", "details", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, "Invalid base64 data", 400),
        (grpc.StatusCode.FAILED_PRECONDITION, "Task cannot be cancelled: status is Processing", 400),
        (grpc.StatusCode.NOT_FOUND, "Task not found", 404),
        (grpc.StatusCode.UNAUTHENTICATED, "Invalid API key", 401),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "File too large: 5 bytes (limit 4)", 413),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "Too many requests", 429),
        (grpc.StatusCode.INTERNAL, "Internal server error", 500),
        (grpc.StatusCode.UNKNOWN, "boom", 500),
        (grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses", 503),
    ],
)
def test_status_for_each_code(code: grpc.StatusCode, details: str, status: int) -> None:
    assert http_status(code, details) == status


def test_caller_facing_details_pass_through() -> None:
    assert rpc_error(failed(grpc.StatusCode.NOT_FOUND, "Task not found")) == (404, "Task not found")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (grpc.StatusCode.INTERNAL, "Internal server error"),
        (grpc.StatusCode.UNKNOWN, "Internal server error"),
        (grpc.StatusCode.DATA_LOSS, "Internal server error"),
        (grpc.StatusCode.UNAVAILABLE, "Service unavailable"),
    ],
)
def test_other_details_never_reach_the_caller(code: grpc.StatusCode, text: str) -> None:
    status, shown = rpc_error(failed(code, "Traceback (most recent call last): /srv/secret.py line 3"))
    assert shown == text and status >= 500


async def test_a_gateway_whose_server_is_down_answers_503(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        grpc_address=f"127.0.0.1:{free_port()}",  # nothing listens there
        http_address=f"127.0.0.1:{free_port()}",
    )
    async with running_gateway(settings), httpx.AsyncClient(base_url=f"http://{settings.http_address}") as client:
        response = await client.get("/api/v1/task/00000000-0000-0000-0000-000000000000", headers={"Authorization": "k"})
    assert (response.status_code, response.text) == (503, "Service unavailable")
    assert response.headers["content-type"].startswith("text/plain")
