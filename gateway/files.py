"""Downloads of task files through short-lived signed URLs.

The server signs `{public_url}/files/{key}?expires=..&signature=..` (HMAC over
key and expiry, server/blobs.py); the gateway checks the signature with the
same installation secret and streams the blob. A missing, tampered or expired
signature is 403; the key is never trusted as a path before it is verified.
"""

from __future__ import annotations

import mimetypes
import time

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from gateway.errors import GatewayError
from gateway.routes import text_response
from server.blobs import BlobKeyError, BlobStore, UrlSigner

router = APIRouter()


@router.get(
    "/files/{key:path}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        403: text_response("Invalid or expired signature"),
        404: text_response("File not found"),
    },
    summary="Download a task file through a signed URL",
    tags=["files"],
)
async def download(
    key: str,
    request: Request,
    expires: str | None = Query(None, description="Unix time the URL expires"),
    signature: str | None = Query(None, description="HMAC of key and expiry"),
) -> FileResponse:
    """A task's input file, page image, crop or PDF, through the signed URL a task gave
    (`expires` and `signature`); no API key needed until the URL expires."""
    signer: UrlSigner = request.app.state.signer
    if not expires or not expires.isdigit() or signature is None or not signer.verify(key, int(expires), signature):
        raise GatewayError(403, "Invalid or expired signature")
    blobs: BlobStore = request.app.state.blobs
    try:
        path = blobs.path(key)
    except BlobKeyError:
        raise GatewayError(404, "File not found") from None
    if not path.is_file():
        raise GatewayError(404, "File not found")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    max_age = max(0, int(expires) - int(time.time()))
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": f"private, max-age={max_age}"})
