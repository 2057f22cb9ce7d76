"""The ReadingsTable item Store writes: exact numbers, no derived net, anomalies on the reading, index key."""

from __future__ import annotations

from energy_aws.items import reading_attribute_values

BASE = {"site_id": "s1", "timestamp": "2025-03-01T00:00:00.000000Z", "source_key": "incoming/f.json",
        "source_etag": "e", "ingested_at": "2025-03-01T00:05:00.000000Z"}


def test_float_numbers_are_written_as_their_shortest_round_trip_text_and_strings_as_they_are() -> None:
    values = reading_attribute_values(
        BASE | {"energy_generated_kwh": 0.1, "energy_consumed_kwh": "0.30000000000000004", "cumulative_kwh": 100.0}
    )

    assert values["energy_generated_kwh"] == {"N": "0.1"}
    assert values["energy_consumed_kwh"] == {"N": "0.30000000000000004"}
    assert values["cumulative_kwh"] == {"N": "100.0"}
    assert values["site_id"] == {"S": "s1"} and values["source_etag"] == {"S": "e"}


def test_a_reading_without_anomalies_stays_out_of_the_sparse_index() -> None:
    for extra in ({}, {"anomalies": []}, {"anomalies": None}):
        values = reading_attribute_values(BASE | {"energy_generated_kwh": 1.0, "energy_consumed_kwh": 0.0} | extra)
        assert "anomalies" not in values and "anomaly_site" not in values


def test_a_reading_with_anomalies_keeps_every_field_and_enters_the_sparse_index() -> None:
    gap = {"timestamp": "2025-02-28T23:30:00.000000Z", "type": "gap", "severity": "medium", "value": 1.0,
           "expected": "a reading every 15 min", "reason": "no readings for 30 min", "expected_high": 900.0}

    values = reading_attribute_values(BASE | {"energy_generated_kwh": 1.0, "energy_consumed_kwh": 0.0,
                                              "anomalies": [gap]})

    assert values["anomaly_site"] == {"S": "s1"}
    [stored] = values["anomalies"]["L"]
    assert stored["M"] == {
        "timestamp": {"S": gap["timestamp"]}, "type": {"S": "gap"}, "severity": {"S": "medium"},
        "value": {"N": "1.0"}, "expected": {"S": "a reading every 15 min"},
        "reason": {"S": "no readings for 30 min"}, "expected_high": {"N": "900.0"},
    }
