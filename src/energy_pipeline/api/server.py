"""The local query API's HTTP server: one thread per connection, a 128-deep backlog, JSON for every error.

Python's reference WSGI server listens with a backlog of 5 (100 requests at once overflowed 279 times)
and answers request-line and header problems with HTML. This server reads each request itself, hands it
to the query handler as API Gateway would (http_bridge.py), and answers what never reaches the handler
(a request line over 8 KiB: 414, over-long or too many headers: 431, a malformed request: 400) with the
API's own `{"error": {"code", "message"}}` body.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from energy_pipeline.errors import StopRequested

BACKLOG = 128
MAX_REQUEST_LINE = 8192  # API Gateway's limit for the request line is 10 KB; http.server reads 64 KiB
MAX_BODY = 64 * 1024

_ERROR_CODES = {
    HTTPStatus.REQUEST_URI_TOO_LONG: ("uri_too_long", "the request line is over 8 KiB: shorten the query"),
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: (
        "headers_too_large", "a header is over 64 KiB or there are over 100 headers: send fewer or shorter"),
    HTTPStatus.BAD_REQUEST: ("bad_request", "the HTTP request is malformed: send HTTP/1.1 GET requests"),
    HTTPStatus.NOT_IMPLEMENTED: ("method_not_allowed", "this API answers GET only; send the request as GET"),
    HTTPStatus.METHOD_NOT_ALLOWED: (
        "method_not_allowed", "this API answers GET only; send the request as GET"
    ),
}  # fmt: skip


class ApiServer(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True


def handler_class(answer: Callable[[str, str, dict[str, str], bytes | None], Any]) -> type:
    """A request handler that passes every method to `answer` (an http_bridge.invoke bound to the API)."""

    class ApiRequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "energy-pipeline-local"

        def handle_one_request(self) -> None:
            # http.server answers an over-long line before any method runs: read it here to answer JSON.
            try:
                self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
            except (ConnectionError, TimeoutError):
                self.close_connection = True
                return
            if len(self.raw_requestline) > MAX_REQUEST_LINE:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", "GET"
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # sends its own (JSON, see send_error) answer
                return
            self._answer()
            self.wfile.flush()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else None
            response = answer(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(response.status)
            names = {name.lower() for name, _ in response.headers}
            for name, value in response.headers:
                self.send_header(name, value)
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            status = HTTPStatus(code)
            error_code, text = _ERROR_CODES.get(status, ("bad_request", message or status.phrase))
            body = json.dumps({"error": {"code": error_code, "message": text}}).encode()
            self.close_connection = True
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            if status in (HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.NOT_IMPLEMENTED):
                self.send_header("Allow", "GET")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request on stderr would drown the banner and the pipeline's messages

    return ApiRequestHandler


def api_server(handler: Callable[[dict[str, Any], Any], Any], host: str, port: int) -> ApiServer:
    """A server (not yet serving) that answers through the query handler."""
    from energy_pipeline.api.http_bridge import invoke

    # One request at a time through the handler, as Lambda gives one execution environment one
    # invocation at a time: the Powertools app keeps the request it answers on itself, and two threads
    # in it at once answered each other's parameters. The connections are still accepted and read
    # concurrently; the handler's own work holds the interpreter lock anyway.
    one_at_a_time = threading.Lock()

    def answer(method: str, target: str, headers: dict[str, str], body: bytes | None) -> Any:
        with one_at_a_time:
            return invoke(handler, method, target, headers, body)

    return ApiServer((host, port), handler_class(answer))


@contextmanager
def serving(server: ApiServer) -> Iterator[ApiServer]:
    thread = threading.Thread(target=server.serve_forever, name="query-api", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def raise_on_stop_signals() -> None:
    """SIGINT and SIGTERM stop `serve` however it was started.

    A process started from a non-interactive shell (`serve &` in a script) inherits SIGINT ignored, so
    Python never installs its KeyboardInterrupt handler: both are installed here explicitly.
    """

    def stop(signum: int, frame: Any) -> None:
        raise StopRequested(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
