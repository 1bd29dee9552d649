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

    # Public base URL of the gateway, used for task_url and signed file URLs.
    public_url: str = ""
    # HMAC key for signed file URLs; generated into data_dir when empty.
    secret_key: str = ""
    signed_url_ttl: int = Field(default=3600, ge=1)

    max_file_size: int = Field(default=100 * 1024 * 1024, ge=1)
    fetch_timeout: float = Field(default=30.0, gt=0)
    # Lets CreateTask fetch URLs on loopback, link-local and private networks.
    allow_private_urls: bool = False

    run_worker: bool = True
    worker_concurrency: int = Field(default=2, ge=1)
    worker_processes: int = Field(default=2, ge=1)
    lease_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)

    task_timeout: float = Field(default=1800.0, gt=0)
    # Server-wide default for tasks that set no expires_in; 0 = never.
    default_expires_in: int = Field(default=0, ge=0)
    sweep_seconds: float = Field(default=5.0, gt=0)
    events_poll_seconds: float = Field(default=0.2, gt=0)
    events_retention_seconds: float = Field(default=3600.0, gt=0)

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
