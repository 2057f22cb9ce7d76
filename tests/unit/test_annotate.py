"""Attaching detector results to stored items: each anomaly lands on its reading and in exactly one chunk."""

from __future__ import annotations

from detect.annotate import annotate
from energy_core.detect import Anomaly


def item(site: str, minute: int) -> dict:
    return {"site_id": site, "timestamp": f"2025-03-01T00:{minute:02d}:00.000000Z"}


def anomaly(site: str, minute: int, kind: str) -> Anomaly:
    return Anomaly(site, f"2025-03-01T00:{minute:02d}:00.000000Z", kind, "low", 1.0, "x", "reason")


def test_anomalies_follow_their_site_and_time_across_chunks() -> None:
    chunks = [[item("a", 0), item("a", 15), item("b", 0)], [item("a", 45), item("b", 30)]]
    found = [anomaly("a", 15, "spike"), anomaly("a", 30, "gap"), anomaly("a", 45, "spike"),
             anomaly("b", 15, "gap"), anomaly("c", 0, "gap")]

    (first, first_anomalies), (second, second_anomalies) = annotate(chunks, found)

    assert first[1]["anomalies"] == [{"type": "spike", "severity": "low", "reason": "reason"}]
    assert second[0]["anomalies"][0]["type"] == "spike"
    assert "anomalies" not in first[0]
    # a gap has no reading: it goes with the chunk holding the site's last reading before it
    assert [(row["site_id"], row["type"]) for row in first_anomalies] == [("a", "spike"), ("a", "gap"), ("b", "gap"),
                                                                          ("c", "gap")]
    assert [(row["site_id"], row["type"]) for row in second_anomalies] == [("a", "spike")]
