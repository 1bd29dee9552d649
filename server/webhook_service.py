"""WebhookService: one method per RPC, as thin as TaskService's."""

from __future__ import annotations

import json
import uuid

import grpc

from protos import tasks_pb2_grpc
from protos import tasks_pb2 as pb
from server.auth import KeyRing, key_from_metadata
from server.config import Settings
from server.errors import InvalidArgument
from server.models import WebhookRow, utcnow
from server.rows import message_from_row
from server.service import rpc
from server.webhooks import (
    WebhookStore,
    checked_url,
    event_types_of,
    new_secret,
    webhook_id_of,
)


class WebhookService(tasks_pb2_grpc.WebhookServiceServicer):
    def __init__(self, settings: Settings, webhooks: WebhookStore, keys: KeyRing) -> None:
        self.settings = settings
        self.webhooks = webhooks
        self.keys = keys

    async def _owner(self, context: grpc.aio.ServicerContext) -> str:
        return await self.keys.owner(key_from_metadata(context.invocation_metadata()))

    @staticmethod
    def present(row: WebhookRow) -> pb.Webhook:
        return message_from_row(pb.Webhook, row, webhook_id=row.id, event_types=json.loads(row.event_types))

    @rpc
    async def CreateWebhook(self, request: pb.CreateWebhookRequest, context: grpc.aio.ServicerContext) -> pb.Webhook:
        owner = await self._owner(context)
        if not request.url:
            raise InvalidArgument("url is required")
        url = await checked_url(request.url, self.settings)
        row = WebhookRow.model_construct(
            id=str(uuid.uuid4()),
            owner=owner,
            url=url,
            event_types=json.dumps(event_types_of(request.event_types)),
            secret=new_secret(),
            created_at=utcnow(),
        )
        await self.webhooks.create(row)
        return self.present(row)

    @rpc
    async def GetWebhook(self, request: pb.GetWebhookRequest, context: grpc.aio.ServicerContext) -> pb.Webhook:
        owner = await self._owner(context)
        return self.present(await self.webhooks.get(webhook_id_of(request.webhook_id), owner))

    @rpc
    async def ListWebhooks(
        self, request: pb.ListWebhooksRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListWebhooksResponse:
        owner = await self._owner(context)
        return pb.ListWebhooksResponse(webhooks=[self.present(row) for row in await self.webhooks.list(owner)])

    @rpc
    async def DeleteWebhook(
        self, request: pb.DeleteWebhookRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteWebhookResponse:
        owner = await self._owner(context)
        await self.webhooks.delete(webhook_id_of(request.webhook_id), owner)
        return pb.DeleteWebhookResponse()
