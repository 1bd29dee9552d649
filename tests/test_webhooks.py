"""Webhooks against a live chunkd: endpoints registered over REST and gRPC,
and signed `task.parse.updated` messages received by a real HTTP receiver on
loopback, verified with the svix package as Chunkr's own receivers verify them."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from svix.webhooks import Webhook as Verifier

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from server.webhooks import CLAIM_MARGIN_SECONDS
from tests.harness import CORPUS, RunningServer, start_server
from tests.support import (
    auth,
    create,
    open_channel,
    rpc_error,
    wait_terminal,
    wait_until,
)
from tests.test_postgres import database  # noqa: F401  the fixture: a fresh PostgreSQL database

PDF = CORPUS / "pdf" / "multi_page.pdf"
FAST_RETRIES = {"CHUNKD_ALLOW_PRIVATE_URLS": "true", "CHUNKD_WEBHOOK_RETRY_SECONDS": "0.2"}


def _set(event: threading.Event) -> threading.Event:
    event.set()
    return event


@dataclass
class Receiver:
    """A webhook endpoint on loopback: answers 500 to the first `failures` requests, then 204."""

    failures: int = 0
    attempts: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # Until this is set, requests hang unanswered and unrecorded (an endpoint that stopped answering).
    answering: threading.Event = field(default_factory=lambda: _set(threading.Event()))
    hung: int = 0

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        if not self.answering.is_set():
            self.hung += 1
            self.answering.wait(30)
            return 500
        with self.lock:
            status = 500 if self.failures > 0 else 204
            self.failures -= 1 if self.failures > 0 else 0
            self.attempts.append((headers, body, status))
            return status

    def delivered(self) -> list[tuple[dict[str, str], dict[str, Any]]]:
        with self.lock:
            return [(h, json.loads(b)) for h, b, status in self.attempts if status == 204]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(state.answer({k.lower(): v for k, v in self.headers.items()}, body))
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks/chunkr"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("webhooks"), FAST_RETRIES)
    yield running
    running.stop()


def new_owner(server: RunningServer) -> str:
    return server.create_api_key(f"hooks-{uuid.uuid4().hex[:8]}")


def register(server: RunningServer, key: str, url: str, **extra: Any) -> httpx.Response:
    return httpx.post(f"{server.http_url}/api/v1/webhooks", json={"url": url, **extra}, headers={"Authorization": key})


def verified(secret: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """The message, once svix has checked its signature (verify raises on a bad one)."""
    raw = json.dumps(body, separators=(",", ":"))
    Verifier(secret).verify(raw, headers)
    return json.loads(raw)  # type: ignore[no-any-return]


def statuses_delivered(receiver: Receiver, task_id: str) -> list[str]:
    return [body["status"] for _, body in receiver.delivered() if body["task_id"] == task_id]


def test_register_returns_the_endpoint_with_a_whsec_secret(hooked: RunningServer) -> None:
    key = new_owner(hooked)
    response = register(hooked, key, "http://127.0.0.1:9/hook", event_types=["task.parse.updated"])
    assert response.status_code == 200, response.text
    hook = response.json()
    assert set(hook) == {"webhook_id", "url", "event_types", "secret", "created_at"}
    assert hook["secret"].startswith("whsec_") and hook["event_types"] == ["task.parse.updated"]
    with httpx.Client(base_url=hooked.http_url, headers={"Authorization": key}) as http:
        assert http.get(f"/webhooks/{hook['webhook_id']}").json() == hook
        assert http.get("/api/v1/webhooks").json() == {"webhooks": [hook]}
        assert http.delete(f"/webhooks/{hook['webhook_id']}").status_code == 200
        gone = http.get(f"/webhooks/{hook['webhook_id']}")
        assert (gone.status_code, gone.text) == (404, "Webhook not found")


def test_bad_registrations_are_400(hooked: RunningServer, server: RunningServer) -> None:
    key = new_owner(hooked)
    unknown = register(hooked, key, "http://127.0.0.1:9/", event_types=["task.exploded"])
    assert unknown.status_code == 400 and unknown.text.startswith("Unknown event type: 'task.exploded'")
    assert register(hooked, key, "ftp://example.com/").status_code == 400
    assert register(hooked, key, "").text == "url is required"
    # the default server refuses private targets, as it refuses private URL uploads
    private = register(server, server.api_key, "http://127.0.0.1:9/hook")
    assert private.status_code == 400 and "loopback, private or reserved" in private.text


def test_webhooks_over_grpc_belong_to_their_owner(hooked: RunningServer) -> None:
    key, other = new_owner(hooked), new_owner(hooked)
    with open_channel(hooked.grpc_address) as channel:
        stub = tasks_pb2_grpc.WebhookServiceStub(channel)
        hook = stub.CreateWebhook(pb.CreateWebhookRequest(url="http://127.0.0.1:9/x"), metadata=auth(key))
        assert hook.secret.startswith("whsec_") and list(hook.event_types) == []
        assert stub.GetWebhook(pb.GetWebhookRequest(webhook_id=hook.webhook_id), metadata=auth(key)) == hook
        assert list(stub.ListWebhooks(pb.ListWebhooksRequest(), metadata=auth(other)).webhooks) == []
        for call in (stub.GetWebhook, stub.DeleteWebhook):
            error = rpc_error(lambda call=call: call(pb.GetWebhookRequest(webhook_id=hook.webhook_id), metadata=auth(other)))  # type: ignore[misc]
            assert error.code() == grpc.StatusCode.NOT_FOUND
        stub.DeleteWebhook(pb.DeleteWebhookRequest(webhook_id=hook.webhook_id), metadata=auth(key))
        assert list(stub.ListWebhooks(pb.ListWebhooksRequest(), metadata=auth(key)).webhooks) == []


def test_every_status_change_arrives_signed_and_in_order(hooked: RunningServer, receiver: Receiver) -> None:
    key = new_owner(hooked)
    hook = register(hooked, key, receiver.url).json()
    with open_channel(hooked.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, key, PDF)
        wait_terminal(stub, key, task.task_id)
    wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id))
    assert statuses_delivered(receiver, task.task_id) == ["Starting", "Processing", "Succeeded"]
    for headers, body in receiver.delivered():
        assert verified(hook["secret"], headers, body) == body
        assert headers["svix-signature"] == headers["webhook-signature"] and headers["svix-id"] == headers["webhook-id"]
        assert set(body) == {"event_type", "task_id", "status", "message"} and body["event_type"] == "task.parse.updated"
    assert len({h["webhook-id"] for h, _ in receiver.delivered()}) == 3
    forged = dict(receiver.delivered()[0][0], **{"webhook-signature": "v1,AAAA", "svix-signature": "v1,AAAA"})
    with pytest.raises(Exception, match="[Ss]ignature"):
        verified(hook["secret"], forged, receiver.delivered()[0][1])


def test_a_failing_receiver_gets_retries_in_order_once_each(hooked: RunningServer, receiver: Receiver) -> None:
    receiver.failures = 3
    key = new_owner(hooked)
    hook = register(hooked, key, receiver.url).json()
    with open_channel(hooked.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, key, PDF)
        wait_terminal(stub, key, task.task_id)
    wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id), timeout=60)
    assert statuses_delivered(receiver, task.task_id) == ["Starting", "Processing", "Succeeded"]
    failed = [h["webhook-id"] for h, _, status in receiver.attempts if status == 500]
    delivered = [h["webhook-id"] for h, _ in receiver.delivered()]
    assert len(failed) == 3 and set(failed) == {delivered[0]}  # the head message is retried; the rest wait behind it
    for headers, body in receiver.delivered():
        verified(hook["secret"], headers, body)


def test_an_endpoint_filtered_to_task_parse_updated_receives_task_changes(hooked: RunningServer, receiver: Receiver) -> None:
    key = new_owner(hooked)
    assert register(hooked, key, receiver.url, event_types=["task.parse.updated"]).status_code == 200
    with open_channel(hooked.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = create(stub, key, PDF)
        wait_terminal(stub, key, task.task_id)
    wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id))


def test_delivery_survives_a_restart(tmp_path: Path, receiver: Receiver) -> None:
    receiver.failures = 10**6  # down until we say so
    running = start_server(tmp_path / "restart", FAST_RETRIES)
    try:
        key = running.api_key
        hook = register(running, key, receiver.url).json()
        with open_channel(running.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, key, PDF)
            wait_terminal(stub, key, task.task_id)
        wait_until(lambda: len(receiver.attempts) >= 2)
        running.stop()
        with receiver.lock:
            receiver.failures = 0
        running.start()
        wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id), timeout=60)
        assert statuses_delivered(receiver, task.task_id) == ["Starting", "Processing", "Succeeded"]
        for headers, body in receiver.delivered():
            verified(hook["secret"], headers, body)
    finally:
        running.stop()


def test_two_servers_on_postgres_deliver_each_message_once_in_order(
    database: str, tmp_path: Path, receiver: Receiver  # noqa: F811
) -> None:
    """Two `chunkd serve` processes on one PostgreSQL database both dispatch: every
    message reaches the one receiver once, and each task's arrive in order."""
    env = {**FAST_RETRIES, "CHUNKD_DATABASE_URL": database}
    first = start_server(tmp_path / "first", env)
    second = start_server(tmp_path / "second", env, "--no-worker", "--no-gateway")  # a dispatcher, no worker
    try:
        hook = register(first, first.api_key, receiver.url).json()
        note = tmp_path / "note.md"
        note.write_text("# Note\n\nA short document.\n")
        with open_channel(first.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            ids = [create(stub, first.api_key, note).task_id for _ in range(15)]
            for task_id in ids:
                wait_terminal(stub, first.api_key, task_id)
        wait_until(lambda: all("Succeeded" in statuses_delivered(receiver, t) for t in ids), timeout=60)
        # a second delivery of a message would follow its first within a claim; give it that long
        time.sleep(CLAIM_MARGIN_SECONDS)
        for task_id in ids:
            assert statuses_delivered(receiver, task_id) == ["Starting", "Processing", "Succeeded"], task_id
        message_ids = [headers["webhook-id"] for headers, _, _ in receiver.attempts]
        assert len(message_ids) == len(set(message_ids)) == 3 * len(ids)
        for headers, body in receiver.delivered():
            verified(hook["secret"], headers, body)
    finally:
        second.stop()
        first.stop()


def delivery_rows(server: RunningServer, webhook_id: str) -> list[tuple[str, int]]:
    """(status, done) of an endpoint's stored messages, read from the server's SQLite file."""
    with contextlib.closing(sqlite3.connect(server.data_dir / "chunkd.db")) as db:
        return db.execute(
            "SELECT status, done FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id", (webhook_id,)
        ).fetchall()


def test_delivered_messages_are_deleted_after_the_retention_and_undelivered_ones_kept(
    tmp_path: Path, receiver: Receiver
) -> None:
    running = start_server(tmp_path / "retention", {**FAST_RETRIES, "CHUNKD_WEBHOOK_RETENTION_SECONDS": "2"})
    try:
        key = running.api_key
        delivered = register(running, key, receiver.url).json()
        refused = register(running, key, "http://127.0.0.1:9/nobody-listens").json()  # every attempt fails
        with open_channel(running.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, key, PDF)
            wait_terminal(stub, key, task.task_id)
        wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id))
        wait_until(lambda: delivery_rows(running, delivered["webhook_id"]) == [], timeout=60)
        # the refused endpoint's messages are still waiting (retried, inside the retry window): kept
        assert delivery_rows(running, refused["webhook_id"]) == [
            ("Starting", 0), ("Processing", 0), ("Succeeded", 0)
        ]
    finally:
        running.stop()


def test_a_message_in_flight_when_the_server_is_killed_is_delivered_after_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    """A kill -9 leaves the attempt's claim behind; it lasts the attempt's timeout plus a margin, not forever."""
    receiver.answering.clear()
    running = start_server(tmp_path / "killed", {**FAST_RETRIES, "CHUNKD_WEBHOOK_TIMEOUT": "2"})
    try:
        key = running.api_key
        register(running, key, receiver.url)
        with open_channel(running.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, key, PDF)
            wait_terminal(stub, key, task.task_id)
        wait_until(lambda: receiver.hung >= 1)
        running.stop(signal.SIGKILL)
        receiver.answering.set()
        running.start()
        wait_until(lambda: "Succeeded" in statuses_delivered(receiver, task.task_id), timeout=60)
        assert statuses_delivered(receiver, task.task_id) == ["Starting", "Processing", "Succeeded"]
    finally:
        running.stop()
