"""The REST request's span (imported only when tracing is on, server/tracing.py): a SERVER
span per request that continues the caller's W3C `traceparent`, named by its route template.
FastAPI's own telemetry stays off (gateway/app.py): it records the query string, which holds
the signatures of file URLs. Only the method, route and status are recorded here."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import route_template
from server import tracing

UNTRACED = frozenset({"/metrics", "/health", "/ready"})  # scrapes and probes


class RequestSpans:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracing.tracer().start_as_current_span(
            method,
            context=propagate.extract(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = route_template(scope)
                span.update_name(f"{method} {route}")
                span.set_attributes({"http.route": route, "http.response.status_code": status})
                if status >= 500:
                    span.set_status(StatusCode.ERROR)
