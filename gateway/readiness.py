"""`/ready`: whether this gateway should get traffic, as distinct from `/health`
(the process is alive). Ready means the gRPC service behind it answers its
health check SERVING, which it stops doing the moment a drain begins, and
while its database or blob store does not answer (server/readiness.py; the
reason comes in a trailer and is shown)."""

from __future__ import annotations

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from grpc_health.v1 import health_pb2

from server.readiness import REASON_TRAILER

router = APIRouter(include_in_schema=False)
CHECK_TIMEOUT = 3.0


@router.get("/ready", response_class=PlainTextResponse)
async def ready(request: Request) -> PlainTextResponse:
    try:
        call = request.app.state.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=CHECK_TIMEOUT)
        reply = await call
        trailers = await call.trailing_metadata()
    except grpc.RpcError:
        return PlainTextResponse("Not ready: the gRPC service does not answer", status_code=503)
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        reason = dict(trailers or ()).get(REASON_TRAILER)
        if isinstance(reason, bytes):
            reason = reason.decode(errors="replace")
        return PlainTextResponse(f"Not ready: {reason or 'the gRPC service is not serving'}", status_code=503)
    return PlainTextResponse("OK")
