"""`serve`'s HTTP server (energy_pipeline.api.server): concurrency, JSON for every error, stop signals."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_data import hours

from energy_pipeline.api.server import BACKLOG, ApiServer, api_server, serving


@pytest.fixture
def server(api: Any, store: Any) -> Iterator[ApiServer]:
    store.series("s1", "2025-01-01T00:00:00Z", 30, hours(1))
    with serving(api_server(api.handler, "127.0.0.1", 0)) as running:
        yield running


def _request(server: ApiServer, method: str, target: str, headers: dict[str, str] | None = None) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    try:
        connection.request(method, target, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_fifty_requests_in_flight_are_all_answered(server: ApiServer) -> None:
    assert server.request_queue_size >= BACKLOG >= 128
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: _request(server, "GET", "/sites/s1/readings?limit=5"), range(100)))
    assert [status for status, _, _ in answers] == [200] * 100
    assert all(len(json.loads(body)["items"]) == 5 for _, _, body in answers)


def test_requests_in_flight_each_get_the_answer_to_their_own_question(server: ApiServer) -> None:
    # The handler's Powertools app holds the request it is answering on itself (one at a time on Lambda):
    # concurrent requests through one app got each other's parameters before they were taken in turn.
    asked = [1 + n % 10 for n in range(200)]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda limit: _request(server, "GET", f"/sites/s1/readings?limit={limit}"), asked))
    assert [status for status, _, _ in answers] == [200] * len(asked)
    assert [len(json.loads(body)["items"]) for _, _, body in answers] == asked


@pytest.mark.parametrize("method", ["TRACE", "HEAD", "POST", "DELETE"])
def test_methods_other_than_get_get_a_405_naming_get(server: ApiServer, method: str) -> None:
    status, headers, body = _request(server, method, "/sites")
    assert (status, headers["Allow"], headers["Content-Type"]) == (405, "GET", "application/json")
    if method != "HEAD":
        assert json.loads(body)["error"]["code"] == "method_not_allowed"


def test_an_over_long_request_line_gets_a_json_414(server: ApiServer) -> None:
    status, headers, body = _request(server, "GET", "/sites?x=" + "a" * 9000)
    assert (status, headers["Content-Type"]) == (414, "application/json")
    assert "shorten" in json.loads(body)["error"]["message"]


def test_an_over_long_header_gets_a_json_431(server: ApiServer) -> None:
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30) as raw:
        raw.sendall(b"GET /sites HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
        chunks = []
        while chunk := raw.recv(4096):  # the server closes the connection after an error
            chunks.append(chunk)
        answer = b"".join(chunks).decode()
    assert answer.startswith("HTTP/1.1 431")
    assert json.loads(answer.split("\r\n\r\n", 1)[1])["error"]["code"] == "headers_too_large"


def test_an_encoded_slash_in_a_path_is_not_routed(server: ApiServer) -> None:
    status, _, body = _request(server, "GET", "/sites/s1%2Freadings")
    assert status == 404
    assert "%2F" in json.loads(body)["error"]["message"]


def test_an_unencoded_plus_in_an_offset_gets_a_400_that_says_to_write_2b(server: ApiServer) -> None:
    status, _, body = _request(server, "GET", "/sites/s1/readings?from=2025-01-01T00:00:00+01:00")
    assert status == 400
    assert "%2B" in json.loads(body)["error"]["message"]
    assert _request(server, "GET", "/sites/s1/readings?from=2025-01-01T00:00:00%2B01:00")[0] == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `serve &` in a non-interactive shell inherits


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_on_sigint_and_sigterm_even_with_sigint_ignored_by_its_parent(stop: int) -> None:
    api_port, aws_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "energy_pipeline.cli", "serve", "--port", str(api_port),
         "--aws-port", str(aws_port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_ignore_sigint,  # noqa: PLW1509
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().decode()  # printed once both servers listen
        assert "is running" in banner
        time.sleep(0.5)
        process.send_signal(stop)
        assert process.wait(timeout=60) == 0
        assert process.stderr is not None
        assert "stopping" in process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
