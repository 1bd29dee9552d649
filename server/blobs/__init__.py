"""Files of a task — input, converted PDF, output, page and segment images —
under `tasks/{task_id}/...`, in a local directory (one machine, the default) or
in an S3-compatible object store (CHUNKD_BLOB_URL=s3://bucket/prefix), and the
URLs that hand them out."""

from __future__ import annotations

from pathlib import Path

from server.blobs.base import BlobKeyError, Blobs, check_key, task_prefix
from server.blobs.local import BlobStore
from server.blobs.urls import UrlSigner, load_secret

__all__ = ["BlobKeyError", "BlobStore", "Blobs", "UrlSigner", "check_key", "load_secret", "open_blobs", "task_prefix"]


def open_blobs(blob_url: str, blobs_dir: Path, s3_endpoint_url: str = "") -> Blobs:
    """The store CHUNKD_BLOB_URL names: empty for the local directory, s3://bucket/prefix for S3."""
    if not blob_url:
        return BlobStore(blobs_dir)
    if blob_url.startswith("s3://"):
        from server.blobs.s3 import S3Blobs

        return S3Blobs(blob_url, s3_endpoint_url)
    raise ValueError(f"CHUNKD_BLOB_URL must be empty (the local directory) or s3://bucket/prefix, not {blob_url!r}")
