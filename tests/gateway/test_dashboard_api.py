"""What the dashboard needs from the gateway: its pages at `/` (locked down by
a Content-Security-Policy), `GET /api/v1/events` (every change to the caller's
tasks as SSE) and `GET /api/v1/tasks?status=`."""

from __future__ import annotations

import fnmatch
from typing import Any

import httpx
import pytest

from server.config import Settings
from tests.gateway.conftest import PDF, rest
from tests.gateway.inprocess import running_gateway
from tests.gateway.rest import assert_plain_error, create
from tests.gateway.test_events import _wait, sse_events
from tests.harness import ROOT, RunningServer, free_port


def test_the_dashboard_is_served_at_the_root_with_its_assets_and_a_strict_content_security_policy(
    server: RunningServer,
) -> None:
    with httpx.Client(base_url=server.http_url) as client:
        index = client.get("/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        policy = index.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'self'" in policy and "unsafe-inline" not in policy
        assert '<script type="module" src="static/js/app.js">' in index.text
        script = client.get("/static/js/app.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
        assert client.get("/static/nothing.js").status_code == 404
        # the API keeps its own paths and answers
        assert client.get("/health").text == "OK"
        assert "/" not in client.get("/openapi.json").json()["paths"]


def test_events_without_a_valid_key_is_a_plain_401_before_any_stream(server: RunningServer) -> None:
    assert_plain_error(httpx.get(f"{server.http_url}/api/v1/events"), 401)
    assert_plain_error(httpx.get(f"{server.http_url}/api/v1/events", headers={"Authorization": "wrong"}), 401)


def test_events_follow_every_change_to_the_callers_tasks_and_no_one_elses(idle: RunningServer) -> None:
    other = idle.create_api_key("events-other")
    mine = idle.create_api_key("events-mine")
    seen: list[tuple[str, dict[str, Any]]] = []
    with (
        rest(idle, mine) as client,
        rest(idle, other) as stranger,
        rest(idle, mine) as actions,
        client.stream("GET", "/events") as response,
    ):
        # The response has begun: the watch is subscribed, so nothing done from here on is missed.
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        create(stranger, PDF)
        task = create(actions, PDF)
        assert actions.get(f"/task/{task['task_id']}/cancel").status_code == 200
        assert actions.delete(f"/task/{task['task_id']}").status_code == 200
        for name, data in sse_events(response.iter_lines()):
            seen.append((name, data))
            if name == "deleted":
                break
    assert {data["task"]["task_id"] for _, data in seen} == {task["task_id"]}
    assert [(name, data["task"]["status"]) for name, data in seen] == [
        ("changed", "Starting"),
        ("changed", "Cancelled"),
        ("deleted", "Cancelled"),
    ]
    assert all(data["task"]["task_url"] == task["task_url"] for _, data in seen)


async def test_keepalives_then_a_client_that_disconnects_from_events_ends_the_watch(idle: RunningServer) -> None:
    """In-process gateway in front of the idle server, so the test can see its
    count of open watches and shorten the keep-alive."""
    settings = Settings(grpc_address=idle.grpc_address, http_address=f"127.0.0.1:{free_port()}", data_dir=idle.data_dir)
    async with running_gateway(settings) as app:
        app.state.watches.keepalive = 0.1
        base = f"http://{settings.http_address}/api/v1"
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": idle.api_key}, timeout=60) as client:
            async with client.stream("GET", "/events") as response:
                assert response.status_code == 200
                async for line in response.aiter_lines():
                    if line == ": keep-alive":
                        break
                assert app.state.watches.open == 1
            await _wait(lambda: app.state.watches.open == 0)


def test_tasks_filter_by_one_or_more_statuses(idle: RunningServer) -> None:
    key = idle.create_api_key("status-filter")
    with rest(idle, key) as client:
        queued = create(client, PDF)
        cancelled = create(client, PDF)
        assert client.get(f"/task/{cancelled['task_id']}/cancel").status_code == 200

        def ids(**params: Any) -> list[str]:
            response = client.get("/tasks", params=params)
            assert response.status_code == 200, response.text
            return [t["task_id"] for t in response.json()]

        assert ids(status="Starting") == [queued["task_id"]]
        assert ids(status="Cancelled", page=1, limit=10) == [cancelled["task_id"]]
        assert ids(status=["Starting", "Cancelled"]) == [cancelled["task_id"], queued["task_id"]]
        assert ids(status="Succeeded") == []
        assert ids() == [cancelled["task_id"], queued["task_id"]]
        assert_plain_error(client.get("/tasks", params={"status": "Done"}), 400)


def test_every_dashboard_asset_ships_in_the_wheel() -> None:
    tomllib = pytest.importorskip("tomllib")
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gateway"]
    static = ROOT / "gateway" / "static"
    assets = {p.relative_to(ROOT / "gateway").as_posix() for p in static.rglob("*") if p.is_file()}
    shipped = {a for a in assets if any(fnmatch.fnmatchcase(a, pattern) for pattern in patterns)}
    assert "static/index.html" in assets and shipped == assets
