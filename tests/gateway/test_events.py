"""GET /task/{task_id}/events: WatchTask as Server-Sent Events."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx

from server.config import Settings
from tests.gateway.conftest import PDF
from tests.gateway.inprocess import running_gateway
from tests.gateway.rest import assert_plain_error, create, wait_terminal
from tests.harness import RunningServer, free_port


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    name, data = "message", ""
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif not line and data:
            yield name, json.loads(data)
            name, data = "message", ""


def test_follows_a_task_to_its_terminal_event_and_ends(http: httpx.Client) -> None:
    task = create(http, PDF)
    with http.stream("GET", f"/task/{task['task_id']}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = list(sse_events(response.iter_lines()))  # returns only because the stream ends
    kinds = [name for name, _ in events]
    assert kinds[0] == "snapshot" and set(kinds[1:]) <= {"changed"}
    assert all(name == data["kind"].lower() for name, data in events)
    statuses = [data["task"]["status"] for _, data in events]
    assert statuses[-1] == "Succeeded" and statuses.count("Succeeded") == 1
    last = events[-1][1]
    assert last["task"]["task_id"] == task["task_id"] and last["task"]["task_url"] == task["task_url"]
    assert {"stage", "pages_done", "pages_total"} <= set(last["progress"])


def test_a_finished_task_gives_one_snapshot(http: httpx.Client) -> None:
    task = create(http, PDF)
    wait_terminal(http, task["task_id"])
    with http.stream("GET", f"/tasks/{task['task_id']}/events") as response:
        events = list(sse_events(response.iter_lines()))
    assert [(name, data["task"]["status"]) for name, data in events] == [("snapshot", "Succeeded")]


def test_cancel_while_watching_ends_the_stream(idle_http: httpx.Client) -> None:
    task = create(idle_http, PDF)
    with idle_http.stream("GET", f"/task/{task['task_id']}/events") as response:
        lines = response.iter_lines()
        first = next(sse_events(lines))
        assert first[0] == "snapshot" and first[1]["task"]["status"] == "Starting"
        assert idle_http.get(f"/task/{task['task_id']}/cancel").text == "Task cancelled"
        rest = list(sse_events(lines))
    assert [(name, data["task"]["status"]) for name, data in rest] == [("changed", "Cancelled")]


def test_errors_before_the_stream_are_plain_http_errors(http: httpx.Client, server: RunningServer) -> None:
    assert_plain_error(http.get("/task/00000000-0000-0000-0000-000000000000/events"), 404, "Task not found")
    assert_plain_error(http.get("/task/nope/events"), 400)
    assert_plain_error(httpx.get(f"{server.http_url}/api/v1/task/00000000-0000-0000-0000-000000000000/events"), 401)


async def _wait(predicate: Any, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


async def test_keepalives_then_a_client_that_disconnects_cancels_the_watch(idle: RunningServer) -> None:
    """In-process gateway in front of the idle server (tasks stay Starting), so
    the test can see its count of open watches and shorten the keep-alive."""
    settings = Settings(grpc_address=idle.grpc_address, http_address=f"127.0.0.1:{free_port()}", data_dir=idle.data_dir)
    async with running_gateway(settings) as app:
        app.state.watches.keepalive = 0.1
        base = f"http://{settings.http_address}/api/v1"
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": idle.api_key}, timeout=60) as client:
            upload = {"file": base64.b64encode(PDF.read_bytes()).decode()}
            task = (await client.post("/task/parse", json=upload)).json()
            async with client.stream("GET", f"/task/{task['task_id']}/events") as response:
                seen: list[str] = []
                async for line in response.aiter_lines():
                    seen.append(line)
                    if line == ": keep-alive":
                        break
                assert seen[0] == "event: snapshot"
                assert app.state.watches.open == 1
            await _wait(lambda: app.state.watches.open == 0)


async def _open_events(port: int, path: str, key: str) -> tuple[str, asyncio.StreamReader, asyncio.StreamWriter]:
    """One SSE stream over its own connection; returns the status line and,
    for a 200, the stream positioned after the first event."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {key}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode()
    if " 200 " in status:
        status += " " + (await reader.readuntil(b"\n\n")).decode(errors="replace")
    return status, reader, writer


async def test_two_hundred_clients_opening_at_once_all_get_their_stream_and_the_change(idle: RunningServer) -> None:
    """A burst of opens on one task: every client gets 200 and the snapshot,
    then every one sees the cancel."""
    port = int(idle.http_url.rsplit(":", 1)[1])
    upload = {"file": base64.b64encode(PDF.read_bytes()).decode()}
    async with httpx.AsyncClient(base_url=idle.http_url + "/api/v1", headers={"Authorization": idle.api_key}) as client:
        task = (await client.post("/task/parse", json=upload, timeout=60)).json()
        path = f"/api/v1/task/{task['task_id']}/events"
        opened = await asyncio.gather(*(_open_events(port, path, idle.api_key) for _ in range(200)))
        try:
            statuses = [status for status, _, _ in opened]
            assert all(" 200 " in s and "event: snapshot" in s and '"Starting"' in s for s in statuses), [
                s[:200] for s in statuses if " 200 " not in s or "event: snapshot" not in s
            ][:3]
            assert (await client.get(f"/task/{task['task_id']}/cancel", timeout=60)).text == "Task cancelled"
            changes = await asyncio.gather(*(asyncio.wait_for(r.readuntil(b"\n\n"), 60) for _, r, _ in opened))
            assert all(b"event: changed" in c and b'"Cancelled"' in c for c in changes)
        finally:
            for _, _, writer in opened:
                writer.close()
