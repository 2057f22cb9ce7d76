"""Attaching detector results to the file's readings: every anomaly lands on exactly one reading of its site."""

from __future__ import annotations

import pytest

from detect.annotate import annotate
from energy_core.detect import Anomaly
from energy_core.readings import Readings


def at(minute: int) -> str:
    return f"2025-03-01T00:{minute:02d}:00.000000Z"


def item(site: str, minute: int) -> dict:
    return {"site_id": site, "timestamp": at(minute), "energy_generated_kwh": 1.0, "energy_consumed_kwh": "0.5"}


def anomaly(site: str, minute: int, kind: str, **extra) -> Anomaly:
    return Anomaly(site, at(minute), kind, "low", 1.0, "x", f"{kind} reason", **extra)


def annotated(chunks: list[list[dict]], found: list[Anomaly]) -> dict[str, int]:
    """annotate() on the chunks' readings; each item then carries what its reading got, as Store writes it."""
    readings = [Readings.from_rows([(i["site_id"], i["timestamp"], 1.0, 0.5, None) for i in chunk]) for chunk in chunks]
    per_site: dict[str, int] = {}
    for chunk, placement in zip(chunks, annotate(readings, found), strict=True):
        for row, anomalies in placement.items():
            chunk[row]["anomalies"] = anomalies
            per_site[chunk[row]["site_id"]] = per_site.get(chunk[row]["site_id"], 0) + len(anomalies)
    return per_site


def where(chunks: list[list[dict]]) -> list[tuple[str, str, str, str]]:
    """(site, reading time, anomaly time, type) of every attached anomaly, in reading order."""
    return [(reading["site_id"], reading["timestamp"][14:16], row["timestamp"][14:16], row["type"])
            for chunk in chunks for reading in chunk for row in reading.get("anomalies", [])]


def test_an_anomaly_at_a_file_reading_is_stored_on_it_with_all_its_fields() -> None:
    chunks = [[item("a", 0), item("a", 15)]]
    found = [anomaly("a", 15, "out_of_range", field="energy_generated_kwh", expected_low=0.0, expected_high=2.5)]

    assert annotated(chunks, found) == {"a": 1}

    assert "anomalies" not in chunks[0][0]
    assert chunks[0][1]["anomalies"] == [{
        "timestamp": at(15), "type": "out_of_range", "severity": "low", "value": 1.0, "expected": "x",
        "reason": "out_of_range reason", "field": "energy_generated_kwh", "expected_low": 0.0,
        "expected_high": 2.5, "end": at(15), "readings": 1,
    }]


def test_a_gap_is_stored_on_the_reading_that_ends_the_silence_even_in_the_next_chunk() -> None:
    chunks = [[item("a", 0), item("a", 15)], [item("a", 45), item("a", 59)]]

    annotated(chunks, [anomaly("a", 30, "gap")])

    assert where(chunks) == [("a", "45", "30", "gap")]


def test_a_run_that_began_in_stored_history_is_stored_on_the_files_first_reading() -> None:
    chunks = [[item("a", 30), item("a", 45)]]

    annotated(chunks, [anomaly("a", 0, "flatline", field="energy_consumed_kwh")])

    assert where(chunks) == [("a", "30", "00", "flatline")]


def test_an_anomaly_after_the_files_last_reading_is_stored_on_that_last_reading() -> None:
    # e.g. a counter reset whose later reading is already stored: the file's side of it carries it
    chunks = [[item("a", 0), item("a", 15)]]

    annotated(chunks, [anomaly("a", 30, "counter_reset")])

    assert where(chunks) == [("a", "15", "30", "counter_reset")]


def test_anomalies_follow_their_own_site_and_each_reading_keeps_them_in_time_and_type_order() -> None:
    chunks = [[item("a", 0), item("a", 15), item("b", 0)], [item("a", 45), item("b", 30)]]
    found = [anomaly("a", 15, "spike"), anomaly("b", 15, "gap"), anomaly("a", 0, "negative_value"),
             anomaly("a", 0, "flatline"), anomaly("a", 45, "spike")]

    assert annotated(chunks, found) == {"a": 4, "b": 1}

    assert where(chunks) == [("a", "00", "00", "flatline"), ("a", "00", "00", "negative_value"),
                             ("a", "15", "15", "spike"), ("a", "45", "45", "spike"), ("b", "30", "15", "gap")]


def test_two_anomalies_of_one_type_at_one_reading_are_both_kept() -> None:
    chunks = [[item("a", 0)]]
    found = [anomaly("a", 0, "negative_value", field="energy_generated_kwh"),
             anomaly("a", 0, "negative_value", field="energy_consumed_kwh")]

    assert annotated(chunks, found) == {"a": 2}
    assert [row["field"] for row in chunks[0][0]["anomalies"]] == ["energy_consumed_kwh", "energy_generated_kwh"]


def test_an_anomaly_of_a_site_without_a_reading_in_the_file_is_an_error_not_a_silent_loss() -> None:
    with pytest.raises(ValueError, match="site 'c'"):
        annotated([[item("a", 0)]], [anomaly("c", 0, "gap")])
