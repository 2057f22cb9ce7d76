"""Every route's answer on seeded data, through the real handler with API Gateway proxy events."""

from __future__ import annotations

from decimal import Decimal

from api_data import hours, ts


def test_given_two_sites_when_listing_sites_then_both_appear_with_times_and_counts(api, store):
    store.site("alpha", ts("2025-01-01T00:00:00Z"), ts("2025-01-02T00:00:00Z"), 97, 3)
    store.site("beta", ts("2025-02-01T00:00:00Z"), ts("2025-02-01T01:00:00Z"), 5, 0)

    answer = api.json("/sites")

    assert answer["next_token"] is None
    assert answer["items"] == [
        {
            "site_id": "alpha",
            "first_timestamp": "2025-01-01T00:00:00.000000Z",
            "last_timestamp": "2025-01-02T00:00:00.000000Z",
            "reading_count": 97,
            "anomaly_count": 3,
        },
        {
            "site_id": "beta",
            "first_timestamp": "2025-02-01T00:00:00.000000Z",
            "last_timestamp": "2025-02-01T01:00:00.000000Z",
            "reading_count": 5,
            "anomaly_count": 0,
        },
    ]


def test_given_no_sites_when_listing_then_the_list_is_empty(api):
    assert api.json("/sites") == {"items": [], "next_token": None}


def test_given_readings_when_asking_a_half_open_range_then_from_is_included_and_to_is_not(api, store):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 10, hours(1))

    answer = api.json("/sites/s1/readings?from=2025-01-01T02:00:00Z&to=2025-01-01T05:00:00Z")

    assert [item["timestamp"] for item in answer["items"]] == stamps[2:5]
    assert answer["site_id"] == "s1"
    assert answer["next_token"] is None


def test_given_an_offset_in_from_when_asking_readings_then_it_is_read_as_that_instant_in_utc(api, store):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 10, hours(1))

    answer = api.json("/sites/s1/readings?from=2025-01-01T04:00:00%2B02:00&limit=2")

    assert [item["timestamp"] for item in answer["items"]] == stamps[2:4]


def test_given_no_range_when_asking_readings_then_the_whole_history_is_answered(api, store):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 10, hours(1))

    answer = api.json("/sites/s1/readings")

    assert [item["timestamp"] for item in answer["items"]] == stamps


def test_given_desc_order_when_asking_readings_then_the_newest_comes_first(api, store):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 5, hours(1))

    answer = api.json("/sites/s1/readings?order=desc")

    assert [item["timestamp"] for item in answer["items"]] == stamps[::-1]


def test_given_a_reading_with_anomalies_when_asked_then_its_fields_and_flags_are_answered(api, store):
    stamp = ts("2025-01-01T00:00:00Z")
    store.site("s1", stamp, stamp, 1, 1)
    flags = [{"type": "spike", "severity": "high", "reason": "12 kWh is 6x the median"}]
    store.reading("s1", stamp, "12.5", "0.25", cumulative_kwh=Decimal("1000.5"), anomalies=flags)

    item = api.json("/sites/s1/readings")["items"][0]

    assert item == {
        "timestamp": stamp,
        "energy_generated_kwh": Decimal("12.5"),
        "energy_consumed_kwh": Decimal("0.25"),
        "net_energy_kwh": Decimal("12.25"),
        "cumulative_kwh": Decimal("1000.5"),
        "anomalies": flags,
    }


def test_given_stored_decimals_when_answered_then_the_json_numbers_are_exactly_the_stored_text(api, store):
    stamp = ts("2025-01-01T00:00:00Z")
    store.site("s1", stamp, stamp, 1, 0)
    store.reading("s1", stamp, "0.1", "0.30000000000000004")

    body = api.get("/sites/s1/readings").body.decode()

    assert '"energy_generated_kwh":0.1,' in body
    assert '"energy_consumed_kwh":0.30000000000000004,' in body
    assert '"net_energy_kwh":-0.20000000000000004' in body


def test_given_anomalies_when_asking_a_range_and_type_then_only_those_are_answered(api, store):
    store.site("s1", ts("2025-01-01T00:00:00Z"), ts("2025-01-03T00:00:00Z"), 3, 4)
    store.anomaly("s1", ts("2025-01-01T00:00:00Z"), "spike")
    store.anomaly("s1", ts("2025-01-02T00:00:00Z"), "gap", "medium", "3")
    store.anomaly("s1", ts("2025-01-02T00:00:00Z"), "spike")
    store.anomaly("s1", ts("2025-01-03T00:00:00Z"), "spike")

    everything = api.json("/sites/s1/anomalies?from=2025-01-01T00:00:00Z&to=2025-01-03T00:00:00Z")
    spikes = api.json("/sites/s1/anomalies?type=spike&from=2025-01-02")

    assert [(i["timestamp"][:10], i["type"]) for i in everything["items"]] == [
        ("2025-01-01", "spike"),
        ("2025-01-02", "gap"),
        ("2025-01-02", "spike"),
    ]
    assert [i["timestamp"][:10] for i in spikes["items"]] == ["2025-01-02", "2025-01-03"]
    gap = everything["items"][1]
    assert gap == {
        "timestamp": ts("2025-01-02T00:00:00Z"),
        "type": "gap",
        "severity": "medium",
        "value": 3,
        "expected": "0 to 4 kWh",
        "reason": f"gap at {ts('2025-01-02T00:00:00Z')}",
        "source_key": "incoming/f.json",
        "ingested_at": ts("2025-03-01T00:00:00Z"),
    }


def test_given_hourly_readings_when_summarising_by_day_then_buckets_hold_exact_sums_min_max_and_counts(
    api, store
):
    store.series("s1", "2025-01-01T00:00:00Z", 48, hours(1), anomalies_every=10)

    answer = api.json("/sites/s1/summary?from=2025-01-01T00:00:00Z&to=2025-01-03T00:00:00Z&resolution=day")

    assert answer["from"] == "2025-01-01T00:00:00.000000Z" and answer["to"] == "2025-01-03T00:00:00.000000Z"
    assert answer["resolution"] == "day"
    first, second = answer["buckets"]
    assert (
        first["start"] == "2025-01-01T00:00:00.000000Z" and second["start"] == "2025-01-02T00:00:00.000000Z"
    )
    day_one = [Decimal(i % 7) / 10 for i in range(24)]
    assert first["reading_count"] == 24 and first["anomaly_count"] == 3  # hours 0, 10, 20
    assert first["energy_generated_kwh"] == {"sum": sum(day_one), "min": Decimal(0), "max": Decimal("0.6")}
    assert first["energy_consumed_kwh"]["sum"] == Decimal("4.8")
    assert answer["totals"]["reading_count"] == 48 and answer["totals"]["anomaly_count"] == 5
    assert answer["totals"]["net_energy_kwh"]["sum"] == sum(
        Decimal(i % 7) / 10 - Decimal("0.2") for i in range(48)
    )


def test_given_no_range_when_summarising_then_the_sites_whole_history_is_used(api, store):
    stamps = store.series("s1", "2025-01-01T00:30:00Z", 5, hours(1))

    answer = api.json("/sites/s1/summary?resolution=hour")

    assert answer["from"] == stamps[0]
    assert answer["to"] == "2025-01-01T04:30:00.000001Z"
    assert [b["start"][:13] for b in answer["buckets"]] == [
        "2025-01-01T00",
        "2025-01-01T01",
        "2025-01-01T02",
        "2025-01-01T03",
        "2025-01-01T04",
    ]


def test_given_readings_in_two_months_when_summarising_by_month_then_buckets_start_on_the_first(api, store):
    store.series("s1", "2025-01-31T22:00:00Z", 4, hours(1))

    answer = api.json("/sites/s1/summary?resolution=month")

    assert [(b["start"], b["reading_count"]) for b in answer["buckets"]] == [
        ("2025-01-01T00:00:00.000000Z", 2),
        ("2025-02-01T00:00:00.000000Z", 2),
    ]


def test_given_a_gap_anomaly_in_an_empty_bucket_when_summarising_then_the_bucket_counts_it_with_null_min_max(
    api, store
):
    store.series("s1", "2025-01-01T00:00:00Z", 2, hours(3))
    store.anomaly("s1", ts("2025-01-01T01:00:00Z"), "gap")

    answer = api.json("/sites/s1/summary?from=2025-01-01T00:00:00Z&to=2025-01-01T06:00:00Z&resolution=hour")

    gap = answer["buckets"][1]
    assert gap["start"] == "2025-01-01T01:00:00.000000Z"
    assert gap["reading_count"] == 0 and gap["anomaly_count"] == 1
    assert gap["energy_generated_kwh"] == {"sum": 0, "min": None, "max": None}
    assert [b["start"][11:13] for b in answer["buckets"]] == ["00", "01", "03"]
