"""The HTTP layer: a standard-library `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive.

Only the standard library is used on purpose: if `aiohttp` were importable, google-genai would
silently switch its async transport to it. Every answer carries `Content-Length`. Nothing is
logged here (a request line may hold an API key in its query).

A request whose body ends early (a client killed or timed out mid-upload) is dropped unseen: it
is neither handled nor logged, and an upload session it belonged to stays open and consistent.
An injected `delay` is served here, outside the emulator's lock (other clients are answered
meanwhile); an injected `drop` closes the connection without a status line.
"""

from __future__ import annotations

import contextlib
import dataclasses
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

    def _read_body(self) -> bytes | None:
        """Reads the whole body; `None` when the client went away before sending all of it."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline()
                if not line:
                    return None
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    return None
                data += chunk
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0:
            return b""
        body = self.rfile.read(length)
        return body if len(body) == length else None

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:  # a malformed chunk size
            body = None
        if body is None:  # a client killed mid-request: never act on a partial body
            self.close_connection = True
            return
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
        if reply.delay_seconds and self.server.closing.wait(reply.delay_seconds):
            reply = dataclasses.replace(reply, drop=True)  # the emulator is stopping
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
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
        self.closing = threading.Event()
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
        """Shuts down every open connection (idle keep-alive ones included).

        Answers held back by an injected `delay` are dropped instead of sent.
        """
        self.closing.set()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignores clients that went away or idled out; logs anything else."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):  # ConnectionError, TimeoutError: the client left
            _logger.error("the Gemini API emulator's connection handler failed", exc_info=error)
