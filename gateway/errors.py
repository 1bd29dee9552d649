"""Errors as Chunkr answers them: a status code and a plain-text body.

The one table from gRPC status codes to HTTP statuses lives here; the routes
never pick a status for a failed RPC themselves. Whatever the gateway did not
expect becomes 500 "Internal server error" with the trace in our log only.
"""

from __future__ import annotations

import logging

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from chunkr.codec import InvalidChunkrJson

log = logging.getLogger("chunkd.gateway")

INTERNAL_MESSAGE = "Internal server error"
UNAVAILABLE_MESSAGE = "Service unavailable"

HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,  # 413 when the message says something is too large
    grpc.StatusCode.UNAVAILABLE: 503,
}
# Codes whose gRPC details are meant for the caller; the rest may carry internals.
_CALLER_FACING = frozenset(HTTP_STATUS) - {grpc.StatusCode.UNAVAILABLE}


class GatewayError(Exception):
    """A request the gateway refuses before any RPC (bad query, bad body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def http_status(code: grpc.StatusCode, details: str) -> int:
    status = HTTP_STATUS.get(code, 500)
    lowered = details.lower()
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED and ("too large" in lowered or "larger than" in lowered):
        return 413
    return status


def rpc_error(error: grpc.RpcError) -> tuple[int, str]:
    """A failed RPC → (HTTP status, text for the caller)."""
    code: grpc.StatusCode = error.code()
    details: str = error.details() or ""
    status = http_status(code, details)
    if code not in _CALLER_FACING:
        log.warning("RPC failed: %s %s", code, details)
        details = UNAVAILABLE_MESSAGE if code == grpc.StatusCode.UNAVAILABLE else INTERNAL_MESSAGE
    return status, details or INTERNAL_MESSAGE


def _retry_after(error: grpc.RpcError) -> dict[str, str] | None:
    """A rate-limited call's `retry-after` trailer, as the HTTP header."""
    trailers = getattr(error, "trailing_metadata", None)
    for name, value in (trailers() if callable(trailers) else None) or ():
        if name == "retry-after":
            return {"Retry-After": value if isinstance(value, str) else value.decode()}
    return None


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "header")]
        name = ".".join(location) or "request"
        parts.append(f"Invalid {name}: {error.get('msg', 'invalid value')}")
    return "; ".join(parts) or "Invalid request"


def install(app: FastAPI) -> None:
    """Every error the app can raise, answered as plain text."""

    @app.exception_handler(grpc.RpcError)
    async def on_rpc_error(request: Request, exc: grpc.RpcError) -> PlainTextResponse:
        status, text = rpc_error(exc)
        return PlainTextResponse(text, status_code=status, headers=_retry_after(exc))

    @app.exception_handler(GatewayError)
    async def on_gateway_error(request: Request, exc: GatewayError) -> PlainTextResponse:
        return PlainTextResponse(exc.message, status_code=exc.status)

    @app.exception_handler(InvalidChunkrJson)
    async def on_invalid_chunkr_json(request: Request, exc: InvalidChunkrJson) -> PlainTextResponse:
        # The codec refused a body while decoding it; the message names the field.
        return PlainTextResponse(exc.message, status_code=HTTP_STATUS[grpc.StatusCode.INVALID_ARGUMENT])

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> PlainTextResponse:
        return PlainTextResponse(_validation_message(exc), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> PlainTextResponse:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> PlainTextResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return PlainTextResponse(INTERNAL_MESSAGE, status_code=500)
