"""API keys: stored as SHA-256 hashes, sent in the `authorization` metadata as
`Bearer KEY` or as the bare key (Chunkr's SDK sends the bare key)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence

from sqlalchemy import Connection, RowMapping, insert, select, update

from server.db import Database
from server.errors import Unauthenticated
from server.models import ApiKey, utcnow

KEY_PREFIX = "ck_"
INSECURE_OWNER = "anonymous"
CACHE_SECONDS = 30.0

api_keys = ApiKey.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it


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
        self._cache: dict[str, tuple[str, float]] = {}

    async def create(self, owner: str, name: str | None = None) -> str:
        if not owner.strip():
            raise ValueError("owner must not be empty")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        statement = insert(api_keys).values(
            owner=owner, name=name or owner, key_hash=hash_key(key), created_at=utcnow(), revoked=False
        )

        def work(connection: Connection) -> None:
            connection.execute(statement)

        await self.db.transaction(work)
        return key

    async def list(self) -> Sequence[RowMapping]:
        """Every key's id, owner, name, creation time and whether it is revoked; never the key."""
        columns = (api_keys.c.id, api_keys.c.owner, api_keys.c.name, api_keys.c.created_at, api_keys.c.revoked)
        return await self.db.fetch(select(*columns).order_by(api_keys.c.id))

    async def revoke(self, key_id: int) -> bool:
        """False when no key has that id. Replicas stop accepting it within CACHE_SECONDS."""

        def work(connection: Connection) -> int:
            return connection.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked=True)).rowcount

        return bool(await self.db.transaction(work))

    async def owner(self, key: str | None) -> str:
        if not key:
            if self.insecure:
                return INSECURE_OWNER
            raise Unauthenticated("Missing API key: send it in the authorization header")
        digest = hash_key(key)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        found = await self.db.fetch(
            select(api_keys.c.owner).where(api_keys.c.key_hash == digest, api_keys.c.revoked.is_(False))
        )
        if not found:
            raise Unauthenticated("Invalid API key")
        owner = str(found[0]["owner"])
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (owner, now + CACHE_SECONDS)
        return owner
