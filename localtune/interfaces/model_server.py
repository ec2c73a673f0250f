"""``localtune serve-model NAME``: SageMaker's inference container contract over HTTP.

The routes a SageMaker endpoint container answers (``docker run <image> serve``):

* ``GET /ping`` → 200 with an empty body while the model is loaded (the health check);
* ``POST /invocations`` with ``Content-Type`` ``text/csv`` or ``text/libsvm`` → the predictions,
  encoded per ``Accept`` (:mod:`localtune.results.inference` has the details);
* ``GET /execution-parameters`` → the batch-transform parameters the XGBoost container reports.

Refused requests get a 4xx with a plain-text message and the server keeps serving. The model is
loaded once, before the server binds, so a model that cannot be served fails at start with the
reason. It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from localtune.results.inference import (
    MAX_PAYLOAD_BYTES,
    InvocationError,
    ServedModel,
    invoke,
)

DEFAULT_HOST = "127.0.0.1"
#: SageMaker's containers listen on 8080 (``SAGEMAKER_BIND_TO_PORT``).
DEFAULT_PORT = 8080

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, status: int, message: str) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8")

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def do_GET(self) -> None:
        if self._path() == "/ping":
            self._send(200)
        elif self._path() == "/execution-parameters":
            document = {
                "MaxConcurrentTransforms": 1,
                "BatchStrategy": "MULTI_RECORD",
                "MaxPayloadInMB": MAX_PAYLOAD_BYTES // (1024 * 1024),
            }
            self._send(200, json.dumps(document).encode(), "application/json")
        else:
            self._refuse(404, f"No route {self._path()}: use GET /ping or POST /invocations.")

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._refuse(400, "The Content-Length header is not a number.")
            return
        if length > MAX_PAYLOAD_BYTES:
            self.close_connection = True  # the body is not read; the connection is unusable
            self._refuse(
                413, f"The request body has {length} bytes; the limit is {MAX_PAYLOAD_BYTES}."
            )
            return
        body = self.rfile.read(length) if length else b""
        if self._path() != "/invocations":
            self._refuse(404, f"No route {self._path()}: use POST /invocations.")
            return
        try:
            answer, media_type = invoke(
                self.server.model,
                body,
                self.headers.get("Content-Type"),
                self.headers.get("Accept"),
            )
        except InvocationError as exc:
            self._refuse(exc.status, exc.message)
            return
        except Exception as exc:  # a bug or an XGBoost failure: say so and keep serving
            log.exception("prediction failed")
            self._refuse(500, f"Prediction failed: {exc!r}")
            return
        self._send(200, answer, media_type)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s - %s", self.address_string(), format % args)


class ModelServer(ThreadingHTTPServer):
    """One model behind SageMaker's ``/ping`` and ``/invocations``."""

    daemon_threads = True

    def __init__(self, model: ServedModel, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
        self.model = model
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def serve_in_thread(server: ModelServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="localtune-model", daemon=True)
    thread.start()
    return thread
