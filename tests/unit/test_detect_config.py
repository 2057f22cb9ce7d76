"""The deployed config file: valid, complete, documented; bad configs fail with the key's name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from energy_core.detect import Capacity, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
RAW = json.loads((ROOT / "functions/config/detection.json").read_text())


def test_given_the_deployed_file_when_loading_then_it_is_valid_and_versioned() -> None:
    config = load_config(RAW)
    assert config.version == RAW["version"]
    assert config.capacity_for("no-such-site") == Capacity(1000.0, 1000.0)
    assert config.default_interval_seconds == 900


def test_given_the_deployed_file_when_reading_the_docs_then_every_key_is_documented() -> None:
    docs = (ROOT / "docs/anomaly-detection.md").read_text()
    keys = {
        f"{section}.{key}"
        for section, block in RAW.items()
        if isinstance(block, dict) and section != "sites"
        for key in block
    }
    keys |= {key for key in RAW if not key.startswith("$")}
    missing = sorted(k for k in keys if not re.search(rf"`{re.escape(k)}`", docs))
    assert missing == []


def test_given_a_site_capacity_when_asking_then_it_overrides_the_default() -> None:
    config = load_config({"sites": {"a": {"generated": 5, "consumed": 12}}})
    assert config.capacity_for("a") == Capacity(5.0, 12.0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"gap": {"tolerance_fractoin": 1}}, "gap: unknown key"),
        ({"spike": {"neighbour_ratio": "4"}}, "spike.neighbour_ratio must be a finite number"),
        ({"flatline": {"enabled": 1}}, "flatline.enabled must be true or false"),
        ({"flatline": {"min_intervals": 2.5}}, "flatline.min_intervals must be a whole number"),
        ({"sites": {"a": {"generated": 5}}}, "sites.a needs both"),
        ({"sites": {"a": {"generated": -5, "consumed": 1}}}, "capacities must be positive"),
        ({"spike": {"quantile_low": 0.9, "quantile_high": 0.1}}, "spike quantiles"),
        ({"colour": "blue"}, "unknown key(s) colour"),
    ],
)
def test_given_a_bad_config_when_loading_then_config_error_names_the_key(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(raw)


def test_given_a_site_that_overrides_a_section_when_loading_then_only_that_site_and_key_change() -> None:
    config = load_config(
        {
            "flatline": {"max_chance": 0.001, "history_days": 21},
            "sites": {
                "plant-7": {
                    "generated": 250,
                    "consumed": 10,
                    "flatline": {"max_chance": 1e-7},
                    "clock_shift": {"enabled": False},
                }
            },
        }
    )
    own = config.for_site("plant-7")
    assert own.flatline_max_chance == 1e-7 and own.flatline_history_days == 21  # the rest from the top
    assert own.clock.enabled is False and config.clock.enabled is True
    assert own.capacity_for("plant-7").generated_kw == 250
    assert config.for_site("other") is config


def test_given_a_typo_in_a_site_override_when_loading_then_the_error_names_the_site_and_key() -> None:
    with pytest.raises(ConfigError, match=r"sites\.plant-7: .*flatline.*max_chanse"):
        load_config({"sites": {"plant-7": {"flatline": {"max_chanse": 1e-7}}}})


def test_given_a_site_with_clock_shift_off_when_detecting_then_its_daylight_saving_logger_raises_nothing() -> (
    None
):
    from test_detect_conventions import pv

    from energy_core.detect import detect_site

    points = pv(21, shift_from=12)
    now = points[-1].epoch + 900
    quiet = load_config({"sites": {"pv": {"clock_shift": {"enabled": False}}}})
    assert "clock_shift" in {a.type for a in detect_site(points, [], load_config({}), now)}
    assert "clock_shift" not in {a.type for a in detect_site(points, [], quiet, now)}
