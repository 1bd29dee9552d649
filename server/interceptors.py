"""What chunkd's gRPC server interceptors (metrics, tracing, rate limits) share: find the
call's handler, and wrap its behaviour, unary or server-streaming (chunkd serves no client
streams), with what the interceptor adds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

Unary = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
Stream = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]


class WrappingInterceptor(grpc.aio.ServerInterceptor):
    """Calls its `wrap` with each handler that exists; what `wrap` returns serves the call."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None:
            return handler
        return await self.wrap(handler, details)

    async def wrap(self, handler: grpc.RpcMethodHandler, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        raise NotImplementedError


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
