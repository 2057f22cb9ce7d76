"""`HttpApiSource`: the deployed (or `serve`d) query API over HTTPS with only the standard library.

Authentication is a `Signer`: a function that returns the headers to send. IAM-authorised APIs use
`sigv4_signer` (botocore's SigV4Auth, imported only when asked for); API-key APIs use `api_key`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from viz.source import Item, PagedSource, SourceError, error_message

Signer = Callable[[str, str, dict[str, str]], dict[str, str]]
RETRIABLE = {429, 502, 503, 504}  # throttling and gateway hiccups; anything else is a real answer
ATTEMPTS = 4


class HttpApiSource(PagedSource):
    """Each GET is its own connection, so reading several sites at once is safe on this side
    (`charts --fetchers N`). It stays at one request at a time by default: `serve` runs the query
    handler for concurrent requests in threads on one Powertools app, which keeps the request being
    answered on itself, and concurrent reads got answers for another request's parameters (a 400
    "token belongs to another query" in 2 of 3 fresh `serve`s; a single-page answer can be wrong
    without an error). A deployed API (one request per Lambda instance at a time) does not share it.
    """

    def __init__(
        self,
        base_url: str,
        signer: Signer | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError(f"API URL must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._signer = signer
        self._api_key = api_key
        self._timeout = timeout

    def get(self, path: str, query: dict[str, str]) -> Item:
        url = f"{self.base_url}{path}" + (f"?{urlencode(query)}" if query else "")
        for attempt in range(ATTEMPTS):
            try:
                status, body = self._send(url)
            except _TimedOut as error:
                # A GET is safe to ask again: a server that stalled once (`serve` holding a million
                # readings has paused ~26 s on one request in 1,100) usually answers the next.
                if attempt == ATTEMPTS - 1:
                    waited = f"within {self._timeout:g} s, {ATTEMPTS} times"
                    raise SourceError(0, f"{self.base_url} did not answer GET {path} {waited}") from error
                time.sleep(0.5 * 2**attempt)
                continue
            if status not in RETRIABLE or attempt == ATTEMPTS - 1:
                break
            time.sleep(0.5 * 2**attempt)
        if not 200 <= status < 300:
            raise SourceError(status, f"GET {path}: {error_message(status, body)}")
        return body

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers["x-api-key"] = self._api_key
        return self._signer("GET", url, headers) if self._signer else headers

    def _send(self, url: str) -> tuple[int, Any]:
        request = urllib.request.Request(url, headers=self._headers(url), method="GET")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, _json_or_text(error.read())
        except TimeoutError as error:  # the answer did not come within the timeout
            raise _TimedOut from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):  # connecting took longer than the timeout
                raise _TimedOut from error
            raise SourceError(0, f"cannot reach {self.base_url}: {error}") from error


class _TimedOut(Exception):
    """No answer within the timeout (asked again by `get`)."""


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def sigv4_signer(region: str | None = None, service: str = "execute-api", session: Any = None) -> Signer:
    """Sign each request with the caller's AWS credentials (IAM authorisation on API Gateway)."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = session or botocore.session.get_session()
    credentials = session.get_credentials()
    if credentials is None:
        raise SourceError(0, "no AWS credentials found to sign API requests (set a profile or keys)")
    region = region or session.get_config_variable("region")
    if not region:
        raise SourceError(0, "no AWS region to sign API requests for (set AWS_REGION or --region)")

    def sign(method: str, url: str, headers: dict[str, str]) -> dict[str, str]:
        request = AWSRequest(method=method, url=url, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), service, region).add_auth(request)
        return dict(request.headers.items())

    return sign
