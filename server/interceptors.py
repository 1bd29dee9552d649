"""What chunkd's gRPC server interceptors (metrics, tracing, rate limits) share: each wraps a
method's behaviour, unary or server-streaming (chunkd serves no client streams), with what it
adds, knowing only the method's name. So the wrapping is done once per method, when the
server's handlers are registered (`WrappingServer`), and not by grpc.aio's interceptor chain
on every call, which cost each call two coroutines, a handler copy and the closures of every
interceptor. They still serve as grpc.aio interceptors where a bench wants one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc

Unary = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
Stream = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]


class WrappingInterceptor(grpc.aio.ServerInterceptor):
    """`wrap(handler, method)` returns what serves the method's calls."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None:
            return handler
        return self.wrap(handler, details.method)

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        raise NotImplementedError


def wrap_all(
    chain: Sequence[WrappingInterceptor], handler: grpc.RpcMethodHandler, method: str
) -> grpc.RpcMethodHandler:
    """`handler` as the chain would serve it: the first interceptor outermost, as in grpc.aio."""
    for interceptor in reversed(chain):
        handler = interceptor.wrap(handler, method)
    return handler


class _WrappedGeneric(grpc.GenericRpcHandler):
    def __init__(self, inner: grpc.GenericRpcHandler, chain: Sequence[WrappingInterceptor]) -> None:
        self._inner = inner
        self._chain = chain
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}  # the services' own methods only: a bounded set

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        found = self._wrapped.get(details.method)
        if found is None:
            handler = self._inner.service(details)
            if handler is None:  # a name no service has is not remembered
                return None
            found = self._wrapped[details.method] = wrap_all(self._chain, handler, details.method)
        return found


class WrappingServer:
    """A grpc.aio server as the generated `add_*Servicer_to_server` functions see it: each
    handler registered through it is wrapped by `chain` once, here."""

    def __init__(self, server: grpc.aio.Server, chain: Sequence[WrappingInterceptor]) -> None:
        self.server = server
        self._chain = tuple(chain)

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self.server.add_generic_rpc_handlers(tuple(_WrappedGeneric(handler, self._chain) for handler in handlers))

    def add_registered_method_handlers(self, service: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self.server.add_registered_method_handlers(
            service, {name: wrap_all(self._chain, handler, f"/{service}/{name}") for name, handler in handlers.items()}
        )


def wrapped(
    handler: grpc.RpcMethodHandler, unary: Callable[[Unary], Unary], stream: Callable[[Stream], Stream]
) -> grpc.RpcMethodHandler:
    """The handler with its behaviour passed through `unary` or `stream`, whichever it has."""
    if handler.unary_unary is not None:
        return handler._replace(unary_unary=unary(handler.unary_unary))
    if handler.unary_stream is not None:
        return handler._replace(unary_stream=stream(handler.unary_stream))
    return handler


def status_code(context: grpc.aio.ServicerContext, failed: BaseException | None) -> grpc.StatusCode:
    """How the call ended: the code it set, else OK, CANCELLED or UNKNOWN by what it raised."""
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    if failed is None:
        return grpc.StatusCode.OK
    return grpc.StatusCode.CANCELLED if isinstance(failed, asyncio.CancelledError) else grpc.StatusCode.UNKNOWN
