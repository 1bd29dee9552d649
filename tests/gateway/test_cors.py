"""CORS: off unless CHUNKD_CORS_ORIGINS names origins; a named origin's preflight is
answered and allows the Authorization header, any other origin gets no access."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.harness import RunningServer, start_server

APP = "https://app.example"
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"CHUNKD_CORS_ORIGINS": f"{APP}, https://admin.example"}
    running = start_server(tmp_path_factory.mktemp("cors"), env, "--no-worker")
    yield running
    running.stop()


def test_a_preflight_from_an_allowed_origin_is_answered_with_authorization_allowed(cors_server: RunningServer) -> None:
    response = httpx.options(f"{cors_server.http_url}/api/v1/task/parse", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_from_another_origin_gets_no_access(cors_server: RunningServer) -> None:
    response = httpx.options(
        f"{cors_server.http_url}/api/v1/task/parse", headers={**PREFLIGHT, "Origin": "https://evil.example"}
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_responses_and_errors_to_an_allowed_origin_carry_the_header(cors_server: RunningServer) -> None:
    listed = httpx.get(
        f"{cors_server.http_url}/api/v1/tasks", headers={"Origin": APP, "Authorization": cors_server.api_key}
    )
    assert listed.status_code == 200 and listed.headers["access-control-allow-origin"] == APP
    refused = httpx.get(f"{cors_server.http_url}/api/v1/tasks", headers={"Origin": APP})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == APP


def test_cors_is_off_by_default(server: RunningServer) -> None:
    response = httpx.options(f"{server.http_url}/api/v1/task/parse", headers=PREFLIGHT)
    assert "access-control-allow-origin" not in response.headers
    listed = httpx.get(f"{server.http_url}/api/v1/tasks", headers={"Origin": APP, "Authorization": server.api_key})
    assert "access-control-allow-origin" not in listed.headers
