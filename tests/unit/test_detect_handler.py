"""The Detect handler's per-site loop: histories read concurrently in bounded batches, results in order."""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pytest

from energy_core.detect import Series, SeriesPoint, canonical

T0 = 1_740_355_200.0


def site_series(site_id: str, negative: bool) -> Series:
    points = [SeriesPoint(site_id, canonical(T0 + i * 900), T0 + i * 900, -40.0 if negative and i == 3 else 1.0,
                          2.0 + (i % 3) / 10) for i in range(8)]
    return Series.of(points)


@pytest.fixture
def detect_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in {"BUCKET_NAME": "b", "READINGS_TABLE": "r", "CATALOG_TABLE": "c",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    return importlib.import_module("detect.app")


def test_given_many_sites_when_detecting_then_each_gets_its_own_history_read_concurrently(
    detect_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sites = {f"site-{n:04d}": site_series(f"site-{n:04d}", negative=n % 97 == 0) for n in range(600)}
    asked: list[tuple[str, str, str]] = []
    threads: set[str] = set()
    lock = threading.Lock()

    def load_history(client: Any, table: str, site_id: str, before: str, days: int) -> list[dict[str, Any]]:
        with lock:
            asked.append((site_id, before, threading.current_thread().name))
            threads.add(threading.current_thread().name)
        return []

    monkeypatch.setattr(detect_app, "series_by_site", lambda chunks: sites)
    monkeypatch.setattr(detect_app, "load_history", load_history)

    anomalies = detect_app.detect_all([])

    assert sorted(site for site, _, _ in asked) == sorted(sites)  # each site's history once
    assert all(before == sites[site].timestamps[0] for site, before, _ in asked)
    assert len(threads) > 1  # read concurrently, not one round trip after another
    assert {a.site_id for a in anomalies} == {f"site-{n:04d}" for n in range(0, 600, 97)}
