"""Short-lived HMAC-signed URLs for files the gateway serves from a local blob
directory, and the key that signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from pathlib import Path
from urllib.parse import quote, urlencode


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
