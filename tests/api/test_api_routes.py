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


def test_given_a_reading_stored_with_a_net_when_answered_then_net_is_computed_from_the_stored_values(
    api, store
):
    # net_energy_kwh is derived data: an item that still carries one (written by an earlier version)
    # is answered with generated - consumed, never with what it holds.
    stamp = ts("2025-01-01T00:00:00Z")
    store.site("s1", stamp, stamp, 1, 0)
    store.reading("s1", stamp, "12.5", "0.25", net_energy_kwh=Decimal("999"))

    assert api.json("/sites/s1/readings")["items"][0]["net_energy_kwh"] == Decimal("12.25")


def test_given_anomalies_when_asking_a_range_and_type_then_only_those_are_answered(api, store):
    days = [ts(f"2025-01-0{day}T00:00:00Z") for day in (1, 2, 3)]
    store.site("s1", days[0], days[-1], 3, 4)
    for day in days:
        store.reading("s1", day, "1.5", "0.5")
    store.anomaly("s1", days[0], "spike")
    store.anomaly("s1", days[1], "gap", "medium", "3")
    store.anomaly("s1", days[1], "spike")
    store.anomaly("s1", days[2], "spike")

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
        "anomaly_id": f"{days[1]}#gap",
        "start": days[1],
        "end": days[1],  # stored before events had an end: one reading
        "readings": 1,
        "timestamp": days[1],
        "reading_timestamp": days[1],
        "type": "gap",
        "severity": "medium",
        "value": 3,
        "expected": "0 to 4 kWh",
        "reason": f"gap at {days[1]}",
        "source_key": "incoming/f.json",
        "ingested_at": ts("2025-03-01T00:00:00Z"),
    }


def test_a_frozen_logger_holding_both_fields_is_two_events_with_two_ids(api, store) -> None:
    start = ts("2025-01-01T00:00:00Z")
    store.site("s1", start, start, 1, 2)
    store.reading("s1", start, "1", "0.5")
    for field in ("energy_generated_kwh", "energy_consumed_kwh"):
        store.anomaly("s1", start, "flatline", field=field, end=ts("2025-01-01T05:00:00Z"), readings=21)

    events = api.json("/sites/s1/anomalies")["items"]
    assert [event["anomaly_id"] for event in events] == [
        f"{start}#flatline#energy_generated_kwh", f"{start}#flatline#energy_consumed_kwh"]


def test_given_a_gap_attached_to_the_reading_after_it_when_filtering_then_the_readings_time_selects_it(
    api, store
):
    before, after = ts("2025-01-01T00:00:00Z"), ts("2025-01-01T03:00:00Z")
    store.site("s1", before, after, 2, 1)
    store.reading("s1", before, "1", "0")
    store.reading("s1", after, "1", "0")
    silence = ts("2025-01-01T01:00:00Z")  # the gap began here, where no reading is stored
    store.anomaly("s1", silence, "gap", reading=after, end=ts("2025-01-01T02:45:00Z"), readings=8)

    [gap] = api.json("/sites/s1/anomalies?from=2025-01-01T02:00:00Z")["items"]
    assert (gap["timestamp"], gap["reading_timestamp"], gap["anomaly_id"]) == (silence, after, f"{silence}#gap")
    assert (gap["start"], gap["end"], gap["readings"]) == (silence, ts("2025-01-01T02:45:00Z"), 8)
    assert api.json("/sites/s1/anomalies?from=2025-01-01T02:46:00Z")["items"] == []  # over before it
    assert api.json("/sites/s1/anomalies?to=2025-01-01T01:00:00Z")["items"] == []  # not begun
    assert len(api.json("/sites/s1/anomalies?to=2025-01-01T02:00:00Z")["items"]) == 1  # under way
    readings = api.json("/sites/s1/readings")["items"]
    assert [r.get("anomalies") for r in readings] == [
        None, [{"type": "gap", "severity": "high", "reason": f"gap at {silence}"}]
    ]


def test_given_events_when_asking_a_range_then_every_event_overlapping_it_is_answered(api, store):
    first, last = ts("2025-01-01T00:00:00Z"), ts("2025-01-04T00:00:00Z")
    store.site("s1", first, last, 4, 4)
    stamps = {name: ts(stamp) for name, stamp in {
        "stuck": "2025-01-01T10:00:00Z", "spike": "2025-01-02T05:00:00Z",
        "after": "2025-01-03T08:00:00Z", "gap_end": "2025-01-02T13:15:00Z"}.items()}
    for stamp in stamps.values():
        store.reading("s1", stamp, "1", "0")
    # began the day before the range, still stuck inside it: stored on its first reading
    store.anomaly("s1", stamps["stuck"], "flatline", end=ts("2025-01-03T06:00:00Z"), readings=160)
    store.anomaly("s1", stamps["spike"], "spike")
    store.anomaly("s1", stamps["after"], "spike")
    # a gap that began inside the range, stored on the reading that ended it, after the range
    store.anomaly("s1", ts("2025-01-02T11:00:00Z"), "gap", reading=stamps["gap_end"],
                  end=ts("2025-01-02T13:00:00Z"), readings=9)

    items = api.json("/sites/s1/anomalies?from=2025-01-02T00:00:00Z&to=2025-01-02T12:00:00Z")["items"]

    assert [(i["type"], i["start"][:16]) for i in items] == [
        ("flatline", "2025-01-01T10:00"), ("spike", "2025-01-02T05:00"), ("gap", "2025-01-02T11:00")]
    assert items[0]["end"] == ts("2025-01-03T06:00:00Z") and items[0]["readings"] == 160


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


def test_given_a_gap_when_summarising_then_it_counts_in_the_bucket_of_the_reading_that_ended_it(
    api, store
):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 2, hours(3))
    store.anomaly("s1", ts("2025-01-01T01:00:00Z"), "gap", reading=stamps[1])

    answer = api.json("/sites/s1/summary?from=2025-01-01T00:00:00Z&to=2025-01-01T06:00:00Z&resolution=hour")

    assert [(b["start"][11:13], b["reading_count"], b["anomaly_count"]) for b in answer["buckets"]] == [
        ("00", 1, 0),
        ("03", 1, 1),
    ]
    assert answer["totals"]["anomaly_count"] == 1


def test_given_no_reading_in_the_range_when_summarising_then_totals_are_zero_with_null_min_max(api, store):
    store.series("s1", "2025-01-01T00:00:00Z", 2, hours(3))

    answer = api.json("/sites/s1/summary?from=2025-02-01T00:00:00Z&to=2025-02-02T00:00:00Z&resolution=hour")

    assert answer["buckets"] == []
    assert answer["totals"]["net_energy_kwh"] == {"sum": 0, "min": None, "max": None}
