"""The annotated chunk (energy_aws.chunks): Detect adds what each reading carries, Store and Catalog read it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from energy_aws.chunks import ChunkToStore, annotated_chunk, site_spans, write_order
from energy_core.readings import Block, Readings, read_header

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
    in_write_order = list(to_store.attribute_values())
    assert [(item["site_id"]["S"], item["timestamp"]["S"][11:13]) for item in in_write_order] == [
        ("b", "00"), ("a", "02"), ("b", "01"), ("a", "03"), ("a", "04")]
    stored = {item["timestamp"]["S"][11:13]: item for item in in_write_order}
    assert to_store.anomalies == 1 and len(stored) == 5
    assert [hour for hour, item in stored.items() if "anomaly_site" in item] == ["03"]
    assert stored["03"]["anomaly_site"] == {"S": "a"}
    assert stored["03"]["anomalies"]["L"][0]["M"]["type"] == {"S": "spike"}
    assert stored["00"]["source_key"] == {"S": "incoming/a.json"} and "cumulative_kwh" not in stored["00"]
    assert stored["02"]["cumulative_kwh"] == {"N": "12.0"}


@given(st.lists(st.integers(min_value=1, max_value=30), max_size=12))
def test_the_write_order_takes_each_site_in_turn_and_keeps_its_readings_in_time_order(sizes: list[int]) -> None:
    blocks, start = [], 0
    for number, size in enumerate(sizes):
        blocks.append(Block(f"site-{number}", start, start + size))
        start += size
    order = list(write_order(blocks))

    assert sorted(order) == list(range(start))  # every row once
    site_of = {row: block.site_id for block in blocks for row in range(block.start, block.end)}
    for block in blocks:
        assert [row for row in order if site_of[row] == block.site_id] == list(range(block.start, block.end))
    # Round by round: while k sites have readings left, the next k writes are one of each.
    position = 0
    for round_number in range(max(sizes, default=0)):
        open_sites = sum(1 for size in sizes if size > round_number)
        assert len({site_of[row] for row in order[position:position + open_sites]}) == open_sites
        position += open_sites


def test_a_chunk_names_each_sites_first_and_last_reading() -> None:
    assert site_spans(annotated_chunk(chunk(), {})) == [
        ("b", "2025-03-01T00:00:00.000000Z", "2025-03-01T01:00:00.000000Z"),
        ("a", "2025-03-01T02:00:00.000000Z", "2025-03-01T04:00:00.000000Z"),
    ]
