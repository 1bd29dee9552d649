"""Chunkr 2.x's Files paths, each one FileService RPC: upload once, then
create any number of tasks with `"file": "ch://files/{file_id}"`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from chunkr import codec
from gateway.errors import GatewayError
from gateway.routes import ERRORS, Json, route, text_response
from gateway.rpc import caller
from protos import tasks_pb2_grpc
from protos import tasks_pb2 as pb

router = APIRouter(tags=["files"])

FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's record",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FileInfo"}}},
    }
}
FILE_ERRORS = {**ERRORS, 404: text_response("File not found (unknown, deleted, or another owner's)")}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/UploadFileForm"}}},
    }
}


def file_stub(request: Request) -> tasks_pb2_grpc.FileServiceStub:
    stub: tasks_pb2_grpc.FileServiceStub = request.app.state.file_stub
    return stub


@route(
    "UploadFile",
    on=router,
    responses={**FILE_RESPONSE, **FILE_ERRORS},
    openapi_extra=UPLOAD_BODY,
    summary="Upload a file",
)
async def upload_file(request: Request) -> Json:
    """multipart/form-data: `file` and, optionally, `file_metadata` (a JSON object as a string)."""
    who = caller(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise GatewayError(415, "Unsupported content type: send multipart/form-data with a `file` part")
    form = await request.form()
    try:
        upload = form.get("file")
        metadata = form.get("file_metadata")
        if not isinstance(upload, UploadFile):
            raise GatewayError(400, "file is required")
        if metadata is not None and not isinstance(metadata, str):
            raise GatewayError(400, "Invalid file_metadata: expected a JSON object as a string")
        data = await upload.read()
        limit = request.app.state.settings.max_file_size
        if len(data) > limit:
            raise GatewayError(413, f"File too large: {len(data)} bytes (limit {limit})")
        message = pb.UploadFileRequest(file=data, file_name=upload.filename or "", metadata=metadata or "")
    finally:
        await form.close()
    return Json(codec.message_to_json(await file_stub(request).UploadFile(message, metadata=who.metadata)))


@route(
    "ListFiles",
    on=router,
    responses={200: {"description": "A page of files, newest first"}, **FILE_ERRORS},
    summary="List files",
)
async def list_files(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="Files per page")] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Json:
    reply = await file_stub(request).ListFiles(
        pb.ListFilesRequest(limit=limit, cursor=cursor or ""), metadata=caller(request).metadata
    )
    return Json(codec.message_to_json(reply))


@route("GetFile", on=router, responses={**FILE_RESPONSE, **FILE_ERRORS}, summary="Get a file's record")
async def get_file(file_id: str, request: Request) -> Json:
    file = await file_stub(request).GetFile(pb.GetFileRequest(file_id=file_id), metadata=caller(request).metadata)
    return Json(codec.message_to_json(file))


@route(
    "GetFileContent",
    on=router,
    response_class=Response,
    responses={200: {"description": "The file's bytes", "content": {"application/octet-stream": {}}}, **FILE_ERRORS},
    summary="Download a file",
)
async def get_file_content(file_id: str, request: Request) -> Response:
    reply = await file_stub(request).GetFileContent(
        pb.GetFileContentRequest(file_id=file_id), metadata=caller(request).metadata
    )
    disposition = f"attachment; filename*=UTF-8''{quote(reply.file_name)}"
    return Response(
        reply.content,
        media_type=reply.content_type or "application/octet-stream",
        headers={"Content-Disposition": disposition},
    )


@route(
    "GetFileUrl",
    on=router,
    responses={200: {"description": "A signed download URL and when it expires"}, **FILE_ERRORS},
    summary="A short-lived download URL for a file",
)
async def get_file_url(file_id: str, request: Request) -> Json:
    who = caller(request)
    reply = await file_stub(request).GetFileUrl(pb.GetFileUrlRequest(file_id=file_id), metadata=who.metadata)
    return Json(codec.message_to_json(reply, who.file_url))


@route("DeleteFile", on=router, responses={200: {"description": "Deleted"}, **FILE_ERRORS}, summary="Delete a file")
async def delete_file(file_id: str, request: Request) -> Json:
    await file_stub(request).DeleteFile(pb.DeleteFileRequest(file_id=file_id), metadata=caller(request).metadata)
    return Json({"file_id": file_id, "deleted": True})
