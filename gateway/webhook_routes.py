"""Chunkr 2.x's Webhook paths, each one WebhookService RPC."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from chunkr import codec
from gateway.errors import GatewayError
from gateway.routes import ERRORS, Json, route, text_response
from gateway.rpc import caller
from protos import tasks_pb2_grpc
from protos import tasks_pb2 as pb

router = APIRouter(tags=["webhooks"])

WEBHOOK_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The webhook endpoint",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookInfo"}}},
    }
}
WEBHOOK_ERRORS = {**ERRORS, 404: text_response("Webhook not found (unknown, deleted, or another owner's)")}
CREATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateWebhookBody"}}},
    }
}


def webhook_stub(request: Request) -> tasks_pb2_grpc.WebhookServiceStub:
    stub: tasks_pb2_grpc.WebhookServiceStub = request.app.state.webhook_stub
    return stub


async def _create_request(request: Request) -> pb.CreateWebhookRequest:
    body = await request.body()
    if not body.strip():
        raise GatewayError(400, "Request body is empty: expected a JSON object")
    try:
        obj = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise GatewayError(400, "Invalid JSON body") from None
    if not isinstance(obj, dict):
        raise GatewayError(400, "Invalid JSON body: expected an object")
    url = obj.get("url")
    if not isinstance(url, str) or not url:
        raise GatewayError(400, "url is required")
    types = obj.get("event_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise GatewayError(400, "Invalid event_types: expected an array of strings")
    return pb.CreateWebhookRequest(url=url, event_types=types)


@route(
    "CreateWebhook",
    on=router,
    responses={**WEBHOOK_RESPONSE, **WEBHOOK_ERRORS},
    openapi_extra=CREATE_BODY,
    summary="Register a webhook",
)
async def create_webhook(request: Request) -> Json:
    """Messages to it are signed per Standard Webhooks with the returned `secret`."""
    who = caller(request)
    message = await _create_request(request)
    webhook = await webhook_stub(request).CreateWebhook(message, metadata=who.metadata)
    return Json(codec.message_to_json(webhook))


@route(
    "ListWebhooks",
    on=router,
    responses={200: {"description": "The caller's webhooks"}, **WEBHOOK_ERRORS},
    summary="List webhooks",
)
async def list_webhooks(request: Request) -> Json:
    reply = await webhook_stub(request).ListWebhooks(pb.ListWebhooksRequest(), metadata=caller(request).metadata)
    return Json(codec.message_to_json(reply))


@route("GetWebhook", on=router, responses={**WEBHOOK_RESPONSE, **WEBHOOK_ERRORS}, summary="Get a webhook")
async def get_webhook(webhook_id: str, request: Request) -> Json:
    webhook = await webhook_stub(request).GetWebhook(
        pb.GetWebhookRequest(webhook_id=webhook_id), metadata=caller(request).metadata
    )
    return Json(codec.message_to_json(webhook))


@route(
    "DeleteWebhook",
    on=router,
    responses={200: {"description": "Deleted"}, **WEBHOOK_ERRORS},
    summary="Delete a webhook",
)
async def delete_webhook(webhook_id: str, request: Request) -> Json:
    await webhook_stub(request).DeleteWebhook(
        pb.DeleteWebhookRequest(webhook_id=webhook_id), metadata=caller(request).metadata
    )
    return Json({"webhook_id": webhook_id, "deleted": True})
