"""Benchmark: 50 sites x 30 days of 15-minute readings, drawn with 1 worker and with N.

    .venv/bin/python -m viz.bench [--sites 50] [--days 30] [--workers 1 2 4]

Data is served by `MemorySource` (1,000-item pages, like the API), so this measures the charts
module itself: fetch-and-parse, pandas aggregation, matplotlib drawing, PNG encoding.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from viz.batch import generate_charts
from viz.memory import MemorySource
from viz.source import Item, iso

START = datetime(2025, 1, 1, tzinfo=UTC)


def site_readings(days: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for i in range(days * 96):
        moment = START + timedelta(minutes=15 * i)
        hour = moment.hour + moment.minute / 60
        generated = round(max(0.0, math.sin(math.pi * (hour - 6) / 12)) * rng.uniform(1.0, 3.0), 3)
        consumed = round(0.4 + 0.9 * math.exp(-((hour - 19) ** 2) / 4) * rng.uniform(0.6, 1.4), 3)
        items.append(
            {
                "timestamp": iso(moment),
                "energy_generated_kwh": generated,
                "energy_consumed_kwh": consumed,
                "net_energy_kwh": round(generated - consumed, 3),
            }
        )
    return items


def fleet(sites: int, days: int) -> MemorySource:
    readings = {f"site-{n:03d}": site_readings(days, n) for n in range(sites)}
    anomalies = {
        site: [
            {
                "timestamp": items[500]["timestamp"],
                "type": "spike",
                "severity": "high",
                "value": 250.0,
                "expected": "",
                "reason": "bench",
                "field": "energy_consumed_kwh",
            }
        ]
        for site, items in readings.items()
    }
    return MemorySource(readings, anomalies)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, nargs="+", default=sorted({1, os.cpu_count() or 1}))
    args = parser.parse_args()
    source = fleet(args.sites, args.days)
    print(f"{args.sites} sites x {args.days} days x 96 readings/day, {os.cpu_count()} CPUs")
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as out:
            began = time.perf_counter()
            report = generate_charts(source, Path(out), None, None, None, workers=workers, progress=False)
            took = time.perf_counter() - began
            failed = len(report.failures)
            print(f"workers={workers}: {took:.1f} s ({took / args.sites:.2f} s/site), failures={failed}")


if __name__ == "__main__":
    main()
