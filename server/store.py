"""TaskStore: every state change of a task, as one compare-and-set UPDATE.

Each transition names the statuses it may start from (and, where it computed
its new values from a row it read, that row's version), so cancel, claim,
update, delete, timeout and expiry cannot race: of two conflicting changes
exactly one matches its WHERE clause. Every committed change also writes an
event row in the same transaction, which the EventBus tails.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, bindparam, case, cast, column, delete, func, insert, or_, select, text
from sqlalchemy import tuple_, update
from sqlalchemy import values as values_of
from sqlalchemy import Connection, RowMapping, Select, Update
from sqlalchemy.sql.elements import ColumnElement

from chunkr.vocabulary import ACTIVE, TERMINAL, EventKind, Status
from server.db import Database
from server.prepared_read import PreparedRead
from server.errors import InvalidArgument, InvalidState, TaskNotFound
from server.models import PreviousState, TaskEventRow, TaskRow, utcnow
from server.usage import count_pages

tasks = TaskRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it
events = TaskEventRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it

FINISHED = (Status.SUCCEEDED, Status.FAILED)
DELETABLE = TERMINAL

QUEUED_MESSAGE = "Task queued"
# GetTask's read: one task by id, if its owner's and not expired.
GET_TASK = PreparedRead(
    select(tasks).where(
        tasks.c.id == bindparam("task_id"),
        tasks.c.owner == bindparam("owner"),
        or_(tasks.c.expires_at.is_(None), tasks.c.expires_at > bindparam("now")),
    )
)
NOTIFY_CHANNEL = "chunkd_events"
QUEUE_CHANNEL = "chunkd_queued"  # a task became Starting: idle workers claim at once
PENDING_EVENTS = "chunkd_pending_events"  # connection.info key
PENDING_CREATES = "chunkd_pending_creates"  # connection.info key: new task rows not yet INSERTed
PENDING_CANCELS = "chunkd_pending_cancels"  # connection.info key: cancels not yet UPDATEd, by task id
PENDING_HELD = "chunkd_pending_held"  # connection.info key: the worker's writes not yet UPDATEd, by task id
QUEUED = "chunkd_queued"  # connection.info key: the transaction that queued a task


@dataclass(frozen=True)
class Claim:
    task: TaskRow
    token: str  # the lease: only its holder may heartbeat, report or finish the task


@dataclass(frozen=True)
class Guard:
    """The row a compare-and-set may change: this task, in one of these
    statuses, and at this version (when the new values were computed from it)
    or under this lease."""

    task_id: str
    statuses: tuple[Status, ...]
    version: int | None = None
    lease_owner: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        where = [tasks.c.id == self.task_id, tasks.c.status.in_(self.statuses)]
        if self.version is not None:
            where.append(tasks.c.version == self.version)
        if self.lease_owner is not None:
            where.append(tasks.c.lease_owner == self.lease_owner)
        return where

    def statement(self, keys: tuple[str, ...]) -> tuple[Update, dict[str, Any]]:
        """UPDATE ... RETURNING * with bound parameters, built once per shape of
        guard and set of columns: building and keying a statement costs more
        than running it, and every write of the batch runs on one thread."""
        shape = (len(self.statuses), self.version is not None, self.lease_owner is not None, keys)
        statement = _CAS_STATEMENTS.get(shape)
        if statement is None:
            where = [tasks.c.id == bindparam("g_id"), tasks.c.status.in_(bindparam("g_statuses", expanding=True))]
            if self.version is not None:
                where.append(tasks.c.version == bindparam("g_version"))
            if self.lease_owner is not None:
                where.append(tasks.c.lease_owner == bindparam("g_lease"))
            statement = (
                update(tasks)
                .where(*where)
                .values({tasks.c[key]: bindparam(f"v_{key}", type_=tasks.c[key].type) for key in keys})
                .values(version=tasks.c.version + 1)
                .returning(*tasks.c)
            )
            _CAS_STATEMENTS[shape] = statement
        params: dict[str, Any] = {"g_id": self.task_id, "g_statuses": list(self.statuses)}
        if self.version is not None:
            params["g_version"] = self.version
        if self.lease_owner is not None:
            params["g_lease"] = self.lease_owner
        return statement, params


_CAS_STATEMENTS: dict[tuple[Any, ...], Update] = {}


@dataclass
class _Cancel:
    task_id: str
    owner: str
    row: TaskRow | None = None  # set when the batch's UPDATE cancelled it


def _cancel_statement(postgres: bool) -> Update:
    """UPDATE ... WHERE (id, owner) IN (...) AND Starting AND no previous state
    RETURNING *: the cancels of one batch as one statement, built once per dialect."""
    statement = _CANCEL_STATEMENTS.get(postgres)
    if statement is not None:
        return statement
    now = bindparam("now", type_=tasks.c.finished_at.type)
    expiry: ColumnElement[Any]
    if postgres:
        expiry = cast(now, tasks.c.expires_at.type) + func.make_interval(0, 0, 0, 0, 0, 0, tasks.c.expires_in)
    else:
        # SQLite keeps datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'; whole seconds added keep the fraction.
        seconds = "+" + cast(tasks.c.expires_in, String) + " seconds"
        whole = func.strftime("%Y-%m-%d %H:%M:%S", bindparam("now_text", type_=String), seconds, type_=String)
        expiry = whole.concat(bindparam("now_fraction", type_=String))
    statement = (
        update(tasks)
        .where(
            tasks.c.id.in_(bindparam("ids", expanding=True)),
            tuple_(tasks.c.id, tasks.c.owner).in_(bindparam("pairs", expanding=True)),
            tasks.c.status == Status.STARTING,
            tasks.c.previous.is_(None),
            or_(tasks.c.expires_at.is_(None), tasks.c.expires_at > now),
        )
        .values(
            status=Status.CANCELLED,
            message="Task cancelled",
            finished_at=now,
            expires_at=case((tasks.c.expires_in > 0, expiry), else_=None),
            lease_owner=None,
            lease_expires_at=None,
            previous=None,
            version=tasks.c.version + 1,
        )
        .returning(*tasks.c)
    )
    _CANCEL_STATEMENTS[postgres] = statement
    return statement


_CANCEL_STATEMENTS: dict[bool, Update] = {}


@dataclass
class _HeldWrite:
    """A compare-and-set under a worker's lease (progress, succeed, fail, release), waiting for
    the batch's one UPDATE of the writes that set the same columns."""

    claim: Claim
    values: dict[str, Any]
    then: Callable[[Connection, TaskRow], None] | None = None  # run in the transaction when it matched
    row: TaskRow | None = None  # set when it matched


def _held_statement(keys: tuple[str, ...], size: int, postgres: bool) -> PreparedRead:
    """UPDATE tasks SET <keys> FROM (VALUES (id, lease, values...), ...) WHERE each row is its own
    task, Processing under its own lease, RETURNING *: `size` held writes in one statement (a
    CTE on SQLite, which takes no column names after a subquery's alias). Built and compiled once
    per shape (SQLAlchemy does not cache a statement with a VALUES list); batches are padded to
    a power of two with rows of NULLs, which match nothing."""
    shape = (keys, size, postgres)
    statement = _HELD_STATEMENTS.get(shape)
    if statement is not None:
        return statement
    columns = [column("g_id", String), column("g_lease", String)]
    columns += [column(f"v_{key}", tasks.c[key].type) for key in keys]
    rows = [tuple(bindparam(f"{c.name}_{i}", type_=c.type) for c in columns) for i in range(size)]
    table = values_of(*columns, name="held").data(rows)
    source = table if postgres else table.cte("held")
    statement = _HELD_STATEMENTS[shape] = PreparedRead(
        update(tasks)
        .where(tasks.c.id == source.c.g_id, tasks.c.lease_owner == source.c.g_lease)
        .where(tasks.c.status == Status.PROCESSING)
        .values({tasks.c[key]: source.c[f"v_{key}"] for key in keys})
        .values(version=tasks.c.version + 1)
        .returning(*tasks.c)
    )
    return statement


_HELD_STATEMENTS: dict[tuple[Any, ...], PreparedRead] = {}


@dataclass(frozen=True)
class ListQuery:
    owner: str
    limit: int
    offset: int = 0
    after: tuple[datetime, str] | None = None  # keyset cursor: (created_at, id) of the last row seen
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[Status, ...] = ()
    oldest_first: bool = False


def encode_cursor(task: TaskRow) -> str:
    raw = f"{task.created_at.isoformat()}|{task.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, task_id = raw.split("|", 1)
        return datetime.fromisoformat(created), str(uuid.UUID(task_id))
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument("Invalid page_token") from None


def _row(mapping: Any) -> TaskRow:
    # The column types already produce the right Python types; validating again
    # would cost more than the query on the GetTask path.
    return TaskRow.model_construct(**mapping)


def _finish_values(task: TaskRow, status: Status, message: str, now: datetime) -> dict[str, Any]:
    """A terminal status; expiry starts counting now, as in Chunkr."""
    return {
        "status": status,
        "message": message,
        "finished_at": now,
        "expires_at": now + timedelta(seconds=task.expires_in) if task.expires_in else None,
        "lease_owner": None,
        "lease_expires_at": None,
        "previous": None,
    }


class TaskStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._listeners: list[Callable[[], None]] = []
        self._announcers: list[Callable[[], None]] = []
        if not any(getattr(hook, "__name__", "") == "_write_events" for hook in db.before_commit):
            db.before_commit.append(self._write_events)

    def on_commit(self, listener: Callable[[], None], *, announce: bool = False) -> None:
        """Called after each committed change: the event bus reads new events at once.
        An `announce` listener tells other processes (server/peers.py), so it
        hears only of this process's own commits."""
        (self._announcers if announce else self._listeners).append(listener)

    def _committed(self) -> None:
        for listener in self._listeners:
            listener()
        for announcer in self._announcers:
            announcer()

    def committed_elsewhere(self) -> None:
        """Another process committed: whatever waits for commits looks now."""
        for listener in self._listeners:
            listener()

    # -- writes ---------------------------------------------------------------

    def _record(self, connection: Connection, rows: Sequence[TaskRow], kind: EventKind) -> None:
        """The events of a change, written at the end of its transaction
        together with those of the other writes in it."""
        if not rows:
            return
        now = utcnow()
        transaction, pending = connection.info.get(PENDING_EVENTS, (None, []))
        if transaction is not connection.get_transaction():  # left by a transaction that rolled back
            transaction, pending = connection.get_transaction(), []
            connection.info[PENDING_EVENTS] = (transaction, pending)
        pending.extend(
            {
                "task_id": row.id,
                "owner": row.owner,
                "kind": kind,
                "snapshot": row.model_dump_json(exclude={"previous"}),
                "created_at": now,
            }
            for row in rows
        )
        if any(row.status == Status.STARTING for row in rows):
            connection.info[QUEUED] = connection.get_transaction()

    def _pending_creates(self, connection: Connection) -> list[dict[str, Any]]:
        transaction, rows = connection.info.get(PENDING_CREATES, (None, []))
        if transaction is not connection.get_transaction():  # left by a transaction that rolled back
            rows = []
            connection.info[PENDING_CREATES] = (connection.get_transaction(), rows)
        return rows  # type: ignore[no-any-return]

    def _flush_pending(self, connection: Connection) -> None:
        """The batch's new tasks in one INSERT, its cancels in one UPDATE and the worker's
        writes in one UPDATE per set of columns (one round trip each, not one per write);
        run before any other write or read of tasks in the transaction, so that it sees them."""
        transaction, rows = connection.info.pop(PENDING_CREATES, (None, []))
        if rows and transaction is connection.get_transaction():
            connection.execute(insert(tasks), rows)
        transaction, cancels = connection.info.pop(PENDING_CANCELS, (None, {}))
        if cancels and transaction is connection.get_transaction():
            self._cancel_together(connection, cancels)
        transaction, held = connection.info.pop(PENDING_HELD, (None, {}))
        if held and transaction is connection.get_transaction():
            shapes: dict[tuple[str, ...], list[_HeldWrite]] = {}
            for write in held.values():
                shapes.setdefault(tuple(sorted(write.values)), []).append(write)
            for keys, writes in shapes.items():
                self._held_together(connection, keys, writes)

    def _pending(self, connection: Connection, key: str, task_id: str) -> dict[str, Any]:
        """This transaction's queue under `key` (cancels or held writes), which `task_id` may
        join: when any queue already has a write of that task, they all run first, so that
        the new write sees it, as it would in arrival order."""
        current = connection.get_transaction()
        queues = [connection.info.get(name, (None, {})) for name in (PENDING_CANCELS, PENDING_HELD)]
        if any(transaction is current and task_id in queue for transaction, queue in queues):
            self._flush_pending(connection)
        transaction, queue = connection.info.get(key, (None, {}))
        if transaction is not current:  # none yet, or left by a transaction that rolled back
            queue = {}
            connection.info[key] = (current, queue)
        return queue  # type: ignore[no-any-return]

    def _queue_cancel(self, connection: Connection, cancel: _Cancel) -> _Cancel:
        """A cancel joins the batch's one UPDATE; a second cancel of the same task
        runs after the first's UPDATE, so it sees the first one's change."""
        cancel.row = None  # a batch run again write by write starts over
        self._pending(connection, PENDING_CANCELS, cancel.task_id)[cancel.task_id] = cancel
        return cancel

    def _queue_held(self, connection: Connection, write: _HeldWrite) -> _HeldWrite:
        write.row = None  # a batch run again write by write starts over
        self._pending(connection, PENDING_HELD, write.claim.task.id)[write.claim.task.id] = write
        return write

    def _held_together(self, connection: Connection, keys: tuple[str, ...], writes: list[_HeldWrite]) -> None:
        """One UPDATE for the batch's held writes that set `keys`: each matches only its own
        task, Processing under its own lease, as its compare-and-set alone would."""
        size = 1 << (len(writes) - 1).bit_length()
        params: dict[str, Any] = {}
        for i in range(size):
            write = writes[i] if i < len(writes) else None
            params[f"g_id_{i}"] = write.claim.task.id if write else None
            params[f"g_lease_{i}"] = write.claim.token if write else None
            for key in keys:
                params[f"v_{key}_{i}"] = write.values[key] if write else None
        statement = _held_statement(keys, size, self.db.is_postgres)
        rows = [_row(m) for m in statement.run(connection, params)]
        by_task = {write.claim.task.id: write for write in writes}
        for row in rows:
            write = by_task[row.id]
            write.row = row
            if write.then is not None:
                write.then(connection, row)
        self._record(connection, rows, EventKind.CHANGED)

    async def _held_cas(
        self, claim: Claim, values: dict[str, Any], then: Callable[[Connection, TaskRow], None] | None = None
    ) -> TaskRow | None:
        """A compare-and-set under `claim`'s lease, in one UPDATE with the batch's others of its
        kind; `then` runs in the same transaction when it matched."""
        write = _HeldWrite(claim, values, then)
        await self.db.transaction(lambda connection: self._queue_held(connection, write))
        if write.row is not None:
            self._committed()
        return write.row

    def _cancel_together(self, connection: Connection, cancels: dict[str, _Cancel]) -> None:
        """One UPDATE for every cancel of the batch: each matches only its own
        task while it is Starting without an update to undo, and not expired;
        the expiry is computed from the row's own expires_in in SQL, so no read
        comes first. A cancel whose row did not match finds out why afterwards."""
        now = utcnow()
        params: dict[str, Any] = {
            "ids": list(cancels),
            "pairs": [(c.task_id, c.owner) for c in cancels.values()],
            "now": now,
        }
        if not self.db.is_postgres:
            params["now_text"] = now.strftime("%Y-%m-%d %H:%M:%S")
            params["now_fraction"] = f".{now.microsecond:06d}"
        statement = _cancel_statement(self.db.is_postgres)
        rows = [_row(m) for m in connection.execute(statement, params).mappings().all()]
        for row in rows:
            cancels[row.id].row = row
        self._record(connection, rows, EventKind.CHANGED)

    def _write_events(self, connection: Connection) -> None:
        self._flush_pending(connection)
        transaction, pending = connection.info.pop(PENDING_EVENTS, (None, []))
        queued = connection.info.pop(QUEUED, None) is transaction
        if not pending or transaction is not connection.get_transaction():
            return
        connection.execute(insert(events), pending)
        if self.db.is_postgres:
            # Delivered at commit: event buses in other processes read at once.
            connection.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
            if queued:
                connection.execute(text(f"NOTIFY {QUEUE_CHANNEL}"))

    def _changed(
        self, connection: Connection, where: Iterable[ColumnElement[bool]], values: dict[str, Any]
    ) -> list[TaskRow]:
        """UPDATE ... WHERE <where> RETURNING *, and the events of the rows it changed."""
        self._flush_pending(connection)
        result = connection.execute(
            update(tasks).where(*where).values(**values, version=tasks.c.version + 1).returning(*tasks.c)
        )
        rows = [_row(m) for m in result.mappings().all()]
        self._record(connection, rows, EventKind.CHANGED)
        return rows

    async def _commit(self, work: Callable[[Connection], list[TaskRow]]) -> list[TaskRow]:
        rows = await self.db.transaction(work)
        if rows:
            self._committed()
        return rows

    def _guarded(self, connection: Connection, guard: Guard, values: dict[str, Any]) -> list[TaskRow]:
        self._flush_pending(connection)
        keys = tuple(sorted(values))
        statement, params = guard.statement(keys)
        params.update({f"v_{key}": values[key] for key in keys})
        rows = [_row(m) for m in connection.execute(statement, params).mappings().all()]
        self._record(connection, rows, EventKind.CHANGED)
        return rows

    async def _cas(self, guard: Guard, values: dict[str, Any]) -> list[TaskRow]:
        """One conditional change (committed with the writes beside it)."""
        return await self._commit(lambda connection: self._guarded(connection, guard, values))

    async def create(self, task: TaskRow, check: Callable[[Connection], None] | None = None) -> TaskRow:
        """`check` runs first in the inserting transaction and may refuse the task by raising (quotas)."""

        def work(connection: Connection) -> None:
            if check is not None:
                self._flush_pending(connection)  # the check counts this batch's earlier creates too
                check(connection)
            self._pending_creates(connection).append(task.model_dump())
            self._record(connection, [task], EventKind.CHANGED)

        await self.db.transaction(work)
        self._committed()
        return task

    async def cancel(self, task_id: str, owner: str) -> TaskRow:
        """Starting only. A new task becomes Cancelled and never runs; a task
        Starting because of an update goes back to what it was before it.

        The common case, a new task, is one UPDATE shared by the batch's cancels
        and no read; the read comes only when that matched nothing, to say why
        (or to undo an update, whose previous state is in the row)."""
        cancel = _Cancel(task_id, owner)
        await self.db.transaction(lambda connection: self._queue_cancel(connection, cancel))
        if cancel.row is not None:
            self._committed()
            return cancel.row
        while True:
            task = await self.get(task_id, owner)
            if task.status != Status.STARTING:
                raise InvalidState(f"Task cannot be cancelled: status is {task.status.value}")
            previous = task.previous_state
            now = utcnow()
            if previous is None:
                values = _finish_values(task, Status.CANCELLED, "Task cancelled", now)
            else:
                values = {
                    **previous.model_dump(),
                    "previous": None,
                    "attempts": 0,
                    "lease_owner": None,
                    "lease_expires_at": None,
                }
            rows = await self._cas(Guard(task.id, (Status.STARTING,), version=task.version), values)
            if rows:
                return rows[0]

    async def update(
        self,
        task_id: str,
        owner: str,
        reconfigure: Callable[[TaskRow], tuple[str, int]],
        deadline: float,
        trace_parent: str | None = None,
    ) -> TaskRow:
        """Succeeded or Failed only: queue the task again with a new configuration
        (processed in the trace of `trace_parent`, the update's span).

        `reconfigure(task)` returns the merged configuration and its expires_in;
        it raises when the merge is invalid or changes nothing."""
        while True:
            task = await self.get(task_id, owner)
            if task.status not in FINISHED:
                raise InvalidState(f"Task cannot be updated: status is {task.status.value}")
            merged, expires_in = reconfigure(task)
            previous = PreviousState(
                status=task.status,
                message=task.message,
                configuration=task.configuration,
                expires_in=task.expires_in,
                output_key=task.output_key,
                page_count=task.page_count,
                started_at=task.started_at,
                finished_at=task.finished_at,
                expires_at=task.expires_at,
            )
            now = utcnow()
            rows = await self._cas(
                Guard(task.id, FINISHED, version=task.version),
                {
                    "status": Status.STARTING,
                    "message": QUEUED_MESSAGE,
                    "configuration": merged,
                    "expires_in": expires_in,
                    "previous": previous.model_dump_json(),
                    "output_key": None,
                    "started_at": None,
                    "finished_at": None,
                    "expires_at": None,
                    "deadline_at": now + timedelta(seconds=deadline),
                    "attempts": 0,
                    "progress_stage": "",
                    "pages_done": 0,
                    "pages_total": 0,
                    "trace_parent": trace_parent,
                },
            )
            if rows:
                return rows[0]

    async def delete(self, task_id: str, owner: str) -> TaskRow:
        """Succeeded, Failed or Cancelled only. Returns the deleted row so the
        caller can remove its files."""
        task = await self.get(task_id, owner)
        if task.status not in DELETABLE:
            raise InvalidState(f"Task cannot be deleted: status is {task.status.value}")
        deleted = await self._delete([tasks.c.id == task.id, tasks.c.status.in_(DELETABLE)])
        if not deleted:
            current = await self.get(task_id, owner)
            raise InvalidState(f"Task cannot be deleted: status is {current.status.value}")
        return deleted[0]

    async def _delete(self, where: Iterable[ColumnElement[bool]]) -> list[TaskRow]:
        def work(connection: Connection) -> list[TaskRow]:
            self._flush_pending(connection)
            result = connection.execute(delete(tasks).where(*where).returning(*tasks.c))
            rows = [_row(m) for m in result.mappings().all()]
            self._record(connection, rows, EventKind.DELETED)
            return rows

        return await self._commit(work)

    # -- the worker's side ----------------------------------------------------

    async def claim(self, limit: int, lease: float) -> list[Claim]:
        """Take up to `limit` of the oldest Starting tasks under a new lease."""
        token = uuid.uuid4().hex
        now = utcnow()

        def work(connection: Connection) -> list[TaskRow]:
            self._flush_pending(connection)
            candidates = (
                select(tasks.c.id)
                .where(tasks.c.status == Status.STARTING)
                .order_by(tasks.c.created_at)
                .limit(limit)
            )
            if self.db.is_postgres:
                candidates = candidates.with_for_update(skip_locked=True)
            ids = connection.execute(candidates).scalars().all()
            if not ids:
                return []
            return self._changed(
                connection,
                [tasks.c.id.in_(ids), tasks.c.status == Status.STARTING],
                {
                    "status": Status.PROCESSING,
                    "message": "Task is being processed",
                    "started_at": now,
                    "attempts": tasks.c.attempts + 1,
                    "lease_owner": token,
                    "lease_expires_at": now + timedelta(seconds=lease),
                    "progress_stage": "Starting",
                    "pages_done": 0,
                    "pages_total": 0,
                },
            )

        rows = await self._commit(work)
        return [Claim(task=row, token=token) for row in rows]

    def _held(self, claim: Claim) -> Guard:
        return Guard(claim.task.id, (Status.PROCESSING,), lease_owner=claim.token)

    async def heartbeat(self, claim: Claim, lease: float) -> bool:
        """Extend the lease; False when it was lost (expired and requeued, timed out)."""

        def work(connection: Connection) -> int:
            self._flush_pending(connection)
            result = connection.execute(
                update(tasks)
                .where(*self._held(claim).clauses())
                .values(lease_expires_at=utcnow() + timedelta(seconds=lease))
            )
            return result.rowcount

        return await self.db.transaction(work) == 1

    async def progress(self, claim: Claim, stage: str, done: int, total: int) -> bool:
        row = await self._held_cas(claim, {"progress_stage": stage, "pages_done": done, "pages_total": total})
        return row is not None

    async def succeed(self, claim: Claim, *, output_key: str, page_count: int, message: str) -> TaskRow | None:
        values = _finish_values(claim.task, Status.SUCCEEDED, message, utcnow())
        values.update(
            output_key=output_key,
            page_count=page_count,
            progress_stage="Done",
            pages_done=page_count,
            pages_total=page_count,
        )

        def counted(connection: Connection, _: TaskRow) -> None:
            # The pages count against the owner's daily quota only when the task is theirs.
            count_pages(connection, claim.task.owner, page_count)

        return await self._held_cas(claim, values, counted)

    async def fail(self, claim: Claim, message: str, *, page_count: int = 0) -> TaskRow | None:
        """`page_count`: the pages this run counted before failing (0 = not counted),
        kept so a failed task still says how long its document is."""
        values = _finish_values(claim.task, Status.FAILED, message, utcnow())
        if page_count:
            values["page_count"] = page_count
        return await self._held_cas(claim, values)

    async def release(self, claim: Claim, message: str) -> TaskRow | None:
        """Give the task back to the queue, e.g. when the worker is shutting down."""
        return await self._held_cas(
            claim, {"status": Status.STARTING, "message": message, "lease_owner": None, "lease_expires_at": None}
        )

    async def live_leases(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (task id, lease) pairs are still held and unexpired."""
        wanted = set(pairs)
        if not wanted:
            return set()
        rows = await self.db.fetch(
            select(tasks.c.id, tasks.c.lease_owner).where(
                tasks.c.id.in_({task_id for task_id, _ in wanted}),
                tasks.c.status == Status.PROCESSING,
                tasks.c.lease_expires_at > utcnow(),
            )
        )
        return {(row["id"], row["lease_owner"]) for row in rows} & wanted

    # -- the sweeper's side ---------------------------------------------------

    async def _candidates(self, *where: ColumnElement[bool], limit: int = 500) -> list[TaskRow]:
        return [_row(m) for m in await self.db.fetch(select(tasks).where(*where).limit(limit))]

    async def requeue_lost(self, max_attempts: int) -> list[TaskRow]:
        """Tasks whose worker stopped heartbeating: back to Starting, or Failed
        after `max_attempts`."""
        now = utcnow()
        changed: list[TaskRow] = []
        for task in await self._candidates(tasks.c.status == Status.PROCESSING, tasks.c.lease_expires_at < now):
            guard = Guard(task.id, (Status.PROCESSING,), version=task.version)
            if task.attempts >= max_attempts:
                message = (
                    f"Task failed after {task.attempts} attempt{'s' if task.attempts != 1 else ''}: "
                    "the worker processing it stopped responding"
                )
                values = _finish_values(task, Status.FAILED, message, now)
            else:
                values = {
                    "status": Status.STARTING,
                    "message": f"{QUEUED_MESSAGE} again: the worker processing it stopped responding",
                    "lease_owner": None,
                    "lease_expires_at": None,
                }
            changed += await self._cas(guard, values)
        return changed

    async def time_out(self) -> list[TaskRow]:
        now = utcnow()
        changed: list[TaskRow] = []
        for task in await self._candidates(tasks.c.status.in_(ACTIVE), tasks.c.deadline_at < now):
            changed += await self._cas(
                Guard(task.id, ACTIVE, version=task.version), _finish_values(task, Status.FAILED, "Task timed out", now)
            )
        return changed

    async def delete_expired(self, limit: int = 500) -> list[TaskRow]:
        now = utcnow()
        expired = await self._candidates(tasks.c.expires_at.is_not(None), tasks.c.expires_at <= now, limit=limit)
        if not expired:
            return []
        return await self._delete([tasks.c.id.in_([t.id for t in expired]), tasks.c.expires_at <= now])

    async def prune_events(self, older_than: float) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                delete(events).where(events.c.created_at < utcnow() - timedelta(seconds=older_than))
            )

        await self.db.transaction(work)

    # -- reads ----------------------------------------------------------------

    @staticmethod
    def _visible(owner: str) -> list[ColumnElement[bool]]:
        """An expired task is gone from the instant it expires, swept or not."""
        return [tasks.c.owner == owner, or_(tasks.c.expires_at.is_(None), tasks.c.expires_at > utcnow())]

    async def get(self, task_id: str, owner: str) -> TaskRow:
        row = await self.db.read_one(GET_TASK, task_id=task_id, owner=owner, now=utcnow())
        if row is None:
            raise TaskNotFound()
        return _row(row)

    @classmethod
    def list_statement(cls, query: ListQuery) -> Select[Any]:
        where = cls._visible(query.owner)
        if query.start is not None:
            where.append(tasks.c.created_at >= query.start)
        if query.end is not None:
            where.append(tasks.c.created_at <= query.end)
        if query.statuses:
            where.append(tasks.c.status.in_(query.statuses))
        if query.after is not None:
            created, last_id = query.after
            if query.oldest_first:
                where.append(
                    or_(tasks.c.created_at > created, and_(tasks.c.created_at == created, tasks.c.id > last_id))
                )
            else:
                where.append(
                    or_(tasks.c.created_at < created, and_(tasks.c.created_at == created, tasks.c.id < last_id))
                )
        order = (
            (tasks.c.created_at.asc(), tasks.c.id.asc())
            if query.oldest_first
            else (tasks.c.created_at.desc(), tasks.c.id.desc())
        )
        return select(tasks).where(*where).order_by(*order).offset(query.offset).limit(query.limit)

    async def list(self, query: ListQuery) -> list[TaskRow]:
        return [_row(m) for m in await self.db.fetch(self.list_statement(query))]

    async def events_after(self, cursor: int, also: Sequence[int] = (), limit: int = 1000) -> Sequence[RowMapping]:
        """Rows of task_events as they are: most have no watcher, and are never parsed."""
        condition = events.c.id > cursor
        if also:
            condition = or_(condition, events.c.id.in_(also))
        return await self.db.fetch(select(events).where(condition).order_by(events.c.id).limit(limit))

    async def last_event_id(self) -> int:
        (row,) = await self.db.fetch(select(func.coalesce(func.max(events.c.id), 0).label("last")))
        return int(row["last"])
