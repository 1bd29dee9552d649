"""The REST gateway: Chunkr's REST API in front of chunkd's gRPC service.

It holds no state and no business logic: one gRPC channel (opened at startup),
HTTP ↔ RPC translation, signed file downloads and SSE. `serve()` runs inside
another asyncio program (`chunkd serve` runs it beside the gRPC server), so it
installs no signal handlers and stops when its task is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from grpc_health.v1 import health_pb2_grpc
from pydantic.json_schema import models_json_schema

from gateway import (
    cors, dashboard, errors, events, file_routes, files, metrics, readiness, routes, schemas, webhook_routes,
)
from gateway.bindings import API_PREFIX
from gateway.rpc import open_channel
from gateway.uploads import BodyLimit, body_limit
from protos import tasks_pb2_grpc
from server import tls, tracing
from server.blobs import BlobStore, UrlSigner, load_secret
from server.config import Settings


# Request bodies are described by hand (the routes decode them with the codec),
# so their schemas are added to the document here.
REQUEST_SCHEMAS = (
    schemas.CreateTaskBody,
    schemas.CreateTaskForm,
    schemas.Configuration,
    schemas.TaskEvent,
    schemas.FileInfo,
    schemas.UploadFileForm,
    schemas.WebhookInfo,
    schemas.CreateWebhookBody,
)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, extra = models_json_schema(
        [(model, "validation") for model in REQUEST_SCHEMAS], ref_template="#/components/schemas/{model}"
    )
    # Validation errors are answered 400 in plain text (gateway/errors.py), never 422.
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for name, schema in extra.get("$defs", {}).items():
        components.setdefault(name, schema)
    document["components"].setdefault("securitySchemes", {})["ApiKey"] = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The API key, bare or as `Bearer KEY`",
    }
    document["security"] = [{"ApiKey": []}]
    routes.use_chunkr_operation_ids(document)
    app.openapi_schema = document
    return document


def _no_fastapi_telemetry() -> dict[str, Any]:
    """FastAPI (0.165 on) traces requests itself once a tracer provider is set, query strings
    (file URL signatures) and exception messages included: chunkd's own span (gateway/tracing.py)
    takes its place."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    off = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
    return {"telemetry": off}


def create_app(settings: Settings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        channel = open_channel(settings)
        app.state.stub = tasks_pb2_grpc.TaskServiceStub(channel)
        app.state.health = health_pb2_grpc.HealthStub(channel)
        app.state.file_stub = tasks_pb2_grpc.FileServiceStub(channel)
        app.state.webhook_stub = tasks_pb2_grpc.WebhookServiceStub(channel)
        try:
            yield
        finally:
            await channel.close(grace=None)

    app = FastAPI(
        title="chunkd",
        version="0.1.0",
        description="Chunkr's task API over chunkd's gRPC service: create, get, list, update, cancel and "
        "delete document-processing tasks; errors are plain text.",
        lifespan=lifespan,
        **_no_fastapi_telemetry(),
    )
    app.state.settings = settings
    app.state.blobs = BlobStore(settings.blobs_dir)
    scheme = "https" if tls.enabled(settings) else "http"
    public_url = settings.public_url or f"{scheme}://{settings.http_address}"
    app.state.signer = UrlSigner(
        load_secret(settings.secret_key, settings.data_dir), public_url, settings.signed_url_ttl
    )
    app.state.watches = events.WatchCounter()
    errors.install(app)
    for prefix in (API_PREFIX, ""):
        app.include_router(routes.router, prefix=prefix)
        app.include_router(events.router, prefix=prefix)
        app.include_router(file_routes.router, prefix=prefix)
        app.include_router(webhook_routes.router, prefix=prefix)
    app.include_router(files.router)
    app.include_router(metrics.router)
    app.include_router(readiness.router)
    dashboard.install(app)
    app.add_middleware(BodyLimit, limit=body_limit(settings.max_file_size))
    cors.install(app, settings.cors_origins)
    app.add_middleware(metrics.RequestMetrics)  # outermost: it sees every answer, 413s and CORS refusals too
    if tracing.enabled():
        from gateway.tracing import RequestSpans

        app.add_middleware(RequestSpans)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented hook
    return app


def _listen(address: str, reuse_port: bool = False) -> socket.socket:
    """Binds here rather than in uvicorn, so that a taken port is an OSError
    for the caller instead of uvicorn's sys.exit. The protocol is named because
    asyncio sets TCP_NODELAY only on IPPROTO_TCP sockets: without it every
    keep-alive response after the first waits ~40 ms for a delayed ACK."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:  # the API processes of one `chunkd serve` share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, int(port)))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


async def serve(settings: Settings, app: FastAPI | None = None) -> None:
    """Serves `app` (by default `create_app(settings)`) until cancelled, then
    closes gracefully (open SSE streams get a few seconds)."""
    config = uvicorn.Config(
        app or create_app(settings),
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=max(1, int(settings.drain_seconds)),
        server_header=False,
        **tls.http_ssl_options(settings),  # type: ignore[arg-type]  # Config's ssl_* keywords
    )
    server = uvicorn.Server(config)
    # The host program owns the signals.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    sock = _listen(settings.http_address, reuse_port=settings.api_processes > 1)
    running = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        server.should_exit = True
        await running
        raise
    finally:
        sock.close()
