"""What every blob store offers, and the keys of a task's files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Protocol


class BlobKeyError(ValueError):
    pass


def task_prefix(task_id: str) -> str:
    return f"tasks/{task_id}"


def check_key(key: str) -> tuple[str, ...]:
    """The parts of a relative key without `.`/`..`: a key never escapes its store."""
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise BlobKeyError(f"Invalid blob key: {key!r}")
    return parts


class Blobs(Protocol):
    """Blocking calls: the event loop runs them in a thread (`local` ones may be
    run inline when small: a local write costs microseconds, a remote one a round trip)."""

    local: bool

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def put_file(self, key: str, source: Path) -> None:
        """Streams the file; a large one is never read into memory whole."""

    def get_bytes(self, key: str) -> bytes: ...

    def local_copy(self, key: str, directory: Path) -> Path:
        """A path to the blob's content on this machine: the blob itself where it is a
        local file, else a copy streamed into `directory`."""
        ...

    def exists(self, key: str) -> bool: ...

    def check(self) -> None:
        """Raises OSError when the store cannot be reached or written to (readiness).
        Quick: no retries."""

    def delete_prefix(self, prefix: str) -> None:
        """Every object under `prefix/`."""

    def data_url(self, key: str) -> str: ...

    def url(self, key: str, ttl: int) -> str | None:
        """The store's own URL for a GET of the key, valid `ttl` seconds; None where the
        gateway hands files out (signed by server/blobs/urls.py)."""
        ...
