"""The bench's price model: billed units and dollars from counted requests."""

import pytest

from bench.prices import PRICES_USD, Usage, cost_usd, gb_seconds, read_units, usd_per_million, write_units


def test_an_item_of_up_to_one_kb_costs_one_write_unit_and_each_started_kb_one_more():
    assert write_units(1) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(0) == 1


def test_eventually_consistent_reads_cost_half_a_unit_per_started_4_kb():
    assert read_units(0) == 1
    assert read_units(8192) == 1
    assert read_units(8193) == 2


def test_lambda_bills_started_milliseconds_at_the_configured_memory():
    assert gb_seconds(1000, 1024) == pytest.approx(1.0)
    assert gb_seconds(0.2, 2048) == pytest.approx(0.002)


def test_the_bill_is_the_sum_of_its_lines():
    usage = Usage(state_transitions=1000, ddb_write_units=1_000_000, sns_publishes=2)
    bill = cost_usd(usage)
    assert bill["state_transitions"] == pytest.approx(0.025)
    assert bill["ddb_write_units"] == pytest.approx(0.625)
    assert bill["total"] == pytest.approx(sum(v for k, v in bill.items() if k != "total"))


def test_every_usage_line_has_a_price():
    assert set(Usage.__dataclass_fields__) == set(PRICES_USD)


def test_cost_per_million_readings_scales_the_file_cost():
    usage = Usage(ddb_write_units=100_000)
    assert usd_per_million(usage, 100_000) == pytest.approx(0.625)
    assert usd_per_million(usage, 0) == 0.0
