"""Wires the parts together and runs them: the gRPC server (with health and
reflection), the worker, the sweeper and, when asked, the REST gateway."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from protos import tasks_pb2, tasks_pb2_grpc
from server.auth import KeyRing
from server.blobs import BlobStore, UrlSigner, load_secret
from server.config import Settings
from server.db import Database, connect
from server.events import EventBus
from server.presenter import Presenter
from server.service import TaskService
from server.store import TaskStore
from server.sweeper import Sweeper
from server.worker import Worker

log = logging.getLogger("chunkd")

SERVICE_NAME = tasks_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name
MAX_RESPONSE = 512 * 1024 * 1024


@dataclass
class Components:
    settings: Settings
    db: Database
    store: TaskStore
    blobs: BlobStore
    keys: KeyRing

    @classmethod
    async def open(cls, settings: Settings) -> Components:
        db = connect(settings.sqlalchemy_url)
        await db.create_tables()
        return cls(
            settings=settings,
            db=db,
            store=TaskStore(db),
            blobs=BlobStore(settings.blobs_dir),
            keys=KeyRing(db, insecure=settings.insecure),
        )

    def public_url(self) -> str:
        return self.settings.public_url or f"http://{self.settings.http_address}"

    def signer(self) -> UrlSigner:
        secret = load_secret(self.settings.secret_key, self.settings.data_dir)
        return UrlSigner(secret, self.public_url(), self.settings.signed_url_ttl)


def grpc_server(parts: Components, bus: EventBus) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    settings = parts.settings
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", settings.max_file_size + 1024 * 1024),
            ("grpc.max_send_message_length", MAX_RESPONSE),
            ("grpc.so_reuseport", 0),
        ]
    )
    service = TaskService(settings, parts.store, bus, parts.keys, parts.blobs, Presenter(parts.blobs, parts.signer()))
    tasks_pb2_grpc.add_TaskServiceServicer_to_server(service, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    server.add_insecure_port(settings.grpc_address)
    return server, health_servicer


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(settings: Settings, *, grpc_enabled: bool = True, worker: bool = True, gateway: bool = True) -> None:
    parts = await Components.open(settings)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(parts.db.dispose)
        background: list[asyncio.Task[None]] = []
        bus = EventBus(parts.store, settings.events_poll_seconds)
        if grpc_enabled:
            await bus.start()
            stack.push_async_callback(bus.stop)
            server, health_servicer = grpc_server(parts, bus)
            await server.start()
            stack.push_async_callback(server.stop, 5)
            await health_servicer.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
            await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
            print(f"chunkd: gRPC listening on {settings.grpc_address}", flush=True)
        if worker:
            work = Worker(settings, parts.store, parts.blobs)
            parts.store.on_commit(work.kick)
            background.append(asyncio.create_task(work.run(), name="worker"))
            print(f"chunkd: worker running ({settings.worker_processes} processes)", flush=True)
        background.append(asyncio.create_task(Sweeper(settings, parts.store, parts.blobs).run(), name="sweeper"))
        if gateway:
            from gateway.app import serve as serve_gateway

            background.append(asyncio.create_task(serve_gateway(settings), name="gateway"))
            print(f"chunkd: REST gateway on http://{settings.http_address}", flush=True)
        print("chunkd: ready", flush=True)
        await supervise(background)


async def supervise(background: list[asyncio.Task[None]]) -> None:
    """Runs until SIGINT/SIGTERM or until a part stops, then stops the rest."""
    stopped = asyncio.create_task(_until_signalled())
    done, _ = await asyncio.wait([stopped, *background], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not stopped and task.exception() is not None:
            log.error("%s stopped", task.get_name(), exc_info=task.exception())
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    stopped.cancel()


async def serve_gateway_only(settings: Settings) -> None:
    """`chunkd gateway`: no database, no worker; a client of CHUNKD_GRPC_ADDRESS."""
    from gateway.app import serve as serve_gateway

    print(f"chunkd: REST gateway on http://{settings.http_address} for gRPC {settings.grpc_address}", flush=True)
    await supervise([asyncio.create_task(serve_gateway(settings), name="gateway")])
