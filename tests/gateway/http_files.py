"""A small real HTTP server on loopback that serves corpus files, for the URL
fetching tests: `/pdf/x.pdf` is the file, `/redirect?to=URL` answers 302,
`/slow` never finishes its body, `/stream/N` sends N bytes without a
Content-Length."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class FileServer:
    url: str  # http://127.0.0.1:PORT

    def __truediv__(self, path: str) -> str:
        return f"{self.url}/{path}"


def _handler(root: Path) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path in ("/redirect", "/redirect/"):
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif parts.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"%PDF-")
                self.wfile.flush()
                time.sleep(5)
            elif parts.path.startswith("/stream/"):
                size = int(parts.path.rsplit("/", 1)[1])
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                sent = 0
                while sent < size:
                    block = min(65536, size - sent)
                    self.wfile.write(b"x" * block)
                    sent += block
                self.close_connection = True
            else:
                super().do_GET()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A fetch that stops reading at its size cap resets the connection: expected here."""


@contextmanager
def serve_files(root: Path) -> Iterator[FileServer]:
    httpd = _QuietServer(("127.0.0.1", 0), _handler(root))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield FileServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
