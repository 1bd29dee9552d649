"""Sweeper: the clock-driven transitions. Requeues tasks whose worker stopped
heartbeating, fails tasks past task_timeout, deletes expired tasks with their
files, trims the events outbox, deletes delivered webhook messages past their
retention and, hourly, the daily page counts of past days. Safe to run in every
replica: each change is a compare-and-set, so two sweepers never apply one twice."""

from __future__ import annotations

import asyncio
import logging
import time

from server.blobs import Blobs, task_prefix
from server.config import Settings
from server.store import TaskStore
from server.usage import prune as prune_usage
from server.webhooks import WebhookStore

log = logging.getLogger(__name__)
USAGE_PRUNE_SECONDS = 3600.0


class Sweeper:
    def __init__(self, settings: Settings, store: TaskStore, blobs: Blobs, webhooks: WebhookStore) -> None:
        self.settings = settings
        self.store = store
        self.blobs = blobs
        self._usage_pruned_at: float | None = None
        self.webhooks = webhooks

    async def sweep_once(self) -> None:
        requeued = await self.store.requeue_lost(self.settings.max_attempts)
        timed_out = await self.store.time_out()
        expired = await self.store.delete_expired()
        for task in expired:
            await asyncio.to_thread(self.blobs.delete_prefix, task_prefix(task.id))
        await self.store.prune_events(self.settings.events_retention_seconds)
        now = time.monotonic()
        if self._usage_pruned_at is None or now - self._usage_pruned_at >= USAGE_PRUNE_SECONDS:
            await self.store.db.transaction(prune_usage)
            self._usage_pruned_at = now
        pruned = await self.webhooks.prune_delivered(self.settings.webhook_retention_seconds)
        if pruned:
            log.info("swept: %d delivered webhook messages past their retention", pruned)
        if requeued or timed_out or expired:
            log.info("swept: %d requeued, %d timed out, %d expired", len(requeued), len(timed_out), len(expired))

    async def run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.exception("sweep failed")
            await asyncio.sleep(self.settings.sweep_seconds)
