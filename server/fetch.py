"""Fetching a document from a URL for CreateTask, safely.

A URL given by a caller is fetched by the server, so it must not become a way
into the server's own network (SSRF): every hop — the first request and each
redirect — is resolved here, refused if any address is loopback, private,
link-local, multicast or reserved (unless `allow_private_urls`), and then
connected to *by the checked address*, so a second DNS answer cannot swap in
another one. The body is streamed and abandoned past `max_file_size`, and the
whole fetch is bounded by `fetch_timeout`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

import httpx

from server.config import Settings
from server.errors import InvalidArgument, ResourceExhausted

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchedFile:
    data: bytes
    file_name: str  # the last segment of the URL's path; "" when it has none


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _any_address(address: IPAddress) -> bool:
    return True


def file_name_of(url: httpx.URL) -> str:
    path = unquote(url.path)
    return "" if path.endswith("/") else PurePosixPath(path).name


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidArgument(f"Could not fetch URL: cannot resolve host {host!r}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def _checked_address(url: httpx.URL, allowed: AddressPolicy) -> IPAddress:
    if url.scheme not in ("http", "https"):
        raise InvalidArgument(f"Could not fetch URL: only http and https are supported, not {url.scheme or 'none'!r}")
    if not url.host:
        raise InvalidArgument("Could not fetch URL: it has no host")
    addresses = await _resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
    refused = [a for a in addresses if not allowed(a)]
    if refused or not addresses:
        raise InvalidArgument(
            f"Could not fetch URL: {url.host} resolves to a loopback, private or reserved address ({refused[0]})"
            if refused
            else f"Could not fetch URL: no address for {url.host}"
        )
    return addresses[0]


def _pinned_request(client: httpx.AsyncClient, url: httpx.URL, address: IPAddress) -> httpx.Request:
    """A request sent to `address` while Host and TLS (SNI and certificate
    checks) still use the URL's host name."""
    request = client.build_request("GET", url.copy_with(host=str(address)), headers={"Host": url.netloc.decode()})
    if url.scheme == "https" and url.host != str(address):
        request.extensions["sni_hostname"] = url.host
    return request


async def _download(url: str, max_size: int, allowed: AddressPolicy) -> FetchedFile:
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise InvalidArgument("Could not fetch URL: invalid URL") from None
    name = file_name_of(current)
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            address = await _checked_address(current, allowed)
            request = _pinned_request(client, current, address)
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    current = current.join(response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise InvalidArgument(f"Could not fetch URL: HTTP {response.status_code}")
                data = await _capped_body(response, max_size)
            finally:
                await response.aclose()
            return FetchedFile(data=data, file_name=name or file_name_of(current))
    raise InvalidArgument(f"Could not fetch URL: more than {MAX_REDIRECTS} redirects")


async def _capped_body(response: httpx.Response, max_size: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_size:
        raise ResourceExhausted(f"File too large: {int(declared)} bytes (limit {max_size})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_size:
            raise ResourceExhausted(f"File too large: more than {max_size} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_url(url: str, settings: Settings, *, allowed: AddressPolicy | None = None) -> FetchedFile:
    """The bytes at `url` and a file name taken from its path. `allowed`
    overrides which addresses may be contacted (default: public ones only, or
    any with `settings.allow_private_urls`)."""
    policy = allowed or (_any_address if settings.allow_private_urls else is_public)
    try:
        async with asyncio.timeout(settings.fetch_timeout):
            return await _download(url, settings.max_file_size, policy)
    except TimeoutError:
        raise InvalidArgument(f"Could not fetch URL: timed out after {settings.fetch_timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise InvalidArgument(f"Could not fetch URL: {type(exc).__name__}") from None
