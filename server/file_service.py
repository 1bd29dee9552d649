"""FileService: one method per RPC, as thin as TaskService's."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import grpc

from chunkr import codec
from protos import tasks_pb2_grpc
from protos import tasks_pb2 as pb
from server.auth import KeyRing, key_from_metadata
from server.blobs import Blobs, UrlSigner
from server.config import Settings
from server.errors import InvalidArgument, ResourceExhausted
from server.files import (
    FileNotFound,
    FileStore,
    checked_metadata,
    decode_cursor,
    encode_cursor,
    file_id_of,
    file_prefix,
    file_url,
)
from server.models import FILE_NAME_MAX_LENGTH, FileRow, utcnow
from server.pipeline import detect
from server.rows import message_from_row
from server.service import base_name, checked_text, rpc, safe_file_name

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_CURSOR_LENGTH = 200


class FileService(tasks_pb2_grpc.FileServiceServicer):
    def __init__(self, settings: Settings, files: FileStore, keys: KeyRing, blobs: Blobs, signer: UrlSigner) -> None:
        self.settings = settings
        self.files = files
        self.keys = keys
        self.blobs = blobs
        self.signer = signer

    async def _owner(self, context: grpc.aio.ServicerContext) -> str:
        return await self.keys.owner(key_from_metadata(context.invocation_metadata()))

    @staticmethod
    def present(row: FileRow) -> pb.File:
        return message_from_row(pb.File, row, file_id=row.id, metadata=row.metadata_json, url=file_url(row.id))

    @rpc
    async def UploadFile(self, request: pb.UploadFileRequest, context: grpc.aio.ServicerContext) -> pb.File:
        owner = await self._owner(context)
        file_name = checked_text("file_name", base_name(request.file_name), FILE_NAME_MAX_LENGTH) or "file"
        metadata = checked_metadata(request.metadata)
        data = request.file
        if not data:
            raise InvalidArgument("File is empty")
        if len(data) > self.settings.max_file_size:
            raise ResourceExhausted(f"File too large: {len(data)} bytes (limit {self.settings.max_file_size})")
        file_id = str(uuid.uuid4())
        key = f"{file_prefix(file_id)}/{safe_file_name(file_name)}"
        await asyncio.to_thread(self.blobs.put_bytes, key, data)
        row = FileRow.model_construct(
            id=file_id,
            owner=owner,
            file_name=file_name,
            content_type=detect.sniff(data),
            file_size=len(data),
            metadata_json=metadata,
            blob_key=key,
            created_at=utcnow(),
        )
        try:
            await self.files.create(row)
        except BaseException:
            await asyncio.to_thread(self.blobs.delete_prefix, file_prefix(file_id))
            raise
        return self.present(row)

    @rpc
    async def GetFile(self, request: pb.GetFileRequest, context: grpc.aio.ServicerContext) -> pb.File:
        owner = await self._owner(context)
        return self.present(await self.files.get(file_id_of(request.file_id), owner))

    @rpc
    async def ListFiles(self, request: pb.ListFilesRequest, context: grpc.aio.ServicerContext) -> pb.ListFilesResponse:
        owner = await self._owner(context)
        if not 0 <= request.limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"Limit must be between 1 and {MAX_PAGE_SIZE}")
        cursor = checked_text("cursor", request.cursor, MAX_CURSOR_LENGTH)
        after = decode_cursor(cursor) if cursor else None
        page = await self.files.page(owner, request.limit or DEFAULT_PAGE_SIZE, after)
        return pb.ListFilesResponse(
            files=[self.present(row) for row in page.rows],
            has_more=page.has_more,
            next_cursor=encode_cursor(page.rows[-1]) if page.has_more else "",
        )

    @rpc
    async def GetFileContent(
        self, request: pb.GetFileContentRequest, context: grpc.aio.ServicerContext
    ) -> pb.FileContent:
        owner = await self._owner(context)
        row = await self.files.get(file_id_of(request.file_id), owner)
        try:
            content = await asyncio.to_thread(self.blobs.get_bytes, row.blob_key)
        except FileNotFoundError:
            raise FileNotFound() from None
        return pb.FileContent(content=content, content_type=row.content_type, file_name=row.file_name)

    @rpc
    async def GetFileUrl(self, request: pb.GetFileUrlRequest, context: grpc.aio.ServicerContext) -> pb.FileUrl:
        owner = await self._owner(context)
        row = await self.files.get(file_id_of(request.file_id), owner)
        url = self.signer.sign(row.blob_key)
        expires = datetime.fromtimestamp(int(datetime.now(UTC).timestamp()) + self.signer.ttl, UTC)
        return pb.FileUrl(url=url, expires_at=codec.timestamp(expires))

    @rpc
    async def DeleteFile(
        self, request: pb.DeleteFileRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteFileResponse:
        owner = await self._owner(context)
        row = await self.files.delete(file_id_of(request.file_id), owner)
        await asyncio.to_thread(self.blobs.delete_prefix, file_prefix(row.id))
        return pb.DeleteFileResponse()
