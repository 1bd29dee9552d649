"""The tables. Times are aware UTC datetimes (SQLModel stores them as UTC)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import Column, Enum, Index, Text
from sqlalchemy.orm import configure_mappers
from sqlmodel import Field, SQLModel

from chunkr.vocabulary import EventKind, Status

FILE_NAME_MAX_LENGTH = 1000  # characters; the API refuses longer names (server/service.py)


def utcnow() -> datetime:
    return datetime.now(UTC)


class PreviousState(SQLModel):
    """What an update replaced, so that cancelling the update can put it back."""

    status: Status
    message: str
    configuration: str
    expires_in: int
    output_key: str | None
    page_count: int | None
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None


class TaskRow(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        # ListTasks: an owner's tasks newest first, keyset on (created_at, id).
        Index("ix_tasks_owner_created", "owner", "created_at", "id"),
        # ListTasks with a status filter: the owner's tasks of that status, newest
        # first, without walking past the other statuses' rows.
        Index("ix_tasks_owner_status_created", "owner", "status", "created_at", "id"),
        # The queue claim: oldest Starting task first.
        Index("ix_tasks_status_created", "status", "created_at"),
        # The sweeper's scans: only active rows, however many finished ones there are.
        Index("ix_tasks_status_lease", "status", "lease_expires_at"),
        Index("ix_tasks_status_deadline", "status", "deadline_at"),
        Index("ix_tasks_expires", "expires_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    owner: str = Field(max_length=200)
    status: Status = Field(
        sa_column=Column(
            Enum(Status, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
            nullable=False,
        )
    )
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    # A fully resolved protos.tasks_pb2.Configuration as proto JSON.
    configuration: str = Field(sa_column=Column(Text, nullable=False))
    # Seconds from finishing to expiry, resolved at creation; 0 = never.
    expires_in: int = 0
    file_name: str = Field(default="", max_length=FILE_NAME_MAX_LENGTH)
    mime_type: str = Field(default="", max_length=200)
    input_key: str = Field(max_length=1200)
    output_key: str | None = Field(default=None, max_length=1200)
    page_count: int | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None
    deadline_at: datetime
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = None
    progress_stage: str = Field(default="", max_length=100)
    pages_done: int = 0
    pages_total: int = 0
    previous: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The W3C traceparent of the span that queued the task (server/tracing.py), so that the worker's
    # span joins the caller's trace; None when tracing is off. Added in place (server/migrations.py).
    trace_parent: str | None = Field(default=None, max_length=100)
    # Bumped by every change: the compare-and-set token, and the order of events.
    version: int = 1

    @property
    def previous_state(self) -> PreviousState | None:
        return PreviousState.model_validate(json.loads(self.previous)) if self.previous else None


class TaskEventRow(SQLModel, table=True):
    """The outbox: every committed change, in commit order, for watchers in any process."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_created", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: str = Field(max_length=36)
    owner: str = Field(max_length=200)
    # CHANGED or DELETED, stored as the lower-case name (as the rows written before the
    # shared vocabulary were), so that processes of both versions read each other's events.
    kind: EventKind = Field(
        sa_column=Column(
            Enum(EventKind, native_enum=False, length=16, values_callable=lambda e: [m.name.lower() for m in e]),
            nullable=False,
        )
    )
    # The task row as JSON, as it was right after the change.
    snapshot: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=200, index=True)
    name: str = Field(max_length=200)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    revoked: bool = False
    # The key's own limits; None = the settings' default (CHUNKD_RATE_LIMIT_RPS, _PAGES_PER_DAY,
    # _MAX_RUNNING_TASKS), 0 = no limit. Added after the table: nullable, so that older databases
    # gain them in place (server/migrations.py).
    rate_limit_rps: float | None = None
    pages_per_day: int | None = None
    max_running_tasks: int | None = None


class PageUsageRow(SQLModel, table=True):
    """Pages an owner's tasks processed on one UTC day: what the daily page quota is checked
    against. Kept apart from the tasks so that deleting or expiring a task does not give its pages back."""

    __tablename__ = "page_usage"

    owner: str = Field(primary_key=True, max_length=200)
    day: date = Field(primary_key=True)
    pages: int = 0


class FileRow(SQLModel, table=True):
    """A file uploaded through the Files API, kept until its owner deletes it."""

    __tablename__ = "files"
    # ListFiles: an owner's files newest first, keyset on (created_at, id).
    __table_args__ = (Index("ix_files_owner_created", "owner", "created_at", "id"),)

    id: str = Field(primary_key=True, max_length=36)
    owner: str = Field(max_length=200)
    file_name: str = Field(max_length=FILE_NAME_MAX_LENGTH)
    content_type: str = Field(max_length=200)
    file_size: int
    # The caller's metadata: a JSON object as text.
    metadata_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    blob_key: str = Field(max_length=1200)
    created_at: datetime


class WebhookRow(SQLModel, table=True):
    """An owner's webhook endpoint."""

    __tablename__ = "webhooks"

    id: str = Field(primary_key=True, max_length=36)
    owner: str = Field(max_length=200, index=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    # The event types it wants, as a JSON array; empty = every type.
    event_types: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    secret: str = Field(max_length=100)  # whsec_ + base64 of the signing key
    created_at: datetime


class WebhookDeliveryRow(SQLModel, table=True):
    """The webhook outbox: one message to one endpoint, kept until it is delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The due scan: pending messages by when they are next tried.
        Index("ix_webhook_deliveries_pending", "done", "next_attempt_at"),
        # Per-task order: an endpoint gets a task's messages one after another.
        Index("ix_webhook_deliveries_order", "webhook_id", "task_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=40)  # the `webhook-id` header: the same on every retry
    webhook_id: str = Field(max_length=36)
    task_id: str = Field(max_length=36)
    status: str = Field(max_length=16)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int = 0
    next_attempt_at: datetime
    created_at: datetime
    done: bool = False
    last_error: str = Field(default="", max_length=500)


class WebhookCursorRow(SQLModel, table=True):
    """How far the webhook fan-out has read the task_events outbox (one row)."""

    __tablename__ = "webhook_cursor"

    id: int = Field(default=1, primary_key=True)
    last_event_id: int = 0


# Rows are built with model_construct on hot paths, which skips the first-use
# mapper setup that __init__ would trigger; do it once here.
configure_mappers()
