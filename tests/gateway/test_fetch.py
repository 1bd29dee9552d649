"""server/fetch.py against a real HTTP server on loopback."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from server.config import Settings
from server.errors import InvalidArgument, ResourceExhausted
from server.fetch import fetch_url, is_public
from tests.gateway.conftest import PDF
from tests.gateway.http_files import FileServer


def settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(data_dir=tmp_path, **overrides)  # type: ignore[arg-type]


async def test_fetches_the_bytes_and_takes_the_name_from_the_url(tmp_path: Path, files: FileServer) -> None:
    fetched = await fetch_url(files / "pdf/multi_page.pdf", settings(tmp_path, allow_private_urls=True))
    assert fetched.data == PDF.read_bytes()
    assert fetched.file_name == "multi_page.pdf"


async def test_a_url_without_a_path_name_gives_an_empty_name(tmp_path: Path, files: FileServer) -> None:
    fetched = await fetch_url(files / "pdf/", settings(tmp_path, allow_private_urls=True))
    assert fetched.file_name == "" and b"multi_page.pdf" in fetched.data  # the directory listing


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.pdf",
        "http://localhost:9/x.pdf",
        "http://[::1]:9/x.pdf",
        "http://10.1.2.3/x.pdf",
        "http://192.168.0.1/x.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/x.pdf",
        "http://0.0.0.0:9/x.pdf",
    ],
)
async def test_refuses_local_and_private_addresses_by_default(tmp_path: Path, url: str) -> None:
    with pytest.raises(InvalidArgument, match="loopback, private or reserved"):
        await fetch_url(url, settings(tmp_path))


async def test_refuses_a_redirect_to_a_refused_address(tmp_path: Path, files: FileServer) -> None:
    # Only the file server's own address is allowed: the first hop passes, the redirect's target does not.
    def only_loopback_1(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return address == ipaddress.ip_address("127.0.0.1")

    url = files / "redirect?to=http://127.0.0.2:1/secret"
    with pytest.raises(InvalidArgument, match=r"127\.0\.0\.2"):
        await fetch_url(url, settings(tmp_path), allowed=only_loopback_1)


async def test_follows_an_allowed_redirect_and_names_the_file_after_the_given_url(
    tmp_path: Path, files: FileServer
) -> None:
    url = files / f"redirect?to={files / 'pdf/multi_page.pdf'}"
    fetched = await fetch_url(url, settings(tmp_path, allow_private_urls=True))
    assert fetched.data == PDF.read_bytes()
    assert fetched.file_name == "redirect"


async def test_a_redirect_from_a_url_without_a_name_takes_the_name_of_the_target(
    tmp_path: Path, files: FileServer
) -> None:
    fetched = await fetch_url(files / f"redirect/?to={files / 'pdf/multi_page.pdf'}", settings(tmp_path, allow_private_urls=True))
    assert fetched.file_name == "multi_page.pdf"


@pytest.mark.parametrize("url", ["ftp://example.com/x.pdf", "file:///etc/passwd", "not a url", "http:///nohost"])
async def test_refuses_other_schemes_and_broken_urls(tmp_path: Path, url: str) -> None:
    with pytest.raises(InvalidArgument, match="Could not fetch URL"):
        await fetch_url(url, settings(tmp_path))


async def test_stops_reading_past_the_size_cap_with_content_length(tmp_path: Path, files: FileServer) -> None:
    with pytest.raises(ResourceExhausted, match="File too large"):
        await fetch_url(files / "pdf/multi_page.pdf", settings(tmp_path, allow_private_urls=True, max_file_size=1000))


async def test_stops_reading_past_the_size_cap_without_content_length(tmp_path: Path, files: FileServer) -> None:
    with pytest.raises(ResourceExhausted, match="File too large"):
        await fetch_url(files / "stream/5000000", settings(tmp_path, allow_private_urls=True, max_file_size=100_000))


async def test_gives_up_after_the_timeout(tmp_path: Path, files: FileServer) -> None:
    with pytest.raises(InvalidArgument, match="timed out"):
        await fetch_url(files / "slow", settings(tmp_path, allow_private_urls=True, fetch_timeout=0.5))


async def test_an_http_error_is_reported_with_its_status(tmp_path: Path, files: FileServer) -> None:
    with pytest.raises(InvalidArgument, match="HTTP 404"):
        await fetch_url(files / "pdf/missing.pdf", settings(tmp_path, allow_private_urls=True))


def test_public_addresses_are_public_and_the_rest_are_not() -> None:
    assert is_public(ipaddress.ip_address("8.8.8.8"))
    assert is_public(ipaddress.ip_address("2606:4700:4700::1111"))
    for text in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "100.64.0.1", "169.254.1.1", "224.0.0.1", "::1", "fe80::1", "fd00::1"):
        assert not is_public(ipaddress.ip_address(text)), text
