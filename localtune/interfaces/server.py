"""``localtune serve``: SageMaker's JSON 1.1 endpoint over HTTP.

``POST /`` with ``X-Amz-Target: SageMaker.<Operation>`` and a JSON body, as boto3, the AWS CLI and
the SageMaker SDK send it (any SigV4 signature is accepted and not checked). Answers carry
``x-amzn-RequestId`` and, for errors, the HTTP status and ``{"__type", "message"}`` body SageMaker
uses. It listens on 127.0.0.1 unless told otherwise; each connection gets its own thread; tuning
jobs run in this process while it serves, and unfinished ones resume when it starts.
"""

from __future__ import annotations

import json
import logging
import os
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from localtune.api.service import Service
from localtune.interfaces import wire
from localtune.interfaces.services import get_service

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8642

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: LocaltuneServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answers go out at once on kept-alive connections

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = wire.handle(
            self.server.service, self.headers.get("X-Amz-Target"), body
        )
        self._send(status, headers, payload)

    def do_GET(self) -> None:
        document = {
            "service": "localtune",
            "protocol": "SageMaker JSON 1.1: POST / with X-Amz-Target: SageMaker.<Operation>",
            "operations": list(self.server.service.OPERATIONS),
            "home": str(self.server.service.home),
        }
        payload = json.dumps(document).encode()
        self._send(
            200, {"Content-Type": "application/json", "Content-Length": str(len(payload))}, payload
        )

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


class LocaltuneServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: Service, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
        self.service = service
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"


def make_server(
    home: str | os.PathLike[str] | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    executor: str | None = None,
) -> LocaltuneServer:
    """A server bound to ``host:port`` (port 0 picks a free one); call ``serve_forever()``.
    ``executor`` as for :func:`~localtune.interfaces.services.get_service`."""
    return LocaltuneServer(get_service(home, executor=executor), host, port)


def serve_until_interrupted(server: socketserver.BaseServer) -> int:
    """Serve until Ctrl-C, then close the socket; the exit status of a serving command."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def serve_in_thread(server: LocaltuneServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="localtune-server", daemon=True)
    thread.start()
    return thread
