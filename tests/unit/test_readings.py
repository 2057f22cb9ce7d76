"""Canonical readings: DynamoDB items, column chunks through S3, chunk splitting, epochs."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from energy_core.readings import (
    CanonicalReading,
    Readings,
    dump_chunk,
    split_chunks,
    to_items,
)
from energy_core.timestamps import epoch_seconds

R = CanonicalReading


def load(data: bytes) -> Readings:
    return Readings.from_bytes(data)[0]


def series(site_id: str, count: int) -> list[CanonicalReading]:
    return [R(site_id, f"2025-02-19T{hour:02d}:00:00.000000Z", 1.0, 0.5) for hour in range(count)]


def test_given_a_reading_when_made_an_item_then_it_holds_the_values_and_provenance_and_no_net() -> None:
    reading = R("s1", "2025-02-19T21:46:30.822517Z", 0.3, 0.1, 1234.5)

    provenance = {"source_key": "incoming/a.json", "source_etag": "etag-1", "ingested_at": "2025-02-20T00:00:00.000000Z"}
    (item,) = to_items(Readings.from_rows([reading]), provenance)

    assert item == {
        "site_id": "s1",
        "timestamp": "2025-02-19T21:46:30.822517Z",
        "energy_generated_kwh": 0.3,  # written as repr: "0.3", exactly the file's digits
        "energy_consumed_kwh": 0.1,
        "cumulative_kwh": 1234.5,
        "source_key": "incoming/a.json",
        "source_etag": "etag-1",
        "ingested_at": "2025-02-20T00:00:00.000000Z",
    }  # net energy is derived when read (exactly, in Decimal): it is not stored


def test_given_the_original_sample_when_made_an_item_then_no_register_is_stored() -> None:
    (item,) = to_items(Readings.from_rows([R("test-site-123", "2025-02-19T23:45:00.000000Z", -50.0, 100.0)]), {})

    assert "cumulative_kwh" not in item and "net_energy_kwh" not in item


def test_given_readings_when_a_chunk_is_dumped_and_loaded_then_they_round_trip() -> None:
    readings = Readings.from_rows(
        [
            R("s1", "2025-02-19T21:46:30.822517Z", 1.5, -0.5, None),
            R("s:2", "2025-02-19T21:46:30.000000Z", 1e-05, 0.0, 42.0),
        ]
    )

    data = dump_chunk(readings)

    header, columns = data.split(b"\n")
    assert orjson.loads(header) == {"count": 2, "site_blocks": [["s1", 1], ["s:2", 1]]}
    assert orjson.loads(columns)["energy_generated_kwh"] == [1.5, 1e-05]
    assert orjson.loads(columns)["timestamp_table"] == sorted(r.timestamp for r in readings)
    assert list(load(data)) == list(readings)
    assert load(data) == readings
    assert len(load(dump_chunk(Readings.from_rows([])))) == 0


def test_given_sites_on_one_grid_and_one_with_gaps_when_dumped_then_each_timestamp_is_written_once() -> None:
    on_grid = [f"2025-02-19T0{hour}:00:00.000000Z" for hour in range(6)]
    rows = [R(site, stamp, 1.0, 2.0) for site in ("a", "b") for stamp in on_grid]
    rows += [R("c", stamp, 1.0, 2.0) for stamp in on_grid[::2]]  # every other hour: not a slice
    readings = Readings.from_rows(rows)

    data = dump_chunk(readings)

    columns = orjson.loads(data.split(b"\n")[1])
    assert columns["timestamp_table"] == on_grid
    assert columns["timestamp_blocks"] == [0, 0, [0, 2, 4]]
    assert list(load(data)) == rows


def test_given_a_chunk_without_registers_when_dumped_then_the_column_is_null() -> None:
    readings = Readings.from_rows(series("a", 3))

    assert readings.cumulative is None
    assert orjson.loads(dump_chunk(readings).split(b"\n")[1])["cumulative_kwh"] is None  # no register column
    assert load(dump_chunk(readings)).cumulative is None
    assert Readings.from_bytes(dump_chunk(readings, provenance={"source_key": "k"}))[1] == {
        "provenance": {"source_key": "k"}
    }


def test_given_small_sites_when_split_then_whole_sites_share_chunks_up_to_the_limit() -> None:
    readings = Readings.from_rows(series("a", 3) + series("b", 3) + series("c", 2))

    chunks = split_chunks(readings, 6)

    assert [[r.site_id for r in chunk] for chunk in chunks] == [["a"] * 3 + ["b"] * 3, ["c"] * 2]


def test_given_a_site_larger_than_a_chunk_when_split_then_it_fills_consecutive_chunks_in_order() -> None:
    rows = series("a", 2) + series("b", 7) + series("c", 1)

    chunks = split_chunks(Readings.from_rows(rows), 3)

    assert [len(chunk) for chunk in chunks] == [2, 3, 3, 2]
    assert [r for chunk in chunks for r in chunk] == rows
    assert all(len(chunk) <= 3 for chunk in chunks)


def test_given_a_zero_limit_when_split_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_chunks(Readings.from_rows(series("a", 1)), 0)


@pytest.mark.parametrize(
    ("canonical", "seconds"),
    [
        ("1970-01-01T00:00:00.000000Z", 0.0),
        ("2025-02-19T21:46:30.822517Z", 1740001590.822517),
        ("1969-12-31T23:59:59.500000Z", -0.5),
    ],
)
def test_given_a_canonical_timestamp_when_converted_to_epoch_seconds_then_they_are_exact(
    canonical: str, seconds: float
) -> None:
    assert epoch_seconds(canonical) == seconds


def test_given_far_instants_when_converted_to_epoch_seconds_then_they_match_datetime() -> None:
    for canonical in ("0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.000000Z"):
        expected = (datetime.fromisoformat(canonical) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
        assert epoch_seconds(canonical) == expected


def test_given_a_chunk_with_the_files_provenance_then_it_is_in_the_header_and_not_in_the_columns() -> None:
    plain = dump_chunk(Readings.from_rows(series("a", 3) + series("b", 2)))
    provenance = {"source_key": "incoming/x.json", "source_etag": "e1", "ingested_at": "2025-01-01T00:00:00Z"}

    body = dump_chunk(Readings.from_rows(series("a", 3) + series("b", 2)), provenance=provenance)

    assert body.split(b"\n")[1] == plain.split(b"\n")[1]  # once per chunk: the columns are the same
    readings, extra = Readings.from_bytes(body)
    assert extra == {"provenance": provenance}
    assert list(readings) == series("a", 3) + series("b", 2)
