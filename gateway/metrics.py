"""The gateway's Prometheus side: an ASGI middleware that counts and times
every request by its route template (bounded labels, never a task id), and
`/metrics` itself."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.metrics import HTTP_REQUESTS, HTTP_SECONDS

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def route_template(scope: Scope) -> str:
    """The matched path template with its router's prefix ("/api/v1/task/{task_id}").
    FastAPI keeps included routers nested and leaves the prefixed path on its own
    context; the route's own path (no prefix) is the fallback."""
    context: Any = (scope.get("fastapi") or {}).get("effective_route_context")
    path = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            template = route_template(scope)
            method = scope["method"]
            HTTP_SECONDS.labels(method, template).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(method, template, str(status)).inc()
