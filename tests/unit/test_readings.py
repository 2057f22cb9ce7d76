"""Canonical readings: DynamoDB items with exact Decimals, chunks through S3, chunk splitting, epochs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from energy_core import CanonicalReading, dump_chunk, epoch_seconds, load_chunk, split_chunks, to_item
from energy_core.timestamps import from_epoch_seconds

R = CanonicalReading


def series(site_id: str, count: int) -> list[CanonicalReading]:
    return [R(site_id, f"2025-02-19T{hour:02d}:00:00.000000Z", "1.0", "0.5") for hour in range(count)]


def test_given_a_reading_when_made_an_item_then_numbers_are_exact_decimals_and_net_is_exact() -> None:
    reading = R("s1", "2025-02-19T21:46:30.822517Z", "0.3", "0.1", "1234.5")

    item = to_item(reading, "incoming/a.json", "etag-1", "2025-02-20T00:00:00.000000Z")

    assert item == {
        "site_id": "s1",
        "timestamp": "2025-02-19T21:46:30.822517Z",
        "energy_generated_kwh": Decimal("0.3"),
        "energy_consumed_kwh": Decimal("0.1"),
        "net_energy_kwh": Decimal("0.2"),  # float arithmetic would give 0.19999999999999998
        "cumulative_kwh": Decimal("1234.5"),
        "source_key": "incoming/a.json",
        "source_etag": "etag-1",
        "ingested_at": "2025-02-20T00:00:00.000000Z",
    }


def test_given_the_original_sample_when_made_an_item_then_net_is_minus_150_and_no_register_is_stored() -> (
    None
):
    item = to_item(R("test-site-123", "2025-02-19T23:45:00.000000Z", "-50.0", "100.0"), "k", "e", "t")

    assert item["net_energy_kwh"] == Decimal("-150.0")
    assert "cumulative_kwh" not in item


def test_given_magnitudes_far_apart_when_net_is_computed_then_it_fits_dynamodbs_38_digits() -> None:
    item = to_item(R("s", "2025-02-19T23:45:00.000000Z", "1000000000.0", "1e-130"), "k", "e", "t")

    assert len(item["net_energy_kwh"].as_tuple().digits) <= 38


def test_given_readings_when_a_chunk_is_dumped_and_loaded_then_they_round_trip() -> None:
    readings = [
        R("s1", "2025-02-19T21:46:30.822517Z", "1.5", "-0.5", None),
        R("s:2", "2025-02-19T21:46:30.000000Z", "1e-05", "0.0", "42.0"),
    ]

    data = dump_chunk(readings)

    assert data.count(b"\n") == 2
    assert data.splitlines()[0] == b'["s1","2025-02-19T21:46:30.822517Z","1.5","-0.5",null]'
    assert load_chunk(data) == readings
    assert load_chunk(b"") == []


def test_given_small_sites_when_split_then_whole_sites_share_chunks_up_to_the_limit() -> None:
    readings = series("a", 3) + series("b", 3) + series("c", 2)

    chunks = split_chunks(readings, 6)

    assert [[r.site_id for r in chunk] for chunk in chunks] == [["a"] * 3 + ["b"] * 3, ["c"] * 2]


def test_given_a_site_larger_than_a_chunk_when_split_then_it_fills_consecutive_chunks_in_order() -> None:
    readings = series("a", 2) + series("b", 7) + series("c", 1)

    chunks = split_chunks(readings, 3)

    assert [len(chunk) for chunk in chunks] == [2, 3, 3, 2]
    assert [r for chunk in chunks for r in chunk] == readings
    assert all(len(chunk) <= 3 for chunk in chunks)


def test_given_a_zero_limit_when_split_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_chunks(series("a", 1), 0)


@pytest.mark.parametrize(
    ("canonical", "seconds"),
    [
        ("1970-01-01T00:00:00.000000Z", 0.0),
        ("2025-02-19T21:46:30.822517Z", 1740001590.822517),
        ("1969-12-31T23:59:59.500000Z", -0.5),
    ],
)
def test_given_a_canonical_timestamp_when_converted_to_epoch_seconds_then_it_converts_back(
    canonical: str, seconds: float
) -> None:
    assert epoch_seconds(canonical) == seconds
    assert from_epoch_seconds(seconds) == canonical


def test_given_far_instants_when_converted_to_epoch_seconds_then_they_match_datetime() -> None:
    for canonical in ("0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.000000Z"):
        expected = (datetime.fromisoformat(canonical) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
        assert epoch_seconds(canonical) == expected
