"""Real measured series from pip packages, converted honestly to the pipeline's input contract.

Sources (installed by the dev extra, never shipped in a function):
- pvanalytics (NREL): `ac_power_inv_2173_stale_data.csv` (normalised AC power of a PV inverter, 15 min,
  with pvanalytics' own stale-data mask), `ac_power_inv_7539_outliers.csv` (normalised AC power, 15 min,
  with the outliers pvanalytics planted and labelled: negatives and readings far above or below their
  neighbours; `ac_power_inv_7539.csv` is the same series without them, its `label` marking clipping),
  `serf_west_15min.csv` (NREL SERF west array, AC power in W, 15 min, logged at :01, :16, ...),
  `nrel_1axis_tracker_mesa_ac_power.csv` (a single-axis tracker, AC power, 15 min, local time -06:00),
  `serf_east_15min_ac_power.csv` (SERF east array, AC power in W, 15 min).
- pvanalytics `system_50_ac_power_2_full_DST.parquet` (a PV system's AC power in W, 15 min, 2011-2013,
  its timestamps written at a fixed -07:00 by a logger whose clock follows US daylight saving: the
  series pvanalytics' own daylight-saving example is built on). Its real clock shifts are labelled on
  the days the US changed its clocks (second Sunday of March, first Sunday of November). Parquet needs
  pyarrow, which the benchmark's venv installs.
- eemeter: `uk-electricity-hdd-only-hourly-sample-{0,1,2}.csv.gz` (UK household electricity meters,
  kWh per interval: hourly for sample 0, half-hourly for 1 and 2). eemeter's own dependencies are heavy
  (numba, nlopt, scikit-fda), so the bench downloads its wheel without dependencies (`pip download
  --no-deps`) and reads the samples from the wheel: the data still comes from the package as published.
  The Illinois samples of eemeter are simulated and are left out.

Conversion: power (W, or normalised to a nominal capacity) -> kWh per interval = mean power x interval.
Nothing is smoothed or interpolated; a missing row stays missing; night-time negative standby readings
stay as measured. PV sites put their energy in `energy_generated_kwh` (consumed 0); household meters in
`energy_consumed_kwh` (generated 0).
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

EEMETER = "eemeter==4.1.1"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "realdata"
NOMINAL_KW = 100.0  # scale of the normalised pvanalytics series (their capacity is not published)


@dataclass
class Site:
    """One real series: epochs (s, UTC), kWh per interval, and the faults the source itself labels."""

    site_id: str
    kind: str  # "pv" or "load"
    interval: float  # seconds
    epochs: np.ndarray
    kwh: np.ndarray
    source: str
    labelled: dict[str, np.ndarray] = field(default_factory=dict)  # type -> boolean mask per reading
    capacity_kw: float | None = None  # the inverter's AC limit where the source shows it (its clipping)

    @property
    def months(self) -> float:
        return (self.epochs[-1] - self.epochs[0] + self.interval) / (30.44 * 86400)


def pvanalytics_dir() -> Path:
    import pvanalytics

    return Path(pvanalytics.__file__).parent / "data"


def _utc_epochs(values: pd.Series) -> np.ndarray:
    stamps = pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    return stamps.as_unit("s").asi8.astype(np.float64)


def _pv(site_id: str, epochs: np.ndarray, power_kw: np.ndarray, source: str, **labels: np.ndarray) -> Site:
    order = np.argsort(epochs, kind="stable")
    epochs, power_kw = epochs[order], power_kw[order]
    keep = ~np.isnan(power_kw)  # a missing measurement is a missing row, not a zero
    interval = float(np.median(np.diff(epochs)))
    kwh = power_kw * interval / 3600.0
    return Site(
        site_id,
        "pv",
        interval,
        epochs[keep],
        kwh[keep],
        source,
        {name: mask[order][keep] for name, mask in labels.items()},
    )


def load_pvanalytics() -> list[Site]:
    data = pvanalytics_dir()
    sites = []
    stale = pd.read_csv(data / "ac_power_inv_2173_stale_data.csv")
    sites.append(
        _pv(
            "pv-inv-2173",
            _utc_epochs(stale["timestamp"]),
            stale["value_normalized"].to_numpy(float) * NOMINAL_KW,
            "pvanalytics ac_power_inv_2173_stale_data.csv (normalised x 100 kW)",
            stuck=stale["stale_data_mask"].to_numpy(bool),
        )
    )
    # The same 500 readings as ac_power_inv_7539.csv, with six outliers pvanalytics planted and labelled
    # (its outlier examples read this file). ac_power_inv_7539.csv's own `label` marks clipping - the
    # inverter held at its limit, which is normal - and is not a fault.
    outliers = pd.read_csv(data / "ac_power_inv_7539_outliers.csv")
    values = outliers["value_normalized"].to_numpy(float)
    labelled = outliers["outlier"].to_numpy(bool)
    inverter = _pv(
        "pv-inv-7539",
        _utc_epochs(outliers["timestamp"]),
        values * NOMINAL_KW,
        "pvanalytics ac_power_inv_7539_outliers.csv (normalised x 100 kW, with its outlier labels)",
        spike=labelled & (values >= 0),
        negative=labelled & (values < 0),
    )
    # Normalised to its clipping level (ac_power_inv_7539.csv peaks at 0.9999 in 48 clipped readings):
    # the AC capacity an operator would configure for it is the nominal 100 kW.
    inverter.capacity_kw = NOMINAL_KW
    sites.append(inverter)
    west = pd.read_csv(data / "serf_west_15min.csv", index_col=0)
    sites.append(
        _pv(
            "pv-serf-west",
            _utc_epochs(pd.Series(west.index)),
            west["ac_power__773"].to_numpy(float) / 1000.0,
            "pvanalytics serf_west_15min.csv (W)",
        )
    )
    east = pd.read_csv(data / "serf_east_15min_ac_power.csv", index_col=0)
    sites.append(
        _pv(
            "pv-serf-east",
            _utc_epochs(pd.Series(east.index)),
            east.iloc[:, 0].to_numpy(float) / 1000.0,
            "pvanalytics serf_east_15min_ac_power.csv (W)",
        )
    )
    mesa = pd.read_csv(data / "nrel_1axis_tracker_mesa_ac_power.csv")
    sites.append(
        _pv(
            "pv-mesa-tracker",
            _utc_epochs(mesa["measured_on"]),
            mesa["ac_power"].to_numpy(float),
            "pvanalytics nrel_1axis_tracker_mesa_ac_power.csv (kW)",
        )
    )
    return sites


def us_clock_changes(first_year: int, last_year: int) -> list[date]:
    """The days the US changed its clocks (since 2007): the second Sunday of March, the first of November."""
    changes = []
    for year in range(first_year, last_year + 1):
        for month, sunday in ((3, 2), (11, 1)):
            first = date(year, month, 1)
            changes.append(first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (sunday - 1)))
    return changes


def load_dst_logger() -> Site:
    """pvanalytics' PV system 50, whose logger follows daylight saving: real clock shifts, labelled."""
    frame = pd.read_parquet(pvanalytics_dir() / "system_50_ac_power_2_full_DST.parquet")
    epochs = _utc_epochs(frame["measured_on"])
    utc_days = (epochs // 86400).astype(np.int64)
    years = pd.DatetimeIndex(pd.to_datetime(frame["measured_on"], utc=True)).year
    changes = us_clock_changes(int(years.min()), int(years.max()))
    change_days = np.array([(day - date(1970, 1, 1)).days for day in changes])
    return _pv(
        "pv-system-50",
        epochs,
        frame["ac_power_2"].to_numpy(float) / 1000.0,
        "pvanalytics system_50_ac_power_2_full_DST.parquet (W, logger on daylight saving)",
        clock_shift=np.isin(utc_days, change_days),
    )


def eemeter_wheel() -> Path:
    """eemeter's wheel from PyPI, without its dependencies, cached under .cache/realdata."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("eemeter-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(CACHE), EEMETER],
            check=True,
        )
        found = sorted(CACHE.glob("eemeter-*.whl"))
    return found[-1]


def load_eemeter(samples: tuple[int, ...] = (0, 1, 2)) -> list[Site]:
    sites = []
    with zipfile.ZipFile(eemeter_wheel()) as wheel:
        for number in samples:
            name = f"eemeter/eemeter/samples/uk-electricity-hdd-only-hourly-sample-{number}.csv.gz"
            frame = pd.read_csv(io.BytesIO(gzip.decompress(wheel.read(name))))
            frame = frame.dropna(subset=["value"])
            epochs = _utc_epochs(frame["start"])
            order = np.argsort(epochs, kind="stable")
            interval = float(np.median(np.diff(epochs[order])))
            sites.append(
                Site(
                    f"uk-home-{number}",
                    "load",
                    interval,
                    epochs[order],
                    frame["value"].to_numpy(float)[order],
                    f"eemeter {Path(name).name} (kWh)",
                )
            )
    return sites


def load_all() -> list[Site]:
    return [*load_pvanalytics(), load_dst_logger(), *load_eemeter()]
