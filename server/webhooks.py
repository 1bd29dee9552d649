"""Webhooks: endpoints an owner registers, and the delivery of signed messages
to them on every task status change.

Delivery reads the task_events outbox (each committed change, written in the
change's own transaction) and fans it out into webhook_deliveries, advancing a
cursor in the same transaction, so no change is missed across restarts. A
message is POSTed signed per Standard Webhooks; a non-2xx answer or a timeout
is retried with exponential backoff and jitter until the retry window ends.
An endpoint gets one task's messages in order: a message waits until the ones
before it (same endpoint, same task) are delivered or given up. Every request
goes through the same SSRF guard as URL uploads (server/fetch.py), pinned to
the address that was checked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import grpc
import httpx
from sqlalchemy import Connection, and_, delete, exists, insert, select, update
from sqlalchemy.orm import aliased

from chunkr.vocabulary import EventKind
from server import metrics
from server.config import Settings
from server.db import Database
from server.errors import ChunkdError, InvalidArgument
from server.fetch import _any_address, _checked_address, is_public
from server.models import TaskEventRow, WebhookCursorRow, WebhookDeliveryRow, WebhookRow, utcnow

log = logging.getLogger(__name__)

webhooks = WebhookRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it
deliveries = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it
cursor_table = WebhookCursorRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it
events = TaskEventRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it

TASK_UPDATED = "task.parse.updated"
EVENT_TYPES = frozenset({TASK_UPDATED})
SECRET_PREFIX = "whsec_"
MAX_URL_LENGTH = 2048
MAX_WEBHOOKS_PER_OWNER = 50
MAX_BACKOFF_SECONDS = 3600.0
FAN_OUT_BATCH = 500
DELIVERY_BATCH = 50
# A claim outlives its attempt (bounded by webhook_timeout) by this much; a claim
# older than that belongs to a dispatcher that died, and the message is due again.
CLAIM_MARGIN_SECONDS = 5.0


class WebhookNotFound(ChunkdError):
    code = grpc.StatusCode.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("Webhook not found")


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` with the secret's key."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers, and Svix's names for them (Chunkr's SDKs read either)."""
    signature = sign(secret, message_id, timestamp, body)
    headers = {"content-type": "application/json", "user-agent": "chunkd-webhooks"}
    for prefix in ("webhook", "svix"):
        headers.update(
            {f"{prefix}-id": message_id, f"{prefix}-timestamp": str(timestamp), f"{prefix}-signature": signature}
        )
    return headers


def backoff(attempts: int, base: float) -> float:
    """Exponential with full jitter in its upper half, so endpoints that failed together do not retry together."""
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2.0 ** max(0, attempts - 1))
    return ceiling / 2 + random.random() * ceiling / 2


def event_types_of(values: Sequence[str]) -> list[str]:
    unknown = sorted(set(values) - EVENT_TYPES)
    if unknown:
        raise InvalidArgument(f"Unknown event type: {unknown[0][:100]!r} (known: {', '.join(sorted(EVENT_TYPES))})")
    return sorted(set(values))


async def checked_url(url: str, settings: Settings) -> str:
    """A delivery target: http(s), and public unless private URLs are allowed (the fetch guard's rule)."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidArgument(f"url is too long: {len(url):,} characters (the limit is {MAX_URL_LENGTH:,})")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise InvalidArgument("Invalid url") from None
    try:
        await _checked_address(parsed, _any_address if settings.allow_private_urls else is_public)
    except InvalidArgument as exc:
        raise InvalidArgument(exc.message.replace("Could not fetch URL", "Invalid webhook url")) from None
    return url


def webhook_id_of(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        if not value:
            raise InvalidArgument("webhook_id is required") from None
        raise InvalidArgument(f"Invalid webhook id: {value[:100]!r}") from None


class WebhookStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, row: WebhookRow) -> None:
        values = row.model_dump()

        def work(connection: Connection) -> None:
            count = len(connection.execute(select(webhooks.c.id).where(webhooks.c.owner == row.owner)).all())
            if count >= MAX_WEBHOOKS_PER_OWNER:
                raise InvalidArgument(f"Too many webhooks: the limit is {MAX_WEBHOOKS_PER_OWNER} per owner")
            connection.execute(insert(webhooks).values(**values))

        await self.db.transaction(work)

    async def get(self, webhook_id: str, owner: str) -> WebhookRow:
        rows = await self.db.fetch(select(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.owner == owner))
        if not rows:
            raise WebhookNotFound()
        return WebhookRow.model_construct(**rows[0])

    async def list(self, owner: str) -> list[WebhookRow]:
        statement = select(webhooks).where(webhooks.c.owner == owner).order_by(webhooks.c.created_at, webhooks.c.id)
        return [WebhookRow.model_construct(**r) for r in await self.db.fetch(statement)]

    async def delete(self, webhook_id: str, owner: str) -> None:
        def work(connection: Connection) -> int:
            gone = connection.execute(
                delete(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.owner == owner)
            ).rowcount
            if gone:
                connection.execute(delete(deliveries).where(deliveries.c.webhook_id == webhook_id))
            return gone

        if not await self.db.transaction(work):
            raise WebhookNotFound()


    async def prune_delivered(self, older_than: float) -> int:
        """Deletes the messages done (delivered or given up) that were created more than
        `older_than` seconds ago; returns how many."""

        def work(connection: Connection) -> int:
            cutoff = utcnow() - timedelta(seconds=older_than)
            return connection.execute(
                delete(deliveries).where(deliveries.c.done.is_(True), deliveries.c.created_at < cutoff)
            ).rowcount

        return await self.db.transaction(work)


def _fan_out(connection: Connection) -> int:
    """Turns the task_events written since the cursor into messages; returns how many events it read."""
    row = connection.execute(select(cursor_table.c.last_event_id).where(cursor_table.c.id == 1)).first()
    if row is None:
        # A new installation starts at the outbox's end: old changes are not news.
        last = connection.execute(select(events.c.id).order_by(events.c.id.desc()).limit(1)).scalar() or 0
        connection.execute(insert(cursor_table).values(id=1, last_event_id=last))
        return 0
    after = row[0]
    batch = connection.execute(
        select(events.c.id, events.c.task_id, events.c.owner, events.c.kind, events.c.snapshot)
        .where(events.c.id > after)
        .order_by(events.c.id)
        .limit(FAN_OUT_BATCH)
    ).all()
    if not batch:
        return 0
    endpoints: dict[str, list[tuple[str, list[str]]]] = {}
    now = utcnow()
    for _event_id, task_id, owner, kind, snapshot in batch:
        if kind is not EventKind.CHANGED:
            continue
        if owner not in endpoints:
            endpoints[owner] = [
                (w_id, json.loads(types))
                for w_id, types in connection.execute(
                    select(webhooks.c.id, webhooks.c.event_types).where(webhooks.c.owner == owner)
                ).all()
            ]
        if not endpoints[owner]:
            continue
        task = json.loads(snapshot)
        status = str(task.get("status", ""))
        payload = json.dumps(
            {"event_type": TASK_UPDATED, "task_id": task_id, "status": status, "message": task.get("message", "")},
            separators=(",", ":"),
        )
        for webhook_id, types in endpoints[owner]:
            if types and TASK_UPDATED not in types:
                continue
            previous = connection.execute(
                select(deliveries.c.status)
                .where(deliveries.c.webhook_id == webhook_id, deliveries.c.task_id == task_id)
                .order_by(deliveries.c.id.desc())
                .limit(1)
            ).scalar()
            if previous == status:
                continue  # progress within a status is not a status change
            connection.execute(
                insert(deliveries).values(
                    message_id=f"msg_{uuid.uuid4().hex}",
                    webhook_id=webhook_id,
                    task_id=task_id,
                    status=status,
                    payload=payload,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    done=False,
                    last_error="",
                )
            )
    moved = connection.execute(
        update(cursor_table)
        .where(cursor_table.c.id == 1, cursor_table.c.last_event_id == after)
        .values(last_event_id=batch[-1][0])
    ).rowcount
    if not moved:
        raise _CursorMoved()  # another dispatcher fanned these out; roll ours back
    return len(batch)


class _CursorMoved(Exception):
    pass


def _claim_due(connection: Connection, claim_seconds: float) -> list[dict[str, Any]]:
    """Due messages at the head of their (endpoint, task) queue, claimed for `claim_seconds`.
    On PostgreSQL several `chunkd serve` processes claim at once: the rows are locked
    (FOR UPDATE OF webhook_deliveries SKIP LOCKED) until the claim commits, so a message
    another process is claiming is skipped, never claimed twice; once committed, its
    claim has moved `next_attempt_at` past now, and PostgreSQL re-checks that condition
    on the new row version before locking it. (SQLite serializes writers.)"""
    now = utcnow()
    earlier = aliased(deliveries)
    statement = (
        select(deliveries, webhooks.c.url, webhooks.c.secret)
        .join(webhooks, webhooks.c.id == deliveries.c.webhook_id)
        .where(
            deliveries.c.done.is_(False),
            deliveries.c.next_attempt_at <= now,
            ~exists().where(
                and_(
                    earlier.c.webhook_id == deliveries.c.webhook_id,
                    earlier.c.task_id == deliveries.c.task_id,
                    earlier.c.done.is_(False),
                    earlier.c.id < deliveries.c.id,
                )
            ),
        )
        .order_by(deliveries.c.id)
        .limit(DELIVERY_BATCH)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=deliveries)
    due = [dict(r) for r in connection.execute(statement).mappings().all()]
    if due:
        connection.execute(
            update(deliveries)
            .where(deliveries.c.id.in_([d["id"] for d in due]))
            .values(next_attempt_at=now + timedelta(seconds=claim_seconds))
        )
    return due


class Dispatcher:
    """Fans task changes out to endpoints and delivers the messages, on the event loop
    (the database work runs on the database's own threads); never in the worker's way."""

    def __init__(self, settings: Settings, db: Database, poll_seconds: float = 0.2) -> None:
        self.settings = settings
        self.db = db
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        policy = _any_address if self.settings.allow_private_urls else is_public
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
            while True:
                try:
                    while await self._fan_out_once():
                        pass
                    claim = self.settings.webhook_timeout + CLAIM_MARGIN_SECONDS
                    due = await self.db.transaction(lambda c: _claim_due(c, claim))  # noqa: B023 (run before the loop moves on)
                    if due:
                        try:
                            await asyncio.gather(*(self._deliver(client, d, policy) for d in due))
                        except asyncio.CancelledError:
                            await self._release(due)
                            raise
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception:  # a database hiccup must not end delivery for good
                    log.exception("webhook dispatch failed; retrying")
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass

    async def _release(self, claimed: list[dict[str, Any]]) -> None:
        """On shutdown, hand back the claims of attempts cut short, so the next start retries them at once."""

        def work(connection: Connection) -> None:
            for delivery in claimed:  # an attempt already recorded keeps its backoff
                connection.execute(
                    update(deliveries)
                    .where(deliveries.c.id == delivery["id"], deliveries.c.attempts == delivery["attempts"])
                    .values(next_attempt_at=utcnow())
                )

        try:
            await asyncio.shield(self.db.transaction(work))
        except Exception:  # the database may be closing too; the claim then simply expires
            log.warning("webhook claims not released on shutdown; they expire on their own")

    async def _fan_out_once(self) -> bool:
        try:
            return await self.db.transaction(_fan_out) > 0
        except _CursorMoved:
            return True

    async def _deliver(self, client: httpx.AsyncClient, delivery: dict[str, Any], policy: Any) -> None:
        body = delivery["payload"].encode()
        error = ""
        try:
            async with asyncio.timeout(self.settings.webhook_timeout):
                url = httpx.URL(delivery["url"])
                address = await _checked_address(url, policy)
                headers = signed_headers(delivery["secret"], delivery["message_id"], int(time.time()), body)
                headers["host"] = url.netloc.decode()
                request = client.build_request("POST", url.copy_with(host=str(address)), headers=headers, content=body)
                if url.scheme == "https" and url.host != str(address):
                    request.extensions["sni_hostname"] = url.host
                response = await client.send(request)
                await response.aclose()
                if not 200 <= response.status_code < 300:
                    error = f"HTTP {response.status_code}"
        except TimeoutError:
            error = f"timed out after {self.settings.webhook_timeout:g}s"
        except InvalidArgument as exc:
            error = exc.message
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        outcome = await self.db.transaction(lambda connection: self._record(connection, delivery, error))
        metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()

    def _record(self, connection: Connection, delivery: dict[str, Any], error: str) -> str:
        """Writes the attempt's result; returns its outcome: delivered, failed (retried later) or gave up."""
        attempts = delivery["attempts"] + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": error[:500]}
        now = utcnow()
        created: datetime = delivery["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=now.tzinfo)
        outcome = "failed"
        if not error:
            values["done"] = True
            outcome = "delivered"
        elif (now - created).total_seconds() > self.settings.webhook_retry_window:
            values["done"] = True
            outcome = "gave up"
            log.warning("webhook %s: giving up on %s after %d attempts (%s)", delivery["webhook_id"],
                        delivery["message_id"], attempts, error)
        else:
            values["next_attempt_at"] = now + timedelta(seconds=backoff(attempts, self.settings.webhook_retry_seconds))
        # Fenced on the attempts seen at claim time: if the claim expired and another
        # dispatcher already recorded an attempt, this late one changes nothing.
        connection.execute(
            update(deliveries)
            .where(deliveries.c.id == delivery["id"], deliveries.c.attempts == delivery["attempts"])
            .values(**values)
        )
        return outcome
