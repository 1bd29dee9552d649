"""Create and update bodies → RPC requests.

Chunkr's SDK sends JSON: `file` (base64, a `data:` URL or an http(s) URL),
`file_name`, and the configuration keys at top level. curl users send
`multipart/form-data` (`-F file=@doc.pdf`). Both end as one CreateTaskRequest;
a URL is passed through for the server to fetch (with its SSRF guard), base64
is decoded here. The body size is capped while it is read (see BodyLimit).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chunkr import codec
from gateway.errors import GatewayError
from protos import tasks_pb2 as pb

_BASE64_CHARS = re.compile(rb"^[A-Za-z0-9+/\-_\s]*={0,2}\s*$")
_BODY_KEYS = frozenset({"file", "file_name"})
FILE_URL_SCHEME = "ch://files/"  # a file uploaded before through `POST /files`


def body_limit(max_file_size: int) -> int:
    """Largest body accepted: the file as base64 (4/3 of its size) plus room
    for the configuration and multipart framing."""
    return max_file_size * 4 // 3 + 1024 * 1024


class BodyTooLarge(GatewayError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large (limit {limit} bytes)")


class BodyLimit:
    """ASGI middleware: refuses a body over `limit` bytes, by its
    Content-Length up front or by counting as it streams in, so that an
    oversized upload is never read into memory whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _plain_text(send, 413, f"Request body too large (limit {self.limit} bytes)")
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counting_receive, send)


async def _plain_text(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def decode_file(value: str) -> bytes:
    """Base64 (standard or URL-safe, padding optional) or a base64 `data:` URL → bytes."""
    text = value
    if text.startswith("data:"):
        header, sep, text = text.partition(",")
        if not sep or not header.endswith(";base64"):
            raise GatewayError(400, "Invalid base64 data")
    raw = text.encode("ascii", errors="replace")
    if not _BASE64_CHARS.match(raw):
        raise GatewayError(400, "Invalid base64 data")
    compact = re.sub(rb"\s", b"", raw).replace(b"-", b"+").replace(b"_", b"/")
    try:
        data = base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError(400, "Invalid base64 data") from None
    if not data:
        raise GatewayError(400, "File is empty")
    return data


async def _json_object(request: Request) -> Mapping[str, Any]:
    body = await request.body()
    if not body.strip():
        raise GatewayError(400, "Request body is empty: expected a JSON object")
    try:
        obj = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GatewayError(400, f"Invalid JSON body: {exc}") from None
    except RecursionError:
        raise GatewayError(400, "Invalid JSON body: nested too deeply") from None
    if not isinstance(obj, dict):
        raise GatewayError(400, "Invalid JSON body: expected an object")
    return obj


def _configuration_keys(obj: Mapping[str, Any]) -> pb.Configuration:
    """Configuration keys at top level (as the SDK sends them) or, for
    convenience, nested under `configuration`."""
    nested = obj.get("configuration")
    flat = {k: v for k, v in obj.items() if k not in _BODY_KEYS and k != "configuration"}
    if nested is not None:
        if not isinstance(nested, dict):
            raise GatewayError(400, "Invalid configuration: expected an object")
        flat = {**nested, **flat}
    return codec.configuration_from_json(flat)


def _form_value(value: str) -> Any:
    """A form field: JSON when it parses (objects, numbers, booleans), else the text (enum strings)."""
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return value


def _file_name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise GatewayError(400, "Invalid file_name: expected a string")
    return value


async def create_request(request: Request, max_file_size: int) -> pb.CreateTaskRequest:
    """The body as one CreateTaskRequest. A file over `max_file_size` is
    refused here with the server's own words, since a multipart body may
    carry more than the gRPC channel is sized for."""
    message = await _create_request(request)
    if len(message.file) > max_file_size:
        raise GatewayError(413, f"File too large: {len(message.file)} bytes (limit {max_file_size})")
    return message


async def _create_request(request: Request) -> pb.CreateTaskRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _create_from_form(request)
    if content_type not in ("", "application/json") and not content_type.endswith("+json"):
        raise GatewayError(
            415, f"Unsupported content type: {content_type} (send application/json or multipart/form-data)"
        )
    obj = await _json_object(request)
    message = pb.CreateTaskRequest(file_name=_file_name(obj.get("file_name")), configuration=_configuration_keys(obj))
    file = obj.get("file")
    if file is None:
        raise GatewayError(400, "file is required")
    if not isinstance(file, str):
        raise GatewayError(400, "Invalid file: expected a string (base64, data: URL or http(s) URL)")
    if file.startswith(("http://", "https://")):
        message.url = file
    elif file.startswith(FILE_URL_SCHEME):
        message.file_id = file
    else:
        message.file = decode_file(file)
    return message


async def _create_from_form(request: Request) -> pb.CreateTaskRequest:
    form = await request.form()
    try:
        upload = form.get("file")
        fields: dict[str, Any] = {
            k: _form_value(v) for k, v in form.items() if isinstance(v, str) and k not in _BODY_KEYS
        }
        message = pb.CreateTaskRequest(configuration=_configuration_keys(fields))
        name = form.get("file_name")
        if isinstance(upload, UploadFile):
            message.file = await upload.read()
            message.file_name = name if isinstance(name, str) and name else (upload.filename or "")
        elif isinstance(upload, str) and upload:
            # `-F file=https://...` or base64 text in a form field.
            if upload.startswith(("http://", "https://")):
                message.url = upload
            elif upload.startswith(FILE_URL_SCHEME):
                message.file_id = upload
            else:
                message.file = decode_file(upload)
            message.file_name = name if isinstance(name, str) else ""
        else:
            raise GatewayError(400, "file is required")
        return message
    finally:
        await form.close()


async def configuration_body(request: Request) -> pb.Configuration:
    """The body of `PATCH /task/{id}/parse`: configuration keys only."""
    return _configuration_keys(await _json_object(request))
