"""Trace context over gRPC (imported only when tracing is on, server/tracing.py): a server
interceptor that continues the caller's trace from the call's metadata (`traceparent`) in a
SERVER span, and a client interceptor for the gateway's channel that puts it there."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import grpc
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, StatusCode

from server import tracing
from server.interceptors import Stream, Unary, WrappingInterceptor, status_code, wrapped

UNTRACED = ("/grpc.health.v1.", "/grpc.reflection.")  # probes would bury the calls that matter


def _attributes(full_method: str) -> dict[str, Any]:
    service, _, method = full_method.lstrip("/").rpartition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def _finish(span: Any, code: grpc.StatusCode | None) -> None:
    code = code or grpc.StatusCode.OK
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    if code is not grpc.StatusCode.OK:
        span.set_status(StatusCode.ERROR, code.name)


class ServerInterceptor(WrappingInterceptor):
    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        if method.startswith(UNTRACED):
            return handler
        return wrapped(handler, partial(self._unary, method), partial(self._stream, method))

    @staticmethod
    def _unary(full_method: str, behaviour: Unary) -> Unary:
        name, attributes = full_method.lstrip("/"), _attributes(full_method)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            parent = propagate.extract(dict(context.invocation_metadata() or ()))
            with tracing.tracer().start_as_current_span(
                name, context=parent, kind=SpanKind.SERVER, attributes=attributes,
                record_exception=False, set_status_on_exception=False,
            ) as span:
                failed: BaseException | None = None
                try:
                    return await behaviour(request, context)
                except BaseException as exc:
                    failed = exc
                    raise
                finally:
                    _finish(span, status_code(context, failed))

        return call

    @staticmethod
    def _stream(full_method: str, behaviour: Stream) -> Stream:
        name, attributes = full_method.lstrip("/"), _attributes(full_method)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            # Not made current: a generator's context changes would leak into its consumer's.
            parent = propagate.extract(dict(context.invocation_metadata() or ()))
            span = tracing.tracer().start_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes)
            failed: BaseException | None = None
            try:
                async for item in behaviour(request, context):
                    yield item
            except BaseException as exc:
                failed = exc
                raise
            finally:
                _finish(span, status_code(context, failed))
                span.end()

        return call


def _with_context(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    for key, value in carrier.items():
        metadata[key] = value
    return details._replace(metadata=metadata)


def _method(details: grpc.aio.ClientCallDetails) -> str:
    method = details.method
    return (method.decode() if isinstance(method, bytes) else str(method)).lstrip("/")


class ClientInterceptor(grpc.aio.UnaryUnaryClientInterceptor, grpc.aio.UnaryStreamClientInterceptor):
    """A CLIENT span for each unary call, its context sent along; streams (watches) carry
    the current context without a span of their own."""

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        name = _method(client_call_details)
        with tracing.tracer().start_as_current_span(
            name, kind=SpanKind.CLIENT, attributes=_attributes(name), record_exception=False,
            set_status_on_exception=False,
        ) as span:
            call = await continuation(_with_context(client_call_details), request)
            _finish(span, await call.code())
            return call

    async def intercept_unary_stream(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        return await continuation(_with_context(client_call_details), request)
