"""Detection settings: parsed once from functions/config/detection.json and validated fail-fast.

Every key is documented in docs/anomaly-detection.md (a unit test keeps the two in step).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from energy_core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Capacity:
    """Largest plausible power of a site in kW (= kWh per hour), scaled by the interval when used."""

    generated_kw: float
    consumed_kw: float


@dataclass(frozen=True, slots=True)
class SpikeConfig:
    enabled: bool = True
    neighbour_ratio: float = 3.0
    min_jump_fraction: float = 0.1
    min_jump_kwh: float = 0.01
    window_minutes: float = 30.0
    history_days: int = 28
    min_days: int = 7
    quantile_low: float = 0.05
    quantile_high: float = 0.95
    band_fraction: float = 2.5
    no_baseline_factor: float = 2.0
    clear_sky_factor: float = 1.25
    weekday_split: float = 0.25
    low_ratio: float = 0.2
    low_min_fraction: float = 0.25
    dark_fraction: float = 0.02
    flag_low_generation: bool = False


@dataclass(frozen=True, slots=True)
class ClockConfig:
    enabled: bool = True
    min_shift_minutes: float = 30.0
    days_before: int = 5
    days_after: int = 6
    min_day_fraction: float = 0.3


@dataclass(frozen=True, slots=True)
class DetectionConfig:
    version: str = "default"
    default_interval_seconds: float = 900.0
    negative_enabled: bool = True
    negative_tolerance_kwh: float = 0.0
    negative_standby_fraction: float = 0.02
    range_enabled: bool = True
    default_capacity: Capacity = Capacity(1000.0, 1000.0)
    sites: Mapping[str, Capacity] = field(default_factory=dict)
    range_high_factor: float = 2.0
    future_enabled: bool = True
    future_skew_seconds: float = 300.0
    future_high_after_seconds: float = 86400.0
    flatline_enabled: bool = True
    flatline_min_duration_minutes: float = 180.0
    flatline_min_intervals: int = 4
    flatline_clipping_fraction: float = 0.98
    flatline_high_after_minutes: float = 1440.0
    flatline_max_chance: float = 0.00001
    flatline_history_days: int = 28
    flatline_min_days: int = 7
    flatline_trip_fraction: float = 0.2
    gap_enabled: bool = True
    gap_tolerance_fraction: float = 0.5
    gap_medium_after_intervals: int = 4
    gap_high_after_intervals: int = 96
    gap_dark_loss_fraction: float = 0.01
    gap_dim_fraction: float = 0.1
    counter_enabled: bool = True
    counter_min_drop_kwh: float = 0.5
    counter_min_drop_fraction: float = 0.001
    spike: SpikeConfig = SpikeConfig()
    clock: ClockConfig = ClockConfig()
    # sites whose own block in `sites` changes any section: their whole settings, built once
    site_settings: Mapping[str, DetectionConfig] = field(default_factory=dict)

    def capacity_for(self, site_id: str) -> Capacity:
        return self.sites.get(site_id, self.default_capacity)

    def for_site(self, site_id: str) -> DetectionConfig:
        """The settings that apply to one site: its overrides over the defaults, or the defaults."""
        return self.site_settings.get(site_id, self)


# json key -> (DetectionConfig attribute, expected type); sections mirror detection.json.
_SECTIONS: dict[str, dict[str, tuple[str, type]]] = {
    "interval": {"default_seconds": ("default_interval_seconds", float)},
    "negative_value": {
        "enabled": ("negative_enabled", bool),
        "tolerance_kwh": ("negative_tolerance_kwh", float),
        "standby_fraction": ("negative_standby_fraction", float),
    },
    "out_of_range": {"enabled": ("range_enabled", bool), "high_factor": ("range_high_factor", float)},
    "future_timestamp": {
        "enabled": ("future_enabled", bool),
        "skew_seconds": ("future_skew_seconds", float),
        "high_after_seconds": ("future_high_after_seconds", float),
    },
    "flatline": {
        "enabled": ("flatline_enabled", bool),
        "min_duration_minutes": ("flatline_min_duration_minutes", float),
        "min_intervals": ("flatline_min_intervals", int),
        "clipping_fraction": ("flatline_clipping_fraction", float),
        "high_after_minutes": ("flatline_high_after_minutes", float),
        "max_chance": ("flatline_max_chance", float),
        "history_days": ("flatline_history_days", int),
        "min_days": ("flatline_min_days", int),
        "trip_fraction": ("flatline_trip_fraction", float),
    },
    "gap": {
        "enabled": ("gap_enabled", bool),
        "tolerance_fraction": ("gap_tolerance_fraction", float),
        "medium_after_intervals": ("gap_medium_after_intervals", int),
        "high_after_intervals": ("gap_high_after_intervals", int),
        "dark_loss_fraction": ("gap_dark_loss_fraction", float),
        "dim_fraction": ("gap_dim_fraction", float),
    },
    "counter_reset": {
        "enabled": ("counter_enabled", bool),
        "min_drop_kwh": ("counter_min_drop_kwh", float),
        "min_drop_fraction": ("counter_min_drop_fraction", float),
    },
}
_SPIKE_KEYS: dict[str, type] = {name: type(getattr(SpikeConfig(), name)) for name in SpikeConfig.__slots__}
_CLOCK_KEYS: dict[str, type] = {name: type(getattr(ClockConfig(), name)) for name in ClockConfig.__slots__}
_TOP_KEYS = {"version", "spike", "clock_shift", "default_capacity_kw", "sites", *_SECTIONS}


def load_config(raw: Mapping[str, Any]) -> DetectionConfig:
    """Build the config from the parsed JSON; unknown keys are errors so a typo never silently disables."""
    _check_keys("detection config", raw, _TOP_KEYS)
    values: dict[str, Any] = {}
    for section, keys in _SECTIONS.items():
        block = _mapping(raw.get(section, {}), section)
        _check_keys(section, block, set(keys))
        for key, (attr, kind) in keys.items():
            if key in block:
                values[attr] = _typed(block[key], kind, f"{section}.{key}")
    if "version" in raw:
        values["version"] = _text(raw["version"], "version")
    if "default_capacity_kw" in raw:
        values["default_capacity"] = _capacity(raw["default_capacity_kw"], "default_capacity_kw")
    sites = _mapping(raw.get("sites", {}), "sites")
    values["sites"], overrides = _sites(sites)
    values["spike"] = _spike(_mapping(raw.get("spike", {}), "spike"))
    clock = _mapping(raw.get("clock_shift", {}), "clock_shift")
    _check_keys("clock_shift", clock, set(_CLOCK_KEYS))
    values["clock"] = ClockConfig(
        **{key: _typed(value, _CLOCK_KEYS[key], f"clock_shift.{key}") for key, value in clock.items()}
    )
    config = _checked(DetectionConfig(**values))
    if not overrides:
        return config
    return replace(
        config, site_settings={site: _site_config(raw, site, o, config) for site, o in overrides.items()}
    )


# sections a site may change for itself (`interval` is the file's, not the site's)
_OVERRIDABLE = {"spike", "clock_shift", *_SECTIONS} - {"interval"}


def _sites(sites: Mapping[str, Any]) -> tuple[dict[str, Capacity], dict[str, dict[str, Any]]]:
    """Each site's capacities (kW), and the sections it overrides."""
    capacities, overrides = {}, {}
    for site, raw_block in sites.items():
        block = _mapping(raw_block, f"sites.{site}")
        _check_keys(f"sites.{site}", block, {"generated", "consumed", *_OVERRIDABLE})
        sizes = {key: block[key] for key in ("generated", "consumed") if key in block}
        if sizes:
            capacities[site] = _capacity(sizes, f"sites.{site}")
        sections = {key: value for key, value in block.items() if key in _OVERRIDABLE}
        if sections:
            overrides[site] = sections
    return capacities, overrides


def _site_config(
    raw: Mapping[str, Any], site: str, sections: dict[str, Any], defaults: DetectionConfig
) -> DetectionConfig:
    """The defaults with one site's sections laid over them, key by key."""
    merged: dict[str, Any] = {key: value for key, value in raw.items() if key != "sites"}
    for section, block in sections.items():
        merged[section] = {
            **_mapping(raw.get(section, {}), section),
            **_mapping(block, f"sites.{site}.{section}"),
        }
    try:
        own = load_config(merged)
    except ConfigError as error:
        raise ConfigError(f"sites.{site}: {error}") from None
    return replace(own, sites=defaults.sites, version=defaults.version)


def _spike(block: Mapping[str, Any]) -> SpikeConfig:
    _check_keys("spike", block, set(_SPIKE_KEYS))
    return SpikeConfig(
        **{key: _typed(value, _SPIKE_KEYS[key], f"spike.{key}") for key, value in block.items()}
    )


def _capacity(raw: Any, where: str) -> Capacity:
    block = _mapping(raw, where)
    _check_keys(where, block, {"generated", "consumed"})
    if set(block) != {"generated", "consumed"}:
        raise ConfigError(f"{where} needs both 'generated' and 'consumed' (kW)")
    cap = Capacity(_typed(block["generated"], float, where), _typed(block["consumed"], float, where))
    if cap.generated_kw <= 0 or cap.consumed_kw <= 0:
        raise ConfigError(f"{where}: capacities must be positive kW")
    return cap


def _checked(cfg: DetectionConfig) -> DetectionConfig:
    spike = cfg.spike
    problems = [
        (cfg.default_interval_seconds > 0, "interval.default_seconds must be > 0"),
        (cfg.negative_tolerance_kwh >= 0, "negative_value.tolerance_kwh must be >= 0"),
        (cfg.range_high_factor >= 1, "out_of_range.high_factor must be >= 1"),
        (cfg.future_skew_seconds >= 0, "future_timestamp.skew_seconds must be >= 0"),
        (cfg.flatline_min_intervals >= 2, "flatline.min_intervals must be >= 2"),
        (0 < cfg.flatline_clipping_fraction <= 1, "flatline.clipping_fraction must be in (0, 1]"),
        (0 <= cfg.flatline_trip_fraction <= 1, "flatline.trip_fraction must be in [0, 1] (0 turns it off)"),
        (cfg.gap_tolerance_fraction > 0, "gap.tolerance_fraction must be > 0"),
        (0 <= cfg.gap_dark_loss_fraction < 1, "gap.dark_loss_fraction must be in [0, 1)"),
        (0 <= cfg.gap_dim_fraction <= 1, "gap.dim_fraction must be in [0, 1]"),
        (cfg.counter_min_drop_kwh >= 0, "counter_reset.min_drop_kwh must be >= 0"),
        (
            0 <= spike.quantile_low < spike.quantile_high <= 1,
            "spike quantiles must satisfy 0 <= low < high <= 1",
        ),
        (spike.neighbour_ratio > 1, "spike.neighbour_ratio must be > 1"),
        (
            spike.min_days >= 1 and spike.history_days >= spike.min_days,
            "spike needs 1 <= min_days <= history_days",
        ),
    ]
    for ok, message in problems:
        if not ok:
            raise ConfigError(message)
    return cfg


def _check_keys(where: str, block: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(key for key in block if key not in allowed and not key.startswith("$"))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _mapping(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be an object, got {type(raw).__name__}")
    return raw


def _typed(raw: Any, kind: type, where: str) -> Any:
    if kind is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"{where} must be true or false, got {raw!r}")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ConfigError(f"{where} must be a finite number, got {raw!r}")
    if kind is int and raw != int(raw):
        raise ConfigError(f"{where} must be a whole number, got {raw!r}")
    return kind(raw)


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise ConfigError(f"{where} must be a non-empty string")
    return raw
