"""Requests per second per API key: a token bucket for each key, checked by a
gRPC interceptor before the call runs. A key over its rate gets
RESOURCE_EXHAUSTED with a `retry-after` trailer (seconds), which the gateway
answers as 429 with `Retry-After`. Buckets live in each replica's memory."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import grpc

from server.auth import KeyRing, key_from_metadata
from server.interceptors import Stream, Unary, WrappingInterceptor, wrapped

log = logging.getLogger(__name__)
MAX_BUCKETS = 100_000  # least recently seen keys are forgotten past this (a forgotten key starts full)


class Buckets:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst or max(1, math.ceil(rate)))
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()  # key digest → (tokens, at)

    def take(self, key: str, now: float | None = None, rate: float | None = None, burst: float | None = None) -> float:
        """0 when the call may go ahead; else the seconds until it may. `rate` and
        `burst` are a key's own, when it has them."""
        rate = self.rate if rate is None else rate
        burst = self.burst if burst is None else burst
        now = time.monotonic() if now is None else now
        digest = hashlib.sha256(key.encode()).digest()  # the key itself is never kept
        tokens, at = self._buckets.pop(digest, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rate
        self._buckets[digest] = (tokens, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


class RateLimitInterceptor(WrappingInterceptor):
    """A key's own rate (`chunkd keys create --rps`) comes before the settings' one;
    unknown keys get the settings' rate (and then UNAUTHENTICATED from the call)."""

    def __init__(self, buckets: Buckets, service: str, keys: KeyRing | None = None) -> None:
        self.buckets = buckets
        self.keys = keys
        self.prefix = f"/{service}/"  # health checks and reflection are never limited

    async def _wait(self, key: str) -> float:
        caller = None
        if self.keys is not None and key:
            try:
                caller = await self.keys.lookup(key)
            except Exception:  # the database: the call itself reports it, as INTERNAL without details
                log.debug("looking up a key's rate failed", exc_info=True)
        own = caller.limits.rate_limit_rps if caller is not None else None
        if own is None:
            return self.buckets.take(key) if self.buckets.rate > 0 else 0.0
        if own <= 0:
            return 0.0
        return self.buckets.take(key, rate=own, burst=float(max(1, math.ceil(own))))

    def wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        if not method.startswith(self.prefix):
            return handler
        return wrapped(handler, self._unary, self._stream)

    async def _admit(self, context: grpc.aio.ServicerContext) -> None:
        """Refuses the call (RESOURCE_EXHAUSTED, `retry-after`) when its key is over its rate."""
        wait = await self._wait(key_from_metadata(context.invocation_metadata()) or "")
        if wait > 0:
            await context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "Rate limit exceeded for this API key",
                trailing_metadata=(("retry-after", retry_after(wait)),),
            )

    def _unary(self, behaviour: Unary) -> Unary:
        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            await self._admit(context)
            return await behaviour(request, context)

        return call

    def _stream(self, behaviour: Stream) -> Stream:
        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            await self._admit(context)
            async for item in behaviour(request, context):
                yield item

        return call
