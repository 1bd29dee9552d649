"""Test instrumentation: which calls actually leave the client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


class CallCounter(grpc.UnaryUnaryClientInterceptor):
    """Counts the calls that leave the client, by method name."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.ClientCallDetails, Any], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Any,
    ) -> Any:
        self.calls.append(client_call_details.method.rsplit("/", 1)[-1])
        return continuation(client_call_details, request)
