"""The HTTP layer: a standard-library `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive.

Only the standard library is used on purpose: if `aiohttp` were importable, google-genai would
silently switch its async transport to it. Every answer carries `Content-Length`. Nothing is
logged here (a request line may hold an API key in its query).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from langchain_gemini_batch.testing.emulator._api import GeminiApi
from langchain_gemini_batch.testing.emulator._state import HttpRequest

__all__ = ["EmulatorHttpServer"]

_IDLE_TIMEOUT_SECONDS = 300
_logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scaffolding on HTTPServer2"
    sys_version = ""
    timeout = _IDLE_TIMEOUT_SECONDS
    disable_nagle_algorithm = True  # headers and body are two writes: avoid 40 ms ACK stalls
    server: EmulatorHttpServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, opened=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, opened=False)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
        url = urlsplit(self.path)
        host = self.headers.get("Host") or self.server.authority
        request = HttpRequest(
            method=self.command,
            path=unquote(url.path),
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            public_base=f"http://{host}",
        )
        reply = self.server.api.handle(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Logs nothing: the request line may carry an API key."""


class EmulatorHttpServer(ThreadingHTTPServer):
    """A threading HTTP/1.1 server bound to `host:port` that hands requests to a `GeminiApi`.

    Args:
        host: Interface to bind (IPv6 addresses work too).
        port: Port, `0` for a free one.
        api: The dispatcher.
    """

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # listen backlog; the default 5 resets bursts of async clients

    def __init__(self, host: str, port: int, api: GeminiApi) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.api = api
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def authority(self) -> str:
        """`host:port` of the bound socket (IPv6 hosts in brackets)."""
        host, port = self.server_address[0], self.server_address[1]
        host = str(host)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def track(self, connection: socket.socket, *, opened: bool) -> None:
        """Remembers open connections so that `close_connections` can end idle keep-alives."""
        with self._connections_lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shuts down every open connection (idle keep-alive ones included)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignores clients that went away or idled out; logs anything else."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            _logger.error("the Gemini API emulator's connection handler failed", exc_info=error)
