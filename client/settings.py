"""Where the client connects and as whom: arguments first, then
CHUNKD_ADDRESS / CHUNKD_API_KEY / CHUNKD_TLS / CHUNKD_CA_CERT, so the same
code runs against a laptop and production without edits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import grpc.aio

from client.retry import RetryPolicy
from protos import MAX_MESSAGE_BYTES

DEFAULT_ADDRESS = "127.0.0.1:50051"

TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Deadlines:
    """Per-attempt deadlines in seconds (a retried call gets a fresh one).
    Uploads get longer than reads because a 100 MB file on a slow link takes a
    while; a watch has none unless its caller gives a timeout."""

    read: float = 30.0
    write: float = 30.0
    create: float = 300.0


@dataclass(frozen=True)
class Settings:
    address: str = DEFAULT_ADDRESS
    api_key: str | None = None
    tls: bool = False
    root_certificates: bytes | None = None  # PEM; None = the system's roots
    client_certificate: tuple[bytes, bytes] | None = None  # (certificate chain, private key) PEM, for mTLS
    deadlines: Deadlines = field(default_factory=Deadlines)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def resolve(
        cls,
        address: str | None = None,
        api_key: str | None = None,
        *,
        tls: bool | None = None,
        root_certificates: bytes | None = None,
        client_certificate: tuple[bytes, bytes] | None = None,
        deadlines: Deadlines | None = None,
        retry: RetryPolicy | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """Arguments win over the environment; the environment over defaults."""
        env = os.environ if environ is None else environ
        ca_path = env.get("CHUNKD_CA_CERT")
        if root_certificates is None and ca_path:
            root_certificates = Path(ca_path).read_bytes()
        cert_path, key_path = env.get("CHUNKD_CLIENT_CERT"), env.get("CHUNKD_CLIENT_KEY")
        if client_certificate is None and cert_path and key_path:
            client_certificate = (Path(cert_path).read_bytes(), Path(key_path).read_bytes())
        if tls is None:
            tls = (
                env.get("CHUNKD_TLS", "").strip().lower() in TRUE
                or root_certificates is not None
                or client_certificate is not None
            )
        return cls(
            address=address or env.get("CHUNKD_ADDRESS") or DEFAULT_ADDRESS,
            api_key=api_key or env.get("CHUNKD_API_KEY") or None,
            tls=tls,
            root_certificates=root_certificates,
            client_certificate=client_certificate,
            deadlines=deadlines or Deadlines(),
            retry=retry or RetryPolicy(),
        )

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.api_key}"),) if self.api_key else ()

    @property
    def channel_options(self) -> list[tuple[str, int]]:
        """Large messages both ways, and a short reconnect backoff so that a
        restarted server is found again in seconds rather than gRPC's default
        of up to two minutes."""
        return [
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 2000),
        ]

    def credentials(self) -> grpc.ChannelCredentials:
        chain, key = self.client_certificate or (None, None)
        return grpc.ssl_channel_credentials(
            root_certificates=self.root_certificates, private_key=key, certificate_chain=chain
        )

    def channel(self) -> grpc.Channel:
        if self.tls:
            return grpc.secure_channel(self.address, self.credentials(), options=self.channel_options)
        return grpc.insecure_channel(self.address, options=self.channel_options)

    def aio_channel(self) -> grpc.aio.Channel:
        if self.tls:
            return grpc.aio.secure_channel(self.address, self.credentials(), options=self.channel_options)
        return grpc.aio.insecure_channel(self.address, options=self.channel_options)
