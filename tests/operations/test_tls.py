"""TLS on the gRPC port and the gateway from CHUNKD_TLS_CERT/KEY, and mTLS with
CHUNKD_TLS_CLIENT_CA: real servers, certificates made in the test. A client
that trusts the CA connects (the library, chunkctl, HTTPS); a plaintext one
and, under mTLS, one without a client certificate are refused."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from client import TaskClient
from client.errors import ChunkdError as ClientError
from tests.harness import ROOT, RunningServer, start_server
from tests.operations.certificates import Authority, Pair

HEALTH = "/grpc.health.v1.Health/Check"
LOADED_MACHINE_SECONDS = 60.0


def trusting(authority: Authority, client: Pair | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(authority.ca))
    if client is not None:
        context.load_cert_chain(str(client.cert), str(client.key))
    return context


def refused(channel: grpc.Channel) -> bool:
    """Whether no RPC gets through on `channel`."""
    try:
        grpc.channel_ready_future(channel).result(timeout=3)
    except grpc.FutureTimeoutError:
        return True
    return False


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def tls_server(authority: Authority, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Pair]]:
    pair = authority.issue("server", "localhost", server=True)
    env = {
        "CHUNKD_TLS_CERT": str(pair.cert),
        "CHUNKD_TLS_KEY": str(pair.key),
        "CHUNKD_GRPC_CA": str(authority.ca),  # the gateway's own calls to the gRPC port
    }
    credentials = grpc.ssl_channel_credentials(authority.ca.read_bytes())
    server = start_server(tmp_path_factory.mktemp("tls"), env, credentials=credentials)
    yield server, pair
    server.stop()


def test_tls_a_client_trusting_the_ca_connects_and_a_plaintext_one_is_refused(
    tls_server: tuple[RunningServer, Pair], authority: Authority
) -> None:
    server, _ = tls_server
    with TaskClient(server.grpc_address, server.api_key, root_certificates=authority.ca.read_bytes()) as client:
        assert list(client.list()) == []
    with grpc.insecure_channel(server.grpc_address) as plain:
        assert refused(plain)
    with grpc.secure_channel(server.grpc_address, grpc.ssl_channel_credentials()) as untrusted:  # system roots only
        assert refused(untrusted)


def test_tls_chunkctl_accepts_the_ca(tls_server: tuple[RunningServer, Pair], authority: Authority) -> None:
    server, _ = tls_server
    common = [sys.executable, "-m", "client.cli", "--address", server.grpc_address, "--api-key", server.api_key]
    trusted = subprocess.run(
        [*common, "--ca-cert", str(authority.ca), "list", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert trusted.returncode == 0, trusted.stderr
    untrusted = subprocess.run(
        [*common, "--no-tls", "list"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert untrusted.returncode != 0


def test_tls_the_gateway_answers_https_to_a_client_trusting_the_ca(
    tls_server: tuple[RunningServer, Pair], authority: Authority
) -> None:
    server, _ = tls_server
    url = f"https://127.0.0.1:{server.http_port}"
    reply = httpx.get(f"{url}/api/v1/tasks", headers={"Authorization": server.api_key}, verify=trusting(authority))
    assert reply.status_code == 200, reply.text  # through the gateway's own TLS channel to gRPC
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{server.http_port}/health", timeout=5)


def test_mtls_a_client_with_a_certificate_from_the_ca_connects_and_one_without_is_refused(
    authority: Authority, tmp_path: Path
) -> None:
    pair = authority.issue("mtls-server", "localhost", server=True)
    gateway = authority.issue("gateway", "chunkd gateway", server=False)
    alice = authority.issue("alice", "alice", server=False)
    env = {
        "CHUNKD_TLS_CERT": str(pair.cert),
        "CHUNKD_TLS_KEY": str(pair.key),
        "CHUNKD_TLS_CLIENT_CA": str(authority.ca),
        "CHUNKD_GRPC_CA": str(authority.ca),
        "CHUNKD_GRPC_CLIENT_CERT": str(gateway.cert),
        "CHUNKD_GRPC_CLIENT_KEY": str(gateway.key),
    }
    ca = authority.ca.read_bytes()
    cert, key = alice.read()
    credentials = grpc.ssl_channel_credentials(ca, private_key=key, certificate_chain=cert)
    server = start_server(tmp_path / "mtls", env, "--no-worker", credentials=credentials)
    # Generous deadlines: on a loaded machine a refusal must come from the handshake, never from
    # a timeout that happens to raise the same exception, and a slow success must not time out.
    try:
        with TaskClient(server.grpc_address, server.api_key, root_certificates=ca, client_certificate=(cert, key)) as c:
            assert list(c.list(timeout=LOADED_MACHINE_SECONDS)) == []
        with (
            TaskClient(server.grpc_address, server.api_key, root_certificates=ca) as anonymous,
            pytest.raises(ClientError) as turned_away,
        ):
            list(anonymous.list(timeout=LOADED_MACHINE_SECONDS))
        assert turned_away.value.code == grpc.StatusCode.UNAVAILABLE  # the handshake failed, not a deadline
        url = f"https://127.0.0.1:{server.http_port}/api/v1/tasks"
        with httpx.Client(verify=trusting(authority, alice), timeout=LOADED_MACHINE_SECONDS) as https:
            reply = https.get(url, headers={"Authorization": server.api_key})
            assert reply.status_code == 200, reply.text
            assert json.loads(reply.text) is not None
        with (
            httpx.Client(verify=trusting(authority), timeout=LOADED_MACHINE_SECONDS) as no_cert,
            pytest.raises(httpx.TransportError) as refused_https,
        ):
            no_cert.get(url, headers={"Authorization": server.api_key})
        assert not isinstance(refused_https.value, httpx.TimeoutException), refused_https.value
    finally:
        server.stop()
