"""The Files API's records: one row per uploaded file, its bytes in the blob
store under `uploads/{file_id}/`. A file is its owner's; every read and delete
names the owner, so another owner's file is simply not found."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import grpc
from sqlalchemy import Connection, and_, delete, insert, or_, select

from server.db import Database
from server.errors import ChunkdError, InvalidArgument
from server.models import FileRow

files = FileRow.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its types omit it

FILE_URL_SCHEME = "ch://files/"
METADATA_MAX_LENGTH = 64 * 1024


class FileNotFound(ChunkdError):
    code = grpc.StatusCode.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("File not found")


def file_prefix(file_id: str) -> str:
    return f"uploads/{file_id}"


def file_url(file_id: str) -> str:
    return f"{FILE_URL_SCHEME}{file_id}"


def file_id_of(value: str) -> str:
    """A file id, bare or as `ch://files/{id}`; anything else is refused before it reaches SQL."""
    text = value.removeprefix(FILE_URL_SCHEME)
    try:
        return str(uuid.UUID(text))
    except ValueError:
        if not value:
            raise InvalidArgument("file_id is required") from None
        raise InvalidArgument(f"Invalid file id: {value[:100]!r}") from None


def checked_metadata(text: str) -> str:
    """The caller's metadata: a JSON object (or nothing), kept as compact text."""
    if not text.strip():
        return "{}"
    if len(text) > METADATA_MAX_LENGTH:
        raise InvalidArgument(
            f"file_metadata is too long: {len(text):,} characters (the limit is {METADATA_MAX_LENGTH:,})"
        )
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidArgument("Invalid file_metadata: expected a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidArgument("Invalid file_metadata: expected a JSON object")
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if "\x00" in compact:
        raise InvalidArgument("file_metadata must not contain NUL characters")
    return compact


def encode_cursor(row: FileRow) -> str:
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.id}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, file_id = raw.split("|", 1)
        return datetime.fromisoformat(created), str(uuid.UUID(file_id))
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument("Invalid cursor") from None


@dataclass(frozen=True)
class FilePage:
    rows: list[FileRow]
    has_more: bool


class FileStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, row: FileRow) -> None:
        values = row.model_dump()

        def work(connection: Connection) -> None:
            connection.execute(insert(files).values(**values))

        await self.db.transaction(work)

    async def get(self, file_id: str, owner: str) -> FileRow:
        rows = await self.db.fetch(select(files).where(files.c.id == file_id, files.c.owner == owner))
        if not rows:
            raise FileNotFound()
        return FileRow.model_construct(**rows[0])

    async def page(self, owner: str, limit: int, after: tuple[datetime, str] | None) -> FilePage:
        statement = select(files).where(files.c.owner == owner)
        if after is not None:
            created, file_id = after
            statement = statement.where(
                or_(files.c.created_at < created, and_(files.c.created_at == created, files.c.id < file_id))
            )
        statement = statement.order_by(files.c.created_at.desc(), files.c.id.desc()).limit(limit + 1)
        rows = [FileRow.model_construct(**r) for r in await self.db.fetch(statement)]
        return FilePage(rows=rows[:limit], has_more=len(rows) > limit)

    async def delete(self, file_id: str, owner: str) -> FileRow:
        row = await self.get(file_id, owner)

        def work(connection: Connection) -> int:
            return connection.execute(delete(files).where(files.c.id == file_id, files.c.owner == owner)).rowcount

        if not await self.db.transaction(work):
            raise FileNotFound()
        return row
