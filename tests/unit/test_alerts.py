"""The per-file digest: subject, plain-text body and SNS message attributes."""

from __future__ import annotations

import json

from energy_core.alerts import build_digest, build_failure_digest, console_url
from energy_core.detect import Anomaly

ARN = "arn:aws:states:eu-west-1:123456789012:execution:Pipeline:abc-123"


def anomaly(
    kind: str, severity: str, site: str = "site-a", ts: str = "2025-03-04T12:15:00.000000Z"
) -> Anomaly:
    return Anomaly(
        site, ts, kind, severity, 48.2, "about 5 kWh", f"{kind} reason at {ts[11:16]}", "energy_consumed_kwh"
    )


def sample() -> list[Anomaly]:
    spikes = [anomaly("spike", "high", ts=f"2025-03-04T1{i}:00:00.000000Z") for i in range(3)]
    gaps = [anomaly("gap", "low", site="site-b", ts=f"2025-03-05T0{i}:00:00.000000Z") for i in range(4)]
    return spikes + gaps


def test_given_anomalies_when_building_the_digest_then_the_subject_has_severity_and_counts() -> None:
    digest = build_digest("incoming/site-a.json", sample(), ARN, "https://console/x")
    assert digest.subject == "[HIGH] 7 anomalies in incoming/site-a.json (4 gap, 3 spike)"


def test_given_a_very_long_key_when_building_the_subject_then_it_stays_within_100_chars() -> None:
    key = "incoming/" + "deep/" * 40 + "f\u00e9.json"
    subject = build_digest(key, sample(), ARN, "u").subject
    # A key too long for the subject is shown by the file's own name (non-ASCII replaced).
    assert len(subject) <= 100 and subject.isascii()
    assert subject == "[HIGH] 7 anomalies in f?.json (4 gap, 3 spike)"


def test_given_many_types_when_building_the_subject_then_the_counts_shorten_and_the_name_stays() -> None:
    kinds = ["future_timestamp", "negative_value", "out_of_range", "gap", "flatline", "spike", "counter_reset"]
    many = [Anomaly("s", "2025-03-04T10:00:00.000000Z", kind, "high", 1.0, "x", "r") for kind in kinds]
    subject = build_digest("incoming/one-of-each.jsonl", many, ARN, "u").subject
    assert len(subject) <= 100 and "incoming/one-of-each.jsonl" in subject and "more)" in subject


def test_given_a_processing_failure_the_digest_suggests_reprocessing_not_fixing_the_file() -> None:
    message = build_failure_digest("incoming/a.json", "ProcessingFailed", "boom", ARN, "u").message
    assert "energy-pipeline reprocess incoming/a.json" in message
    invalid = build_failure_digest("incoming/a.json", "InvalidFile", "bad", ARN, "u").message
    assert "Fix the file and upload it again" in invalid


def test_given_anomalies_when_building_the_message_then_it_says_what_where_when_and_links() -> None:
    url = console_url("eu-west-1", ARN)
    message = build_digest("incoming/site-a.json", sample(), ARN, url, max_examples=2).message
    assert "What:  4 gap (4 readings), 3 spike (3 readings)" in message
    assert "Where: 2 site(s): site-b (4), site-a (3)" in message
    assert "When:  2025-03-04 10:00 UTC to 2025-03-05 03:00 UTC" in message
    assert f"Console:   {url}" in message and f"Execution: {ARN}" in message
    examples = [line for line in message.splitlines() if line.startswith("- ")]
    assert len(examples) == 2 and all(line.startswith("- [high] spike at site-a") for line in examples)


def test_given_anomalies_when_building_attributes_then_they_match_the_sns_publish_shape() -> None:
    attrs = build_digest("k", sample(), ARN, "u").attributes
    assert attrs["severity"] == {"DataType": "String", "StringValue": "high"}
    assert attrs["anomaly_types"] == {"DataType": "String.Array", "StringValue": '["gap", "spike"]'}
    assert json.loads(attrs["site_ids"]["StringValue"]) == ["site-a", "site-b"]


def test_given_a_flood_of_anomalies_when_building_then_message_and_attributes_stay_capped() -> None:
    flood = [anomaly("spike", "medium", site=f"s{i:05d}") for i in range(100_000)]
    digest = build_digest("k", flood, ARN, "u", max_examples=100_000)
    assert len(digest.message.encode()) <= 200_000
    assert len(json.loads(digest.attributes["site_ids"]["StringValue"])) == 50
    assert digest.attributes["severity"]["StringValue"] == "medium"


def test_given_a_failed_file_when_building_the_failure_digest_then_it_names_error_and_reason() -> None:
    digest = build_failure_digest(
        "incoming/bad.csv", "InvalidFile", "no valid record: 3 rows rejected", ARN, "u"
    )
    assert digest.subject == "[HIGH] File rejected: incoming/bad.csv (InvalidFile)"
    assert "Reason: no valid record: 3 rows rejected" in digest.message
    assert "quarantine/incoming/bad.csv" in digest.message
    assert digest.attributes["severity"]["StringValue"] == "high"


def test_given_a_region_and_arn_when_building_the_console_url_then_it_opens_the_execution() -> None:
    assert console_url("eu-west-1", ARN) == (
        "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" + ARN
    )


def test_given_events_of_many_readings_when_building_the_digest_then_it_counts_events_and_readings() -> None:
    night = Anomaly("pv", "2025-03-04T18:00:00.000000Z", "negative_value", "medium", -3.0, "-0.1 kWh or more",
                    "standby beyond tolerance", "energy_generated_kwh", end="2025-03-05T06:00:00.000000Z", readings=48)
    stuck = Anomaly("pv", "2025-03-05T09:00:00.000000Z", "flatline", "high", 0.0, "values that change",
                    "stuck at 0", "energy_generated_kwh", end="2025-03-06T09:00:00.000000Z", readings=96)
    blip = anomaly("spike", "low", site="pv", ts="2025-03-05T12:00:00.000000Z")
    digest = build_digest("incoming/pv.json", [blip, night, stuck], ARN, "u", max_examples=2)

    assert digest.subject == "[HIGH] 3 anomalies (145 readings) in incoming/pv.json (1 spike, 1 negative_value, +1 more)"
    examples = [line for line in digest.message.splitlines() if line.startswith("- ")]
    assert examples[0].startswith("- [high] flatline at pv, 2025-03-05 09:00 UTC to 2025-03-06 09:00 UTC (96 readings)")
    assert examples[1].startswith("- [medium] negative_value at pv, 2025-03-04 18:00 UTC to 2025-03-05 06:00 UTC")
    assert "... and 1 more." in digest.message
    assert "When:  2025-03-04 18:00 UTC to 2025-03-06 09:00 UTC" in digest.message
