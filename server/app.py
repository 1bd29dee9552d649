"""Wires the parts together and runs them: the gRPC server (with health and
reflection), the worker, the sweeper and, when asked, the REST gateway."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2_grpc

from protos import MAX_MESSAGE_BYTES, tasks_pb2, tasks_pb2_grpc
from server import metrics, tls, tracing
from server.api_processes import ApiProcesses, leave_with_parent, ready_file
from server.auth import KeyRing
from server.blobs import Blobs, UrlSigner, load_secret, open_blobs
from server.config import Settings
from server.db import Database, connect
from server.drain import Drain
from server.events import EventBus
from server.interceptors import WrappingInterceptor, WrappingServer
from server.file_service import FileService
from server.files import FileStore
from server.peers import Peers
from server.presenter import Presenter
from server.ratelimit import Buckets, RateLimitInterceptor
from server.readiness import Dependencies, ReadyHealthServicer
from server.service import TaskService
from server.store import TaskStore
from server.sweeper import Sweeper
from server.webhook_service import WebhookService
from server.webhooks import Dispatcher, WebhookStore
from server.worker import Worker

log = logging.getLogger("chunkd")

SERVICE_NAME = tasks_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name
FILE_SERVICE_NAME = tasks_pb2.DESCRIPTOR.services_by_name["FileService"].full_name
WEBHOOK_SERVICE_NAME = tasks_pb2.DESCRIPTOR.services_by_name["WebhookService"].full_name


@dataclass
class Components:
    settings: Settings
    db: Database
    store: TaskStore
    blobs: Blobs
    keys: KeyRing

    @classmethod
    async def open(cls, settings: Settings) -> Components:
        db = connect(settings.sqlalchemy_url)
        await db.create_tables()
        return cls(
            settings=settings,
            db=db,
            store=TaskStore(db),
            blobs=open_blobs(settings.blob_url, settings.blobs_dir, settings.s3_endpoint_url),
            keys=KeyRing(db, insecure=settings.insecure),
        )

    def public_url(self) -> str:
        scheme = "https" if tls.enabled(self.settings) else "http"
        return self.settings.public_url or f"{scheme}://{self.settings.http_address}"

    def signer(self) -> UrlSigner:
        secret = load_secret(self.settings.secret_key, self.settings.data_dir)
        return UrlSigner(secret, self.public_url(), self.settings.signed_url_ttl)


def interceptors(settings: Settings, drain: Drain, keys: KeyRing | None = None) -> list[WrappingInterceptor]:
    """Metrics outermost, so that refused calls are counted too. The rate limit is always
    there when keys are: a key may have a rate of its own without any in the settings. Tracing,
    when on, comes before metrics: the call's span holds everything the call does."""
    # Several processes on one port: each reply names its process (the `chunkd-process` trailer).
    tag = str(os.getpid()) if settings.api_processes > 1 else ""
    chain: list[WrappingInterceptor] = [metrics.ServerInterceptor(drain, tag)]
    if tracing.enabled():
        from server.trace_grpc import ServerInterceptor as TracingInterceptor

        chain.insert(0, TracingInterceptor())
    if settings.rate_limit_rps > 0 or keys is not None:
        buckets = Buckets(settings.rate_limit_rps, settings.rate_limit_burst)
        chain.append(RateLimitInterceptor(buckets, SERVICE_NAME, keys))
    return chain


def grpc_server(
    parts: Components, bus: EventBus, drain: Drain | None = None
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    settings = parts.settings
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", settings.max_file_size + 1024 * 1024),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            # Off unless this is one of several API processes: a port taken by another server is an error.
            ("grpc.so_reuseport", 1 if settings.api_processes > 1 else 0),
        ]
    )
    # Every handler is wrapped by the interceptors once, as it is registered (not per call).
    wrapping = WrappingServer(server, interceptors(settings, drain or Drain(), parts.keys))
    service = TaskService(settings, parts.store, bus, parts.keys, parts.blobs, Presenter(parts.blobs, parts.signer()))
    tasks_pb2_grpc.add_TaskServiceServicer_to_server(service, wrapping)
    files = FileService(settings, FileStore(parts.db), parts.keys, parts.blobs, parts.signer())
    tasks_pb2_grpc.add_FileServiceServicer_to_server(files, wrapping)
    hooks = WebhookService(settings, WebhookStore(parts.db), parts.keys)
    tasks_pb2_grpc.add_WebhookServiceServicer_to_server(hooks, wrapping)
    health_servicer = ReadyHealthServicer(Dependencies(parts.db, parts.blobs))
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, wrapping)
    names = (SERVICE_NAME, FILE_SERVICE_NAME, WEBHOOK_SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME)
    # enable_server_reflection picks the asyncio servicer only for a grpc.aio.Server itself.
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(reflection.aio.ReflectionServicer(names), wrapping)
    if tls.enabled(settings):
        server.add_secure_port(settings.grpc_address, tls.grpc_server_credentials(settings))
    else:
        server.add_insecure_port(settings.grpc_address)
    return server, health_servicer


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(
    settings: Settings,
    *,
    grpc_enabled: bool = True,
    worker: bool = True,
    gateway: bool = True,
    api_process: int = 0,
    peers_dir: Path | None = None,
    log_level: str | None = None,
) -> None:
    """`api_process` > 0: one of the other API processes (server/api_processes.py),
    started by the first with the directory of the peers' sockets."""
    parts = await Components.open(settings)
    drain = Drain()
    drains: list[Callable[[], Awaitable[None]]] = []
    first = api_process == 0
    several = grpc_enabled and settings.api_processes > 1
    async with AsyncExitStack() as stack:
        stack.push_async_callback(parts.db.dispose)
        background: list[asyncio.Task[None]] = []
        if several:
            if peers_dir is None:
                peers_dir = Path(tempfile.mkdtemp(prefix="chunkd-peers-"))
                stack.callback(shutil.rmtree, peers_dir, True)
            if not parts.db.is_postgres:  # PostgreSQL's NOTIFY wakes the other processes already
                peers = Peers(peers_dir, api_process, settings.api_processes, parts.store.committed_elsewhere)
                peers.start()
                stack.callback(peers.stop)
                parts.store.on_commit(peers.announce, announce=True)
        if not first:
            worker = False
            background.append(asyncio.create_task(leave_with_parent(), name="parent"))
        if settings.metrics_address and first:
            metrics.serve_metrics(settings.metrics_address)
            print(f"chunkd: metrics on http://{settings.metrics_address}/metrics", flush=True)
        if first:
            background.append(
                asyncio.create_task(metrics.watch_store(parts.db, settings.metrics_refresh_seconds), name="metrics")
            )
        bus = EventBus(parts.store, settings.events_poll_seconds)
        if grpc_enabled:
            await bus.start()
            stack.push_async_callback(bus.stop)
            server, health_servicer = grpc_server(parts, bus, drain)
            # grpc's health servicer starts with "" SERVING: not before every API process serves.
            await health_servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
            await server.start()
            stack.push_async_callback(server.stop, settings.drain_seconds)
            others: ApiProcesses | None = None
            if several and first:  # serving once all of them serve
                assert peers_dir is not None
                others = ApiProcesses(settings, peers_dir, gateway, log_level)
                await others.start()
                stack.push_async_callback(others.stop)
            await health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
            await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
            if first:
                print(f"chunkd: gRPC listening on {settings.grpc_address}", flush=True)
            elif peers_dir is not None:
                ready_file(peers_dir, api_process).touch()

            async def drain_api() -> None:
                # Load balancers see NOT_SERVING first; new calls are refused, open ones finish.
                await health_servicer.enter_graceful_shutdown()
                drain.start()
                await server.stop(settings.drain_seconds)

            drains.append(drain_api)
            if others is not None:
                background.append(asyncio.create_task(others.run(), name="api-processes"))
                drains.append(others.stop)
                print(f"chunkd: {settings.api_processes} API processes on {settings.grpc_address}", flush=True)
            if first:
                dispatcher = Dispatcher(settings, parts.db)
                parts.store.on_commit(dispatcher.kick)
                background.append(asyncio.create_task(dispatcher.run(), name="webhooks"))
        if worker:
            work = Worker(settings, parts.store, parts.blobs)
            parts.store.on_commit(work.kick)
            worker_task = asyncio.create_task(work.run(), name="worker")
            background.append(worker_task)
            print(f"chunkd: worker running ({settings.worker_processes} processes)", flush=True)

            async def drain_worker() -> None:
                await work.drain()
                await asyncio.wait({worker_task})

            drains.append(drain_worker)
        if first:
            sweeper = Sweeper(settings, parts.store, parts.blobs, WebhookStore(parts.db))
            background.append(asyncio.create_task(sweeper.run(), name="sweeper"))
        if gateway:
            from gateway.app import serve as serve_gateway

            background.append(asyncio.create_task(serve_gateway(settings), name="gateway"))
            if first:
                print(f"chunkd: REST gateway on http://{settings.http_address}", flush=True)
        if first:
            print("chunkd: ready", flush=True)
        await supervise(background, drains)


async def supervise(
    background: list[asyncio.Task[None]], drains: Sequence[Callable[[], Awaitable[None]]] = ()
) -> None:
    """Runs until SIGINT/SIGTERM or until a part stops, then stops the rest:
    after a signal, the drains first (together, each bounded by drain_seconds)."""
    stopped = asyncio.create_task(_until_signalled())
    done, _ = await asyncio.wait([stopped, *background], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not stopped and task.exception() is not None:
            log.error("%s stopped", task.get_name(), exc_info=task.exception())
    if stopped in done and drains:
        log.info("draining")
        outcomes = await asyncio.gather(*(step() for step in drains), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                log.error("draining failed", exc_info=outcome)
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    stopped.cancel()


async def serve_gateway_only(settings: Settings) -> None:
    """`chunkd gateway`: no database, no worker; a client of CHUNKD_GRPC_ADDRESS."""
    from gateway.app import serve as serve_gateway

    print(f"chunkd: REST gateway on http://{settings.http_address} for gRPC {settings.grpc_address}", flush=True)
    await supervise([asyncio.create_task(serve_gateway(settings), name="gateway")])
