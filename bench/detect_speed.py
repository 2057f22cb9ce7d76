"""Readings per second of the detectors (numpy) on one core, given columns as the Detect step gives them.

    python bench/detect_speed.py [--sites 10] [--per-site 100000]

`rules` = negative_value, out_of_range, future_timestamp, flatline, gap, counter_reset (spike off);
`all` adds spike. Series come from energy_pipeline.synth (every 10,000th reading made negative so
that rule walks its slow path too), each site with 28 days of stored history as in the pipeline.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "src")]

from energy_core.detect import (  # noqa: E402
    DetectionConfig,
    Series,
    SeriesPoint,
    canonical,
    detect_site,
    load_config,
)
from energy_pipeline import synth  # noqa: E402

START = 1_699_920_000  # a midnight UTC
Work = tuple[Series, Series]  # (file readings, history)


def build(sites: int, per_site: int) -> list[Work]:
    out = []
    history_len = 28 * 96
    for n, site in enumerate(synth.make_sites(sites, seed=7)):
        rows = synth.site_rows(site, START, per_site + history_len, 900, n)
        points = [
            SeriesPoint(site.site_id, canonical(e), e, g, _odd(i, c), _register(site, i))
            for i, (e, g, c) in enumerate(rows)
        ]
        # As the Detect step hands them over: columns (energy_core.detect.inputs builds a Series from
        # the chunks), not a list of points to convert.
        out.append((Series.of(points[history_len:]), Series.of(points[:history_len])))
    return out


def _odd(i: int, consumed: float) -> float:
    return -consumed if i % 10_000 == 9_999 else consumed


def _register(site: synth.Site, i: int) -> float | None:
    return 1000.0 + i * 0.1 if site.cumulative else None


def measure(label: str, work: list[Work], config: DetectionConfig) -> float:
    now = max(p[-1].epoch for p, _ in work) + 900
    total = sum(len(p) for p, _ in work)
    best, found = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        found = sum(len(detect_site(points, history, config, now)) for points, history in work)
        best = min(best, time.perf_counter() - started)
    rate = total / best
    print(f"{label:<6} {total:>10,} in {best:6.2f} s = {rate:>11,.0f} readings/s ({found} anomalies)")
    return rate


def rate(sites: int, per_site: int) -> float:
    """Readings per second of every detector together (the best of three runs)."""
    return measure("all", build(sites, per_site), load_config({}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--per-site", type=int, default=100_000)
    args = parser.parse_args()
    work = build(args.sites, args.per_site)
    config = load_config({})
    print(f"python {sys.version.split()[0]}")
    rules_only = dataclasses.replace(config, spike=dataclasses.replace(config.spike, enabled=False))
    measure("rules", work, rules_only)
    measure("all", work, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
