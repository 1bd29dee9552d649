"""The gateway's side of the gRPC connection: one channel per app, the caller's
key passed through, and the URLs in replies pointed at the caller's base URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import grpc
from fastapi import Request

from gateway.errors import GatewayError
from protos import MAX_MESSAGE_BYTES, tasks_pb2_grpc
from server import tls, tracing
from server.config import Settings

Metadata = tuple[tuple[str, str], ...]


def open_channel(settings: Settings) -> grpc.aio.Channel:
    """Replies with chunks and base64 URLs can be large, and so can files sent up."""
    options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", settings.max_file_size + 1024 * 1024),
    ]
    interceptors: list[grpc.aio.ClientInterceptor] | None = None
    if tracing.enabled():
        from server.trace_grpc import ClientInterceptor

        interceptors = [ClientInterceptor()]
    credentials = tls.grpc_channel_credentials(settings)
    if credentials is not None:
        return grpc.aio.secure_channel(settings.grpc_address, credentials, options=options, interceptors=interceptors)
    return grpc.aio.insecure_channel(settings.grpc_address, options=options, interceptors=interceptors)


@dataclass(frozen=True)
class Caller:
    """What each route needs from the request: the key to forward as
    `authorization` metadata, and the base URL the caller reached us at."""

    metadata: Metadata
    base_url: str
    rewrite_files: bool

    def task_url(self, task_id: str, spelling: str = "task") -> str:
        """The task's URL on the path of the API generation that answered (`task` or `tasks`)."""
        return f"{self.base_url}/api/v1/{spelling}/{task_id}"

    def file_url(self, url: str) -> str:
        """A signed URL the server made from its default public URL, moved to
        the base the caller used (the signature covers the key and expiry, not
        the host). An operator-set public URL and data: URLs stay as they are."""
        if not self.rewrite_files or not url.startswith(("http://", "https://")):
            return url
        parts = urlsplit(url)
        if not parts.path.startswith("/files/"):
            return url
        return f"{self.base_url}{parts.path}?{parts.query}"


MISSING_KEY = "Missing API key: send it in the authorization header"


def caller(request: Request) -> Caller:
    """Called first by every route, before the body is read: a request without
    a key is 401 whatever its body (the server checks the key itself)."""
    authorization = request.headers.get("authorization")
    settings: Settings = request.app.state.settings
    if not (authorization or "").strip() and not settings.insecure:
        raise GatewayError(401, MISSING_KEY)
    return Caller(
        metadata=(("authorization", authorization),) if authorization else (),
        base_url=str(request.base_url).rstrip("/"),
        rewrite_files=not settings.public_url,
    )


def stub(request: Request) -> tasks_pb2_grpc.TaskServiceStub:
    task_stub: tasks_pb2_grpc.TaskServiceStub = request.app.state.stub
    return task_stub
