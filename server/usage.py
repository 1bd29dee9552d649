"""Pages processed per owner per UTC day (the page_usage table): written when a
task succeeds, read by the daily page quota (server/quotas.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from server.models import PageUsageRow

page_usage = PageUsageRow.__table__  # type: ignore[attr-defined]
KEEP_DAYS = 2  # today and yesterday: a day's count is read only while it is today somewhere near UTC


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def usage_of(owner: str, day: date | None = None) -> Select[Any]:
    return select(page_usage.c.pages).where(page_usage.c.owner == owner, page_usage.c.day == (day or today()))


def pages_used(connection: Connection, owner: str, day: date | None = None) -> int:
    used = connection.execute(usage_of(owner, day)).scalar_one_or_none()
    return int(used or 0)


def count_pages(connection: Connection, owner: str, pages: int, day: date | None = None) -> None:
    """Adds `pages` to the owner's count for the day (an upsert, in the caller's transaction)."""
    if pages <= 0:
        return
    connection.execute(_upsert(connection.dialect.name), {"owner": owner, "day": day or today(), "pages": pages})


def _upsert(dialect_name: str) -> Any:
    """Built once per dialect, with bound parameters: building the statement cost more than running it."""
    statement = _UPSERTS.get(dialect_name)
    if statement is None:
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        insert = dialect.insert(page_usage).values(
            owner=bindparam("owner"), day=bindparam("day"), pages=bindparam("pages")
        )
        statement = _UPSERTS[dialect_name] = insert.on_conflict_do_update(
            index_elements=[page_usage.c.owner, page_usage.c.day],
            set_={"pages": page_usage.c.pages + insert.excluded.pages},
        )
    return statement


_UPSERTS: dict[str, Any] = {}


def prune(connection: Connection, keep_days: int = KEEP_DAYS) -> int:
    """Deletes the counts of days before the last `keep_days` (today included); returns how many."""
    oldest_kept = today() - timedelta(days=keep_days - 1)
    return int(connection.execute(delete(page_usage).where(page_usage.c.day < oldest_kept)).rowcount)
