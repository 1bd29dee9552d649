"""Files of a task — input, converted PDF, output, page and segment images —
under `tasks/{task_id}/...`, and the signed URLs that hand them out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import os
import shutil
import time
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode


class BlobKeyError(ValueError):
    pass


def task_prefix(task_id: str) -> str:
    return f"tasks/{task_id}"


class BlobStore:
    """A local directory. Writes go to a temporary name first, so a reader
    never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or any(p in ("..", ".", "") for p in parts):
            raise BlobKeyError(f"Invalid blob key: {key!r}")
        return self.root.joinpath(*parts)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def put_file(self, key: str, source: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)

    def get_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except BlobKeyError:
            return False

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.path(prefix), ignore_errors=True)

    def data_url(self, key: str) -> str:
        mime = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(self.get_bytes(key)).decode()}"


class UrlSigner:
    """Short-lived HMAC-signed URLs for blobs, served by the gateway at
    `{public_url}/files/{key}?expires=...&signature=...`."""

    def __init__(self, secret: bytes, public_url: str, ttl: int) -> None:
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.ttl = ttl

    def _signature(self, key: str, expires: int) -> str:
        mac = hmac.new(self.secret, f"{key}\n{expires}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")

    def sign(self, key: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self.ttl)
        query = urlencode({"expires": expires, "signature": self._signature(key, expires)})
        return f"{self.public_url}/files/{quote(key)}?{query}"

    def verify(self, key: str, expires: int, signature: str, now: float | None = None) -> bool:
        if expires < (now if now is not None else time.time()):
            return False
        return hmac.compare_digest(self._signature(key, expires), signature)


def load_secret(configured: str, data_dir: Path) -> bytes:
    """The configured key, or one generated once and kept in the data directory
    so that the server and the gateway of one installation agree."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret.{os.getpid()}")
        tmp.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
        try:
            os.link(tmp, path)  # first writer wins, atomically
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode()
