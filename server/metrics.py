"""Prometheus metrics of the API and the worker: what they are, and the small
pieces that feed them (a gRPC interceptor, a store snapshot, the worker's hooks).

Every metric lives in prometheus-client's default registry, so `chunkd serve`
exposes the gRPC, worker and gateway series on one `/metrics`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import grpc
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from sqlalchemy import func, select

from chunkr.vocabulary import Status
from server.drain import Drain
from server.interceptors import Stream, Unary, WrappingInterceptor, status_code, wrapped
from server.models import TaskRow

if TYPE_CHECKING:  # the database imports this module, for its write wait
    from server.db import Database

log = logging.getLogger(__name__)
tasks = TaskRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STAGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)

RPC_REQUESTS = Counter(
    "chunkd_rpc_requests_total", "gRPC calls answered, by method and status code", ["method", "code"]
)
RPC_SECONDS = Histogram(
    "chunkd_rpc_duration_seconds", "Time to answer a unary gRPC call", ["method"], buckets=LATENCY_BUCKETS
)
RPC_STREAMS = Gauge("chunkd_rpc_open_streams", "Server-streaming gRPC calls open now (watches)", ["method"])
HTTP_REQUESTS = Counter(
    "chunkd_http_requests_total",
    "REST requests answered, by method, route and status code",
    ["method", "route", "code"],
)
HTTP_SECONDS = Histogram(
    "chunkd_http_request_duration_seconds",
    "Time to the end of a REST response",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
TASKS = Gauge("chunkd_tasks", "Tasks in the store by status (a snapshot, refreshed every few seconds)", ["status"])
QUEUE_DEPTH = Gauge("chunkd_queue_depth", "Tasks waiting for a worker (status Starting)")
QUEUE_OLDEST = Gauge("chunkd_queue_oldest_age_seconds", "How long the oldest waiting task has waited; 0 when none")
STAGE_SECONDS = Histogram(
    "chunkd_stage_duration_seconds",
    "Time a task spent in one pipeline stage, by file type",
    ["stage", "file_type"],
    buckets=STAGE_BUCKETS,
)
TASK_SECONDS = Histogram(
    "chunkd_task_processing_seconds",
    "Time from claim to outcome of one attempt, by file type and outcome",
    ["file_type", "outcome"],
    buckets=STAGE_BUCKETS,
)
PAGES = Counter(
    "chunkd_pages_processed_total", "Pages of succeeded tasks, by file type (rate() = pages/s)", ["file_type"]
)
POOL_RESTARTS = Counter("chunkd_pool_restarts_total", "Pipeline processes killed and replaced, by reason", ["reason"])
LEASE_LOSSES = Counter("chunkd_lease_losses_total", "Tasks whose lease this worker lost before finishing")
OCR_PAGES = Counter("chunkd_ocr_pages_total", "Pages read by OCR in succeeded tasks, by file type", ["file_type"])
WEBHOOK_DELIVERIES = Counter(
    "chunkd_webhook_deliveries_total",
    "Webhook delivery attempts, by outcome: delivered, failed (to be retried), gave up",
    ["outcome"],
)
WRITE_WAIT = Histogram(
    "chunkd_db_write_wait_seconds",
    "Time a write waited for its transaction to begin (SQLite: the one writer and its lock), by database",
    ["database"],
    buckets=LATENCY_BUCKETS,
)
WORKER_RUNNING = Gauge("chunkd_worker_running_tasks", "Tasks this worker holds now")

FILE_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.ms-excel": "xls",
    "image/png": "image",
    "image/jpeg": "image",
    "image/tiff": "image",
    "image/bmp": "image",
    "image/webp": "image",
    "image/gif": "image",
}


def file_type(mime_type: str) -> str:
    """A label with a bounded set of values, whatever a client uploads."""
    return FILE_TYPES.get(mime_type.split(";")[0].strip().lower(), "other")


# -- the store's snapshot --------------------------------------------------------


async def refresh_store_gauges(db: Database) -> None:
    """One GROUP BY over the status index and one MIN over Starting: cheap at any size."""
    counts = await db.fetch(select(tasks.c.status, func.count().label("n")).group_by(tasks.c.status))
    by_status = {
        Status(row["status"]) if not isinstance(row["status"], Status) else row["status"]: row["n"] for row in counts
    }
    for status in Status:
        TASKS.labels(status.value).set(by_status.get(status, 0))
    QUEUE_DEPTH.set(by_status.get(Status.STARTING, 0))
    (oldest,) = await db.fetch(
        select(func.min(tasks.c.created_at).label("oldest")).where(tasks.c.status == Status.STARTING)
    )
    moment = oldest["oldest"]
    if moment is None:
        QUEUE_OLDEST.set(0)
    else:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        QUEUE_OLDEST.set(max(0.0, (datetime.now(UTC) - moment).total_seconds()))


async def watch_store(db: Database, every: float) -> None:
    """Refreshes the store's gauges until cancelled; a failed read keeps the last values."""
    while True:
        try:
            await refresh_store_gauges(db)
        except Exception:
            log.warning("reading task counts for metrics failed", exc_info=True)
        await asyncio.sleep(every)


def serve_metrics(address: str) -> None:
    """The metrics port of `chunkd serve` / `chunkd worker` (a daemon thread)."""
    host, _, port = address.rpartition(":")
    start_http_server(int(port), addr=host.strip("[]") or "0.0.0.0")


# -- the gRPC side ---------------------------------------------------------------


def _code(context: grpc.aio.ServicerContext, failed: BaseException | None) -> str:
    return str(status_code(context, failed).name)


class ServerInterceptor(WrappingInterceptor):
    """Counts and times every call, and closes open streams with UNAVAILABLE when the
    replica drains, so that clients reconnect to another one."""

    def __init__(self, drain: Drain, tag: str = "") -> None:
        self.drain = drain
        self.tag = tag  # when set, every unary reply carries it in a `chunkd-process` trailer

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        name = method.rsplit("/", 1)[-1]
        return wrapped(handler, partial(self._unary, name, tag=self.tag), partial(self._stream, name))

    @staticmethod
    def _unary(method: str, behaviour: Unary, *, tag: str = "") -> Unary:
        latency = RPC_SECONDS.labels(method)
        counters: dict[str, Any] = {}
        trailer = (("chunkd-process", tag),)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            failed: BaseException | None = None
            if tag:
                context.set_trailing_metadata(trailer)
            try:
                return await behaviour(request, context)
            except BaseException as exc:
                failed = exc
                raise
            finally:
                latency.observe(time.perf_counter() - started)
                code = _code(context, failed)
                counter = counters.get(code)
                if counter is None:
                    counter = counters[code] = RPC_REQUESTS.labels(method, code)
                counter.inc()

        return call

    def _stream(self, method: str, behaviour: Stream) -> Stream:
        drain = self.drain
        open_streams = RPC_STREAMS.labels(method)
        counters: dict[str, Any] = {}  # by code, as in _unary: labels() is a lookup under a lock

        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            # While the stream waits for its next item its task is in drain.waiting, and the
            # drain cancels it there; a task and a wait per item cost more than a watcher's write.
            task = asyncio.current_task()
            assert task is not None
            items = behaviour(request, context).__aiter__()
            failed: BaseException | None = None
            open_streams.inc()
            try:
                while True:
                    if drain.draining:
                        await context.abort(grpc.StatusCode.UNAVAILABLE, "The server is shutting down; reconnect")
                    drain.waiting.add(task)
                    try:
                        item = await items.__anext__()
                    except StopAsyncIteration:
                        return
                    except asyncio.CancelledError:
                        if not drain.draining:
                            raise
                        await context.abort(grpc.StatusCode.UNAVAILABLE, "The server is shutting down; reconnect")
                    finally:
                        drain.waiting.discard(task)
                    yield item
            except BaseException as exc:
                failed = exc
                raise
            finally:
                open_streams.dec()
                if hasattr(items, "aclose"):
                    await items.aclose()
                code = _code(context, failed)
                counter = counters.get(code)
                if counter is None:
                    counter = counters[code] = RPC_REQUESTS.labels(method, code)
                counter.inc()

        return call
