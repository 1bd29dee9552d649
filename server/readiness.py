"""Readiness of an API replica: its database and its blob store answer. The
gRPC health check (service "" and chunkd.v1.TaskService) reports NOT_SERVING
while either does not, with the reason in a `chunkd-not-ready` trailer, which
the gateway's `/ready` shows (503). Liveness is not affected: the process
keeps serving what it can, and goes back to SERVING when both answer again."""

from __future__ import annotations

import asyncio
import logging
import time

import grpc
from grpc_health.v1 import health, health_pb2
from sqlalchemy import select

from server.blobs import Blobs
from server.db import Database
from server.models import TaskRow

log = logging.getLogger(__name__)

PROBE_SECONDS = 1.0  # a dependency slower than this to answer counts as unreachable (the gateway waits 3 s)
FRESH_SECONDS = 1.0  # probes answered within this share one result (a readiness probe per replica per second)
REASON_TRAILER = "chunkd-not-ready"
tasks = TaskRow.__table__  # type: ignore[attr-defined]


class Dependencies:
    """Probes the database and the blob store, at most one probe at a time."""

    def __init__(self, db: Database, blobs: Blobs) -> None:
        self.db = db
        self.blobs = blobs
        self._last: tuple[float, str | None] | None = None
        self._running: asyncio.Future[str | None] | None = None

    async def problem(self) -> str | None:
        """None when both answer; else what does not, in words."""
        if self._last is not None and time.monotonic() - self._last[0] < FRESH_SECONDS:
            return self._last[1]
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self._probe())
        return await asyncio.shield(self._running)

    async def _probe(self) -> str | None:
        database, blob_store = await asyncio.gather(self._database(), self._blob_store())
        problem = database or blob_store
        if problem is not None and (self._last is None or self._last[1] != problem):
            log.warning("not ready: %s", problem)
        self._last = (time.monotonic(), problem)
        return problem

    async def _database(self) -> str | None:
        try:
            async with asyncio.timeout(PROBE_SECONDS):
                await self.db.fetch(select(tasks.c.id).limit(1))  # reads the database, not just the connection
        except TimeoutError:
            return "the database does not answer"
        except Exception as exc:  # any failure to read is the answer
            log.debug("database probe failed", exc_info=exc)
            return "the database is unreachable"
        return None

    async def _blob_store(self) -> str | None:
        try:
            async with asyncio.timeout(PROBE_SECONDS + 0.5):  # the store's own timeout first, if it can
                await asyncio.to_thread(self.blobs.check)
        except TimeoutError:
            return "the blob store does not answer"
        except Exception as exc:
            log.debug("blob store probe failed", exc_info=exc)
            return "the blob store is unreachable"
        return None


class ReadyHealthServicer(health.aio.HealthServicer):
    """The standard health service, whose Check also asks the dependencies
    while the replica is otherwise SERVING (a draining one stays NOT_SERVING)."""

    def __init__(self, dependencies: Dependencies) -> None:
        super().__init__()
        self.dependencies = dependencies

    async def Check(
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext
    ) -> health_pb2.HealthCheckResponse:
        reply = await super().Check(request, context)
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            return reply
        problem = await self.dependencies.problem()
        if problem is None:
            return reply
        context.set_trailing_metadata(((REASON_TRAILER, problem),))
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.NOT_SERVING)
