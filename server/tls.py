"""TLS from settings: server credentials for the gRPC port, an SSL context for
the gateway, and the gateway's own channel credentials towards gRPC."""

from __future__ import annotations

import ssl

import grpc

from server.config import Settings


def enabled(settings: Settings) -> bool:
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise ValueError("CHUNKD_TLS_CERT and CHUNKD_TLS_KEY go together: set both or neither")
    if settings.tls_client_ca is not None and settings.tls_cert is None:
        raise ValueError("CHUNKD_TLS_CLIENT_CA (mTLS) needs CHUNKD_TLS_CERT and CHUNKD_TLS_KEY")
    return settings.tls_cert is not None


def grpc_server_credentials(settings: Settings) -> grpc.ServerCredentials:
    assert settings.tls_cert is not None and settings.tls_key is not None
    pair = (settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())
    client_ca = settings.tls_client_ca.read_bytes() if settings.tls_client_ca else None
    return grpc.ssl_server_credentials([pair], root_certificates=client_ca, require_client_auth=client_ca is not None)


def http_ssl_options(settings: Settings) -> dict[str, object]:
    """uvicorn.Config keywords for HTTPS (and client certificates when a client CA is set)."""
    if not enabled(settings):
        return {}
    options: dict[str, object] = {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}
    if settings.tls_client_ca is not None:
        options["ssl_ca_certs"] = str(settings.tls_client_ca)
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    return options


def grpc_channel_credentials(settings: Settings) -> grpc.ChannelCredentials | None:
    """What the gateway presents to the gRPC port; None = plaintext."""
    if settings.grpc_ca is None and settings.grpc_client_cert is None:
        return None
    return grpc.ssl_channel_credentials(
        root_certificates=settings.grpc_ca.read_bytes() if settings.grpc_ca else None,
        private_key=settings.grpc_client_key.read_bytes() if settings.grpc_client_key else None,
        certificate_chain=settings.grpc_client_cert.read_bytes() if settings.grpc_client_cert else None,
    )
