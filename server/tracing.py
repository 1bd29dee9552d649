"""OpenTelemetry tracing, the `[otel]` extra: on only when CHUNKD_OTEL_ENDPOINT names an OTLP
gRPC collector. Off, every helper here is a constant no-op and nothing of OpenTelemetry's SDK
is imported; the modules that need the API itself (server/trace_grpc.py, gateway/tracing.py)
are imported only once tracing is on.

The trace: the gateway's REST request → the gRPC call → `chunkd.task.create` → (the task's
`trace_parent` column, across processes) `chunkd.task.process` in the worker → one span per
pipeline stage. Attributes hold ids, names and codes only: never document text, keys or URLs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

    from server.config import Settings

Attributes = dict[str, str | int | float | bool]
EXTRA_HINT = "pip install 'chunkd[otel]'"
_tracer: Tracer | None = None


class TracingUnavailable(RuntimeError):
    pass


def enabled() -> bool:
    return _tracer is not None


def tracer() -> Tracer:
    assert _tracer is not None, "tracing is off"
    return _tracer


def configure(settings: Settings) -> None:
    """A TracerProvider exporting in batches (OTEL_BSP_* tune it) to settings.otel_endpoint;
    OTEL_SERVICE_NAME names the service (default `chunkd`), OTEL_TRACES_SAMPLER samples."""
    global _tracer
    if not settings.otel_endpoint or _tracer is not None:
        return
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise TracingUnavailable(
            f"CHUNKD_OTEL_ENDPOINT is set but OpenTelemetry is not installed ({exc.name}): {EXTRA_HINT}"
        ) from None
    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: "chunkd"}))
    provider = TracerProvider(resource=resource)  # shuts down (and flushes) at exit
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_endpoint)))
    trace.set_tracer_provider(provider)
    _tracer = provider.get_tracer("chunkd")


@contextlib.contextmanager
def _span(name: str, attributes: Attributes) -> Iterator[None]:
    # An exception's message may quote what it failed on: only its type goes on the span.
    with tracer().start_as_current_span(
        name, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as span:
        try:
            yield
        except BaseException as exc:
            from opentelemetry.trace import StatusCode

            span.set_status(StatusCode.ERROR, type(exc).__name__)
            raise


def span(name: str, attributes: Attributes) -> contextlib.AbstractContextManager[None]:
    """An internal span, current inside the block (a no-op when tracing is off)."""
    if _tracer is None:
        return contextlib.nullcontext()
    return _span(name, attributes)


def traceparent() -> str | None:
    """The current span as a W3C `traceparent`, to be stored on a task; None when off."""
    if _tracer is None:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier.get("traceparent")


def start_task_span(trace_parent: str | None, attributes: Attributes) -> Span | None:
    """The worker's `chunkd.task.process` span: a child of the span that queued the task,
    in whatever process that ran; a new trace for a task queued without one."""
    if _tracer is None:
        return None
    from opentelemetry.trace import SpanKind
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    parent = TraceContextTextMapPropagator().extract({"traceparent": trace_parent} if trace_parent else {})
    return _tracer.start_span("chunkd.task.process", context=parent, kind=SpanKind.CONSUMER, attributes=attributes)


def start_child(parent: Span | None, name: str, attributes: Attributes) -> Span | None:
    if _tracer is None or parent is None:
        return None
    from opentelemetry.trace import set_span_in_context

    return _tracer.start_span(name, context=set_span_in_context(parent), attributes=attributes)


def end(span: Span | None, attributes: Attributes | None = None, failed: bool = False) -> None:
    if span is None:
        return
    if attributes:
        span.set_attributes(attributes)
    if failed:
        from opentelemetry.trace import StatusCode

        span.set_status(StatusCode.ERROR)
    span.end()
