from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import botocore.session
import pytest

from viz.http_source import HttpApiSource, sigv4_signer
from viz.memory import MemorySource
from viz.source import HandlerSource, SourceError

FROM, TO = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 8, tzinfo=UTC)


def test_readings_follow_next_token_to_the_last_page(fleet: MemorySource) -> None:
    items = fleet.readings("alpha", FROM, TO)
    assert [i["timestamp"] for i in items] == sorted({i["timestamp"] for i in items})
    assert len(items) == 96 * 7 - 120
    assert fleet.requests.count("/sites/alpha/readings") == -(-len(items) // 97)


def test_sites_and_anomalies_are_walked_too(fleet: MemorySource) -> None:
    assert [s["site_id"] for s in fleet.sites()] == ["alpha", "night", "single"]
    assert {a["type"] for a in fleet.anomalies("alpha", FROM, TO)} == {"spike", "negative_value", "gap"}


def test_a_gap_is_listed_and_counted_by_the_reading_it_is_stored_with(fleet: MemorySource) -> None:
    # The gap began at 03:00 on day 4 (index 300); the reading after the silence (index 420) carries it.
    silence_began, reading = datetime(2025, 3, 4, 3, tzinfo=UTC), datetime(2025, 3, 5, 9, tzinfo=UTC)

    [gap] = [a for a in fleet.anomalies("alpha", reading, TO) if a["type"] == "gap"]
    assert gap["timestamp"] == "2025-03-04T03:00:00.000000Z" and gap["reading_timestamp"] == "2025-03-05T09:00:00.000000Z"
    assert gap["anomaly_id"] == "2025-03-04T03:00:00.000000Z#gap"
    assert not [a for a in fleet.anomalies("alpha", silence_began, reading) if a["type"] == "gap"]
    buckets = fleet.summary("alpha", FROM, TO, "day")["buckets"]
    assert {b["start"][:10]: b["anomaly_count"] for b in buckets}["2025-03-05"] == 1


def test_a_repeated_next_token_stops_instead_of_looping_forever() -> None:
    source = HandlerSource(lambda method, path, query: (200, {"items": [{"x": 1}], "next_token": "same"}))
    with pytest.raises(SourceError, match="repeated"):
        source.sites()


def test_handler_errors_carry_status_and_the_apis_message() -> None:
    answer = {"error": {"code": "bad_request", "message": "to must be after from"}}
    source = HandlerSource(lambda method, path, query: (400, answer))
    with pytest.raises(SourceError, match="to must be after from") as raised:
        source.readings("a", FROM, TO)
    assert raised.value.status == 400


def test_site_ids_are_quoted_into_one_path_segment() -> None:
    seen: list[str] = []

    def invoke(method: str, path: str, query: dict[str, str]) -> tuple[int, dict]:
        seen.append(path)
        return 200, {"items": []}

    source = HandlerSource(invoke)
    source.readings("../a:b/c", FROM, TO)
    assert seen == ["/sites/..%2Fa%3Ab%2Fc/readings"]


class _Api(BaseHTTPRequestHandler):
    source: MemorySource
    headers_seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        type(self).headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        try:
            status, body = 200, self.source.get(url.path, dict(parse_qsl(url.query)))
        except SourceError as error:
            status, body = error.status, {"error": {"code": "not_found", "message": str(error)}}
        payload = json.dumps(body, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api(fleet: MemorySource):
    _Api.source, _Api.headers_seen = fleet, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_http_source_pages_through_a_real_server_with_an_api_key(api: str) -> None:
    items = HttpApiSource(api, api_key="k-123").readings("alpha", FROM, TO)
    assert len(items) == 96 * 7 - 120
    assert all(h.get("x-api-key") == "k-123" for h in _Api.headers_seen)


def test_http_source_reports_a_404_with_its_message(api: str) -> None:
    with pytest.raises(SourceError, match="unknown site") as raised:
        HttpApiSource(api).readings("nope", FROM, TO)
    assert raised.value.status == 404


def test_sigv4_signer_adds_an_aws_authorization_header(api: str) -> None:
    session = botocore.session.Session()
    session.set_credentials("AKIDEXAMPLE", "secret")
    HttpApiSource(api, signer=sigv4_signer(region="eu-west-1", session=session)).sites()
    auth = _Api.headers_seen[-1]["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") and "/eu-west-1/execute-api/" in auth


def test_an_unreachable_api_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        HttpApiSource("http://127.0.0.1:9/", timeout=2).sites()


class _Stalls(BaseHTTPRequestHandler):
    """Answers every request, but the first one only after the client has given up on it."""

    calls: ClassVar[list[float]] = []

    def do_GET(self) -> None:
        type(self).calls.append(time.monotonic())
        if len(type(self).calls) == 1:
            time.sleep(1.5)
        payload = json.dumps({"items": [{"site_id": "s"}], "next_token": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_a_request_that_times_out_is_asked_again_and_the_answer_used() -> None:
    _Stalls.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stalls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sites = HttpApiSource(f"http://127.0.0.1:{server.server_port}/", timeout=0.5).sites()
    finally:
        server.shutdown()
    assert sites == [{"site_id": "s"}] and len(_Stalls.calls) == 2
