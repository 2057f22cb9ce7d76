"""The annotated chunk (energy_aws.chunks): Detect adds what each reading carries, Store and Catalog read it."""

from __future__ import annotations

from energy_aws.chunks import ChunkToStore, annotated_chunk, site_spans
from energy_core.readings import Readings, read_header

PROVENANCE = {"source_key": "incoming/a.json", "source_etag": "e", "ingested_at": "2025-03-02T00:00:00.000000Z"}


def chunk() -> bytes:
    rows = [("b", f"2025-03-01T0{hour}:00:00.000000Z", 1.5, 0.25, None) for hour in (0, 1)]
    rows += [("a", f"2025-03-01T0{hour}:00:00.000000Z", 0.5, 0.0, 10.0 + hour) for hour in (2, 3, 4)]
    return Readings.from_rows(rows).to_bytes(provenance=PROVENANCE)  # as Validate stages it


def test_annotating_rewrites_only_the_header_and_store_gets_each_readings_anomalies() -> None:
    spike = {"timestamp": "2025-03-01T03:00:00.000000Z", "type": "spike", "severity": "low"}
    body = annotated_chunk(chunk(), {3: [spike]})

    assert read_header(body)[1].tobytes() == read_header(chunk())[1].tobytes()  # columns byte for byte
    to_store = ChunkToStore.from_bytes(body)
    stored = list(to_store.attribute_values())
    assert to_store.anomalies == 1 and len(stored) == 5
    assert [item.get("anomaly_site") for item in stored] == [None, None, None, {"S": "a"}, None]
    assert stored[3]["anomalies"]["L"][0]["M"]["type"] == {"S": "spike"}
    assert stored[0]["source_key"] == {"S": "incoming/a.json"} and "cumulative_kwh" not in stored[0]
    assert stored[2]["cumulative_kwh"] == {"N": "12.0"}


def test_a_chunk_names_each_sites_first_and_last_reading() -> None:
    assert site_spans(annotated_chunk(chunk(), {})) == [
        ("b", "2025-03-01T00:00:00.000000Z", "2025-03-01T01:00:00.000000Z"),
        ("a", "2025-03-01T02:00:00.000000Z", "2025-03-01T04:00:00.000000Z"),
    ]
