"""Quotas per API key: how many of its owner's tasks may be queued or running at
once, and how many pages they may process per UTC day. Both are checked when
a task is created, in the transaction that inserts it; pages are counted when
a task succeeds (the page count is known only then), in page_usage.

A key's limits are checked against its owner's usage: every key of an owner
sees the same tasks (a second key is a rotation), so more keys buy no more quota.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select, text

from chunkr.vocabulary import ACTIVE
from server.auth import KeyLimits
from server.config import Settings
from server.db import Database
from server.errors import ResourceExhausted
from server.models import TaskRow
from server.usage import pages_used, usage_of

tasks = TaskRow.__table__  # type: ignore[attr-defined]


class QuotaExceeded(ResourceExhausted):
    """RESOURCE_EXHAUSTED (429 over REST), with a `retry-after` trailer when waiting is known to help."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Quota:
    """A caller's effective limits; 0 = no limit."""

    max_running_tasks: int = 0
    pages_per_day: int = 0

    @classmethod
    def of(cls, limits: KeyLimits, settings: Settings) -> Quota:
        running = limits.max_running_tasks
        pages = limits.pages_per_day
        return cls(
            max_running_tasks=settings.max_running_tasks if running is None else running,
            pages_per_day=settings.pages_per_day if pages is None else pages,
        )

    @property
    def limited(self) -> bool:
        return bool(self.max_running_tasks or self.pages_per_day)


def effective_rps(limits: KeyLimits, settings: Settings) -> float:
    return settings.rate_limit_rps if limits.rate_limit_rps is None else limits.rate_limit_rps


def seconds_to_midnight(now: datetime | None = None) -> int:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return max(1, int((midnight - now).total_seconds()) + 1)


def _running(owner: str) -> Select[Any]:
    return select(func.count().label("n")).select_from(tasks).where(tasks.c.owner == owner, tasks.c.status.in_(ACTIVE))


def _refusal(quota: Quota, running: int | None, used: int | None) -> QuotaExceeded | None:
    if running is not None and running >= quota.max_running_tasks:
        return QuotaExceeded(
            f"Too many tasks at once for this API key: {running} queued or processing "
            f"(the limit is {quota.max_running_tasks}); try again when one has finished"
        )
    if used is not None and used >= quota.pages_per_day:
        return QuotaExceeded(
            f"Daily page quota reached for this API key: {used:,} pages processed today "
            f"(the limit is {quota.pages_per_day:,}); it resets at midnight UTC",
            retry_after=seconds_to_midnight(),
        )
    return None


async def precheck(db: Database, owner: str, quota: Quota) -> None:
    """The same test as `check`, on a plain read before the upload is stored: a caller
    over quota is turned away without costing a write. `check` stays the one that counts."""
    running = (await db.fetch(_running(owner)))[0]["n"] if quota.max_running_tasks else None
    used = None
    if quota.pages_per_day:
        rows = await db.fetch(usage_of(owner))
        used = int(rows[0]["pages"]) if rows else 0
    refusal = _refusal(quota, running, used)
    if refusal is not None:
        raise refusal


def check(connection: Connection, owner: str, quota: Quota) -> None:
    """Raises QuotaExceeded when one more task for `owner` would be over `quota`.
    Runs in the transaction that then inserts the task. On SQLite that transaction
    holds the one write lock; on PostgreSQL an advisory lock per owner makes two
    creates for one owner take turns, so neither overshoots the limit."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:owner))"), {"owner": f"quota:{owner}"})
    running = connection.execute(_running(owner)).scalar_one() if quota.max_running_tasks else None
    used = pages_used(connection, owner) if quota.pages_per_day else None
    refusal = _refusal(quota, running, used)
    if refusal is not None:
        raise refusal
