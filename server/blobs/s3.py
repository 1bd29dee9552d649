"""Blobs in an S3-compatible object store (AWS S3, MinIO, R2, Ceph RGW) through
obstore (the `[s3]` extra). Credentials and region come from the usual AWS_*
variables; CHUNKD_S3_ENDPOINT_URL names a store other than AWS (path-style
requests). Files are handed out as the store's own presigned GET URLs."""

from __future__ import annotations

import base64
import mimetypes
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from server.blobs.base import check_key

if TYPE_CHECKING:
    from obstore.store import ClientConfig, RetryConfig, S3Config

CHUNK = 8 * 1024 * 1024  # bytes streamed at a time, up and down
PROBE_SECONDS = 1


class S3Unavailable(RuntimeError):
    pass


def _obstore() -> Any:
    try:
        import obstore
        from obstore.store import S3Store  # noqa: F401
    except ImportError:
        raise S3Unavailable(
            "CHUNKD_BLOB_URL=s3://... needs the S3 client: pip install 'chunkd[s3]' (obstore)"
        ) from None
    return obstore


class S3Blobs:
    local = False

    def __init__(self, blob_url: str, endpoint_url: str = "") -> None:
        parsed = urlsplit(blob_url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"CHUNKD_BLOB_URL must look like s3://bucket/prefix, not {blob_url!r}")
        self.obstore = _obstore()
        from obstore.store import S3Store

        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        config: S3Config = {}
        client: ClientConfig = {}
        if endpoint_url:
            config["endpoint"] = endpoint_url
            config["virtual_hosted_style_request"] = False
            client["allow_http"] = endpoint_url.startswith("http://")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            config["region"] = region
        self.store = S3Store(self.bucket, config=config, client_options=client)
        # Readiness asks once and at once: no retries, short timeouts (the store above retries for minutes).
        quick: ClientConfig = {
            **client, "timeout": timedelta(seconds=PROBE_SECONDS), "connect_timeout": timedelta(seconds=1)
        }
        no_retries: RetryConfig = {"max_retries": 0, "retry_timeout": timedelta(seconds=PROBE_SECONDS)}
        self._probe = S3Store(self.bucket, config=config, client_options=quick, retry_config=no_retries)

    def _path(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_bytes(self, key: str, data: bytes) -> None:
        self.obstore.put(self.store, self._path(key), data)

    def put_file(self, key: str, source: Path) -> None:
        self.obstore.put(self.store, self._path(key), source, chunk_size=CHUNK)

    def get_bytes(self, key: str) -> bytes:
        return bytes(self.obstore.get(self.store, self._path(key)).bytes())

    def local_copy(self, key: str, directory: Path) -> Path:
        target = directory / "input" / check_key(key)[-1]
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for chunk in self.obstore.get(self.store, self._path(key)).stream(min_chunk_size=CHUNK):
                out.write(chunk)
        return target

    def check(self) -> None:
        """A HEAD of a key nobody writes: "not found" is an answer from the bucket."""
        try:
            self.obstore.head(self._probe, self._path("readiness-probe"))
        except FileNotFoundError:
            return
        except Exception as exc:  # obstore's errors for refused connections, timeouts, a missing bucket
            raise ConnectionError(f"{type(exc).__name__}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.obstore.head(self.store, self._path(key))
        except FileNotFoundError:
            return False
        return True

    def delete_prefix(self, prefix: str) -> None:
        for batch in self.obstore.list(self.store, self._path(prefix) + "/", chunk_size=1000):
            paths = [meta["path"] for meta in batch]
            if paths:
                self.obstore.delete(self.store, paths)

    def data_url(self, key: str) -> str:
        mime = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(self.get_bytes(key)).decode()}"

    def url(self, key: str, ttl: int) -> str | None:
        return str(self.obstore.sign(self.store, "GET", self._path(key), timedelta(seconds=ttl)))
