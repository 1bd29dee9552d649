"""The one settings object: every knob of chunkd, read from CHUNKD_* variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHUNKD_", env_file=".env", extra="ignore")

    log_level: str = "INFO"
    grpc_address: str = "127.0.0.1:50051"
    http_address: str = "127.0.0.1:8000"
    data_dir: Path = Path("data")
    # Empty means SQLite in data_dir; postgresql+asyncpg://... past one machine.
    database_url: str = ""

    # Anonymous access, for local experiments only: every caller is one owner.
    insecure: bool = False

    # Where task files live: empty = data_dir/blobs (one machine); s3://bucket/prefix = an S3-compatible
    # store (the `[s3]` extra; credentials and region from AWS_* variables), shared by every replica.
    blob_url: str = Field(default="", pattern=r"^(s3://[a-z0-9][a-z0-9.-]{1,62}(/.*)?)?$")
    # The S3 API's address for a store other than AWS (MinIO, R2, Ceph RGW), e.g. http://minio:9000.
    s3_endpoint_url: str = ""

    # Public base URL of the gateway, used for task_url and signed file URLs.
    public_url: str = ""
    # HMAC key for signed file URLs; generated into data_dir when empty.
    secret_key: str = ""
    signed_url_ttl: int = Field(default=3600, ge=1)

    max_file_size: int = Field(default=100 * 1024 * 1024, ge=1)
    fetch_timeout: float = Field(default=30.0, gt=0)
    # Lets CreateTask fetch URLs on loopback, link-local and private networks.
    allow_private_urls: bool = False
    # Browser origins allowed to call the gateway (CORS), comma-separated; "*" for any. Empty = none.
    cors_origins: str = ""

    # Processes of `chunkd serve` answering the API on the same gRPC and HTTP ports (SO_REUSEPORT):
    # the kernel spreads connections over them. The worker, sweeper and webhook sender run in the first.
    api_processes: int = Field(default=1, ge=1, le=64)
    run_worker: bool = True
    worker_concurrency: int = Field(default=2, ge=1)
    worker_processes: int = Field(default=2, ge=1)
    lease_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    # On PostgreSQL workers are woken by NOTIFY (off behind a pooler that drops LISTEN, e.g. pgbouncer
    # in transaction mode); queue_fallback_seconds is then the slower poll that covers a missed one.
    queue_notify: bool = True
    queue_fallback_seconds: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    # Names this worker's directory under data_dir/work; empty = a fresh id per start.
    worker_id: str = Field(default="", pattern=r"^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})?$")

    # What one document may cost (server/pipeline/limits.py); over a limit its task fails.
    max_pages: int = Field(default=5000, ge=1)
    max_unpacked_bytes: int = Field(default=1024 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(default=200_000_000, ge=1)
    # Seconds a pipeline process may go without finishing a page before it is killed.
    page_timeout: float = Field(default=600.0, gt=0)
    # Address space of one pipeline process (RLIMIT_AS), in bytes; 0 = unlimited. OCR peaks near 1.5 GiB.
    max_process_memory: int = Field(default=8 * 1024 * 1024 * 1024, ge=0)

    task_timeout: float = Field(default=1800.0, gt=0)
    # Server-wide default for tasks that set no expires_in; 0 = never.
    default_expires_in: int = Field(default=0, ge=0)
    sweep_seconds: float = Field(default=5.0, gt=0)
    events_poll_seconds: float = Field(default=0.2, gt=0)
    events_retention_seconds: float = Field(default=3600.0, gt=0)

    # Operations (docs/operations.md). host:port of the Prometheus port of serve/worker; empty = none.
    metrics_address: str = ""
    metrics_refresh_seconds: float = Field(default=5.0, gt=0)
    # "text" (the default, for a terminal) or "json": one object per line for a log pipeline.
    log_format: str = Field(default="text", pattern=r"^(text|json)$")
    # On SIGTERM: how long in-flight calls and running tasks get before they are cut off and handed back.
    drain_seconds: float = Field(default=20.0, ge=0)
    # PEM files. A certificate and key turn TLS on for the gRPC port and the gateway;
    # a client CA also requires and checks client certificates (mTLS).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    # The CA the gateway trusts for its own gRPC calls, and its client pair for mTLS.
    grpc_ca: Path | None = None
    grpc_client_cert: Path | None = None
    grpc_client_key: Path | None = None
    # Calls per second per API key on the gRPC port (and so the gateway); 0 = no limit.
    rate_limit_rps: float = Field(default=0.0, ge=0)
    # Calls a key may make at once after a quiet spell; 0 = the rate rounded up.
    rate_limit_burst: int = Field(default=0, ge=0)
    # Quotas per API key (checked against its owner's tasks; a key's own values override these):
    # tasks Starting or Processing at once, and pages processed per UTC day. 0 = no limit.
    max_running_tasks: int = Field(default=0, ge=0)
    pages_per_day: int = Field(default=0, ge=0)
    # Webhook delivery (server/webhooks.py): each attempt's timeout, the first retry's delay
    # (doubling, with jitter, up to an hour), and how long a message is retried before it is given up.
    webhook_timeout: float = Field(default=15.0, gt=0)
    webhook_retry_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_window: float = Field(default=24 * 3600.0, gt=0)
    # Seconds a delivered (or given-up) message is kept before the sweeper deletes it; undelivered
    # ones are kept until they are. Longer than task_timeout: an endpoint is sent a task's status
    # once, and the kept message is how a repeat of the same status is recognised.
    webhook_retention_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)
    # OTLP gRPC collector for OpenTelemetry traces (the `[otel]` extra), e.g. http://otel-collector:4317;
    # http:// is plaintext, https:// TLS. Empty = no tracing (server/tracing.py).
    otel_endpoint: str = ""

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'chunkd.db').resolve()}"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
