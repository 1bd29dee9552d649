"""Requests per second per API key: a token bucket for each key, checked by a
gRPC interceptor before the call runs. A key over its rate gets
RESOURCE_EXHAUSTED with a `retry-after` trailer (seconds), which the gateway
answers as 429 with `Retry-After`. Buckets live in each replica's memory."""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from server.auth import key_from_metadata

MAX_BUCKETS = 100_000  # least recently seen keys are forgotten past this (a forgotten key starts full)


class Buckets:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst or max(1, math.ceil(rate)))
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()  # key digest → (tokens, at)

    def take(self, key: str, now: float | None = None) -> float:
        """0 when the call may go ahead; else the seconds until it may."""
        now = time.monotonic() if now is None else now
        digest = hashlib.sha256(key.encode()).digest()  # the key itself is never kept
        tokens, at = self._buckets.pop(digest, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[digest] = (tokens, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


class RateLimitInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, buckets: Buckets, service: str) -> None:
        self.buckets = buckets
        self.prefix = f"/{service}/"  # health checks and reflection are never limited

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(self.prefix):
            return handler
        wait = self.buckets.take(key_from_metadata(details.invocation_metadata) or "")
        if wait <= 0:
            return handler
        message = "Rate limit exceeded for this API key"
        trailer = (("retry-after", retry_after(wait)),)
        if handler.unary_unary is not None:

            async def refuse(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, message, trailing_metadata=trailer)

            return handler._replace(unary_unary=refuse)
        if handler.unary_stream is not None:

            async def refuse_stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, message, trailing_metadata=trailer)
                yield  # pragma: no cover  makes this a generator

            return handler._replace(unary_stream=refuse_stream)
        return handler
