"""Walking every page of a range sees each item exactly once, in order, and stops on the last page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_data import hours, ts, walk


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_given_a_multi_page_range_when_walking_readings_then_each_is_seen_once_in_order(api, store, order):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 1000, timedelta(minutes=15))
    inside = [s for s in stamps if ts("2025-01-02T00:00:00Z") <= s < ts("2025-01-10T00:00:00Z")]

    items, pages = walk(
        api, f"/sites/s1/readings?from=2025-01-02T00:00:00Z&to=2025-01-10T00:00:00Z&limit=97&order={order}"
    )

    seen = [item["timestamp"] for item in items]
    assert seen == (inside if order == "asc" else inside[::-1])
    assert pages == -(-len(inside) // 97)  # no trailing empty page


def test_given_a_page_exactly_full_when_it_is_the_last_then_no_token_is_given(api, store):
    store.series("s1", "2025-01-01T00:00:00Z", 10, hours(1))
    assert api.json("/sites/s1/readings?limit=10")["next_token"] is None
    assert api.json("/sites/s1/readings?limit=9")["next_token"] is not None


def test_given_many_anomalies_of_mixed_types_when_walking_one_type_then_each_is_seen_once(api, store):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 120, hours(1), anomalies_every=1)
    for stamp in stamps[::3]:
        store.anomaly("s1", stamp, "gap", "low")

    spikes, _ = walk(api, "/sites/s1/anomalies?type=spike&limit=7")
    gaps, _ = walk(api, "/sites/s1/anomalies?type=gap&limit=7")
    everything, _ = walk(api, "/sites/s1/anomalies?limit=25")

    assert [a["timestamp"] for a in spikes] == stamps
    assert [a["timestamp"] for a in gaps] == stamps[::3]
    assert len(everything) == 160 and len({(a["timestamp"], a["type"]) for a in everything}) == 160
    # Each reading's list in its stored order, readings in time order: pages of 25 end inside lists.
    expected = [(stamp, kind) for stamp in stamps for kind in (("spike", "gap") if stamp in gaps_at(stamps) else
                                                                ("spike",))]
    assert [(a["reading_timestamp"], a["type"]) for a in everything] == expected
    assert [a["anomaly_id"] for a in everything] == [f"{stamp}#{kind}" for stamp, kind in expected]


def gaps_at(stamps: list[str]) -> set[str]:
    return set(stamps[::3])


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_given_readings_holding_several_anomalies_when_pages_end_inside_a_list_then_none_is_lost(
    api, store, limit
):
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 4, hours(1))
    for kind in ("spike", "flatline", "gap"):
        store.anomaly("s1", stamps[1], kind)
    store.anomaly("s1", stamps[3], "spike")

    items, pages = walk(api, f"/sites/s1/anomalies?limit={limit}")

    assert [(a["reading_timestamp"], a["type"]) for a in items] == [
        (stamps[1], "spike"), (stamps[1], "flatline"), (stamps[1], "gap"), (stamps[3], "spike")
    ]
    assert pages == -(-4 // limit)


def test_given_a_rare_type_when_pages_run_out_of_calls_then_tokens_continue_until_every_one_is_seen(
    api, store, monkeypatch
):
    from energy_aws import queries

    monkeypatch.setattr(queries, "TYPE_FILTER_READS", 1)
    monkeypatch.setattr(queries, "MAX_CALLS_PER_PAGE", 3)
    stamps = store.series("s1", "2025-01-01T00:00:00Z", 20, hours(1), anomalies_every=1)
    for stamp in (stamps[7], stamps[19]):
        store.anomaly("s1", stamp, "counter_reset")

    items, pages = walk(api, "/sites/s1/anomalies?type=counter_reset&limit=1")

    assert [a["reading_timestamp"] for a in items] == [stamps[7], stamps[19]]
    assert pages > 2  # some pages ended empty-handed, with a token, rather than reading on


def test_given_many_sites_when_walking_the_site_list_then_each_is_seen_once_in_order(api, store):
    names = [f"site-{index:03d}" for index in range(45)]
    for name in names:
        store.site(name, ts("2025-01-01T00:00:00Z"), ts("2025-01-01T00:00:00Z"), 1, 0)

    items, pages = walk(api, "/sites?limit=10")

    assert [item["site_id"] for item in items] == names and pages == 5
