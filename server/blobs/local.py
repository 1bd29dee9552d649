"""Blobs in a local directory: one machine, the default. The gateway hands them
out through signed URLs (server/blobs/urls.py)."""

from __future__ import annotations

import base64
import mimetypes
import os
import shutil
from pathlib import Path

from server.blobs.base import BlobKeyError, check_key


class BlobStore:
    """A local directory. Writes go to a temporary name first, so a reader
    never sees half a file."""

    local = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key))

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

    def local_copy(self, key: str, directory: Path) -> Path:
        return self.path(key)

    def check(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root} is not a directory")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"{self.root} is not writable")

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

    def url(self, key: str, ttl: int) -> str | None:
        return None
