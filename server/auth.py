"""API keys: stored as SHA-256 hashes, sent in the `authorization` metadata as
`Bearer KEY` or as the bare key (Chunkr's SDK sends the bare key)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, select, update

from server.db import Database
from server.errors import Unauthenticated
from server.models import ApiKey, utcnow

KEY_PREFIX = "ck_"
INSECURE_OWNER = "anonymous"
CACHE_SECONDS = 30.0

api_keys = ApiKey.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it


@dataclass(frozen=True)
class KeyLimits:
    """A key's own limits as stored: None = the settings' default, 0 = no limit."""

    rate_limit_rps: float | None = None
    pages_per_day: int | None = None
    max_running_tasks: int | None = None


@dataclass(frozen=True)
class Caller:
    """Who a key belongs to and what it may do."""

    owner: str
    limits: KeyLimits


ANONYMOUS = Caller(INSECURE_OWNER, KeyLimits())


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_from_metadata(metadata: Sequence[tuple[str, str | bytes]] | None) -> str | None:
    for name, value in metadata or ():
        if name.lower() == "authorization":
            text = value.decode() if isinstance(value, bytes) else value
            text = text.strip()
            scheme, _, rest = text.partition(" ")
            return rest.strip() if scheme.lower() == "bearer" and rest else text
    return None


class KeyRing:
    """Resolves keys to owners, with a short cache so that a hot GetTask does
    not hit the database for its key on every call; a revoked key stops
    working within CACHE_SECONDS."""

    def __init__(self, db: Database, insecure: bool = False) -> None:
        self.db = db
        self.insecure = insecure
        self._cache: dict[str, tuple[Caller, float]] = {}

    async def create(self, owner: str, name: str | None = None, limits: KeyLimits = KeyLimits()) -> str:
        if not owner.strip():
            raise ValueError("owner must not be empty")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        statement = insert(api_keys).values(
            owner=owner,
            name=name or owner,
            key_hash=hash_key(key),
            created_at=utcnow(),
            revoked=False,
            rate_limit_rps=limits.rate_limit_rps,
            pages_per_day=limits.pages_per_day,
            max_running_tasks=limits.max_running_tasks,
        )

        def work(connection: Connection) -> None:
            connection.execute(statement)

        await self.db.transaction(work)
        return key

    async def list(self) -> Sequence[RowMapping]:
        """Every key's id, owner, name, creation time, state and own limits; never the key."""
        columns = (
            api_keys.c.id,
            api_keys.c.owner,
            api_keys.c.name,
            api_keys.c.created_at,
            api_keys.c.revoked,
            api_keys.c.rate_limit_rps,
            api_keys.c.pages_per_day,
            api_keys.c.max_running_tasks,
        )
        return await self.db.fetch(select(*columns).order_by(api_keys.c.id))

    async def revoke(self, key_id: int) -> bool:
        """False when no key has that id. Replicas stop accepting it within CACHE_SECONDS."""

        def work(connection: Connection) -> int:
            return connection.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked=True)).rowcount

        return bool(await self.db.transaction(work))

    async def owner(self, key: str | None) -> str:
        return (await self.caller(key)).owner

    async def caller(self, key: str | None) -> Caller:
        if not key:
            if self.insecure:
                return ANONYMOUS
            raise Unauthenticated("Missing API key: send it in the authorization header")
        found = await self.lookup(key)
        if found is None:
            raise Unauthenticated("Invalid API key")
        return found

    async def lookup(self, key: str) -> Caller | None:
        """The key's owner and limits, None for an unknown or revoked key; cached
        for CACHE_SECONDS, so limits changed in the database apply within that."""
        digest = hash_key(key)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        found = await self.db.fetch(
            select(
                api_keys.c.owner, api_keys.c.rate_limit_rps, api_keys.c.pages_per_day, api_keys.c.max_running_tasks
            ).where(api_keys.c.key_hash == digest, api_keys.c.revoked.is_(False))
        )
        if not found:
            return None
        row = found[0]
        caller = Caller(
            owner=str(row["owner"]),
            limits=KeyLimits(row["rate_limit_rps"], row["pages_per_day"], row["max_running_tasks"]),
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (caller, now + CACHE_SECONDS)
        return caller
