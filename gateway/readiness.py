"""`/ready`: whether this gateway should get traffic, as distinct from `/health`
(the process is alive). Ready means the gRPC service behind it answers its
health check SERVING, which it stops doing the moment a drain begins."""

from __future__ import annotations

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from grpc_health.v1 import health_pb2

router = APIRouter(include_in_schema=False)
CHECK_TIMEOUT = 2.0


@router.get("/ready", response_class=PlainTextResponse)
async def ready(request: Request) -> PlainTextResponse:
    try:
        reply = await request.app.state.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=CHECK_TIMEOUT)
    except grpc.RpcError:
        return PlainTextResponse("Not ready: the gRPC service does not answer", status_code=503)
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return PlainTextResponse("Not ready: the gRPC service is not serving", status_code=503)
    return PlainTextResponse("OK")
