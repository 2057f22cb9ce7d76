"""Where chart data comes from: the query API's routes behind one small protocol.

Every list route is paginated; `PagedSource` follows `next_token` to the end so no caller can
forget a page. Subclasses only say how to perform one GET.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

Item = dict[str, Any]
Invoke = Callable[[str, str, dict[str, str]], tuple[int, dict[str, Any]]]

PAGE_LIMIT = 1000  # the API's maximum page size: fewest round trips


class SourceError(Exception):
    """A route answered with an error; `status` is the HTTP status (0 when no answer came back)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status


class DataSource(Protocol):
    def sites(self) -> list[Item]: ...

    def readings(self, site_id: str, start: datetime, end: datetime) -> list[Item]: ...

    def anomalies(self, site_id: str, start: datetime, end: datetime) -> list[Item]: ...

    def summary(self, site_id: str, start: datetime, end: datetime, resolution: str) -> Item: ...


def iso(moment: datetime) -> str:
    """The API's canonical form; a naive datetime is taken as UTC, like the input contract does."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_message(status: int, body: Item) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', 'error')}: {error.get('message', '')}"
    return str(body)[:300] or f"status {status}"


class PagedSource:
    """The four routes over an abstract `get`; pagination and range parameters live here once."""

    # Sites `generate_charts` reads at once by default, each in its own thread; more than 1 only where
    # `get` is safe to call from several threads and the server answers concurrent requests correctly.
    parallel_fetches = 1

    def get(self, path: str, query: dict[str, str]) -> Item:
        raise NotImplementedError

    def sites(self) -> list[Item]:
        return list(self._walk("/sites", {"limit": str(PAGE_LIMIT)}))

    def readings(self, site_id: str, start: datetime, end: datetime) -> list[Item]:
        query = {"from": iso(start), "to": iso(end), "limit": str(PAGE_LIMIT), "order": "asc"}
        return list(self._walk(f"/sites/{_segment(site_id)}/readings", query))

    def anomalies(self, site_id: str, start: datetime, end: datetime) -> list[Item]:
        query = {"from": iso(start), "to": iso(end), "limit": str(PAGE_LIMIT)}
        return list(self._walk(f"/sites/{_segment(site_id)}/anomalies", query))

    def summary(self, site_id: str, start: datetime, end: datetime, resolution: str) -> Item:
        query = {"from": iso(start), "to": iso(end), "resolution": resolution}
        return self.get(f"/sites/{_segment(site_id)}/summary", query)

    def _walk(self, path: str, query: dict[str, str]) -> Iterator[Item]:
        seen: set[str] = set()
        while True:
            page = self.get(path, query)
            yield from page.get("items", [])
            token = page.get("next_token")
            if not token:
                return
            if token in seen:  # a server bug must not turn into an endless batch
                raise SourceError(0, f"{path}: next_token repeated, pagination would never end")
            seen.add(token)
            query = {**query, "next_token": token}


class HandlerSource(PagedSource):
    """Calls the query handler through `invoke(method, path, query) -> (status, body)`.

    The local engine passes an `invoke` that runs the real Lambda handler in-process, so the
    charts read exactly what the deployed API would answer. One request at a time (the inherited
    `parallel_fetches` of 1): the Powertools resolver keeps the event it is answering on the app.
    """

    def __init__(self, invoke: Invoke) -> None:
        self._invoke = invoke

    def get(self, path: str, query: dict[str, str]) -> Item:
        status, body = self._invoke("GET", path, query)
        if not 200 <= status < 300:
            raise SourceError(status, f"GET {path}: {error_message(status, body)}")
        return body


def _segment(site_id: str) -> str:
    # Site ids may hold ':' and '.', and a hostile id could hold '/' or '..': quote everything.
    return quote(site_id, safe="")
