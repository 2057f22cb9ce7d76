"""Writes the bundled sample files in events/data/ (deterministic; rerun to refresh them).

Three sites, three days of 15-minute readings in the three formats, a few anomalies and bad records,
plus one file that cannot be parsed - everything `energy-pipeline demo` shows.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "events" / "data"
START = datetime(2025, 2, 17, tzinfo=UTC)
STEPS = 3 * 96


def _solar(moment: datetime, peak: float, rng: random.Random) -> float:
    hour = moment.hour + moment.minute / 60
    shape = max(0.0, math.sin(math.pi * (hour - 7) / 10)) if 7 <= hour <= 17 else 0.0
    return round(peak * shape * rng.uniform(0.85, 1.0), 3)


def _load(moment: datetime, base: float, rng: random.Random) -> float:
    hour = moment.hour + moment.minute / 60
    daily = 1 + 0.6 * math.exp(-((hour - 8) ** 2) / 4) + 0.9 * math.exp(-((hour - 19) ** 2) / 6)
    return round(base * daily * rng.uniform(0.9, 1.1), 3)


def series(site: str, peak: float, base: float, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for step in range(STEPS):
        moment = START + timedelta(minutes=15 * step)
        rows.append({"site_id": site, "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S"),
                     "energy_generated_kwh": _solar(moment, peak, rng),
                     "energy_consumed_kwh": _load(moment, base, rng)})
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    solar = series("solar-farm-01", 40.0, 2.0, 1)
    solar[140]["energy_generated_kwh"] = -12.5  # a sign error from the inverter: negative_value
    solar[150]["energy_consumed_kwh"] = -3.0
    (OUT / "solar-farm-01.json").write_text(json.dumps(solar, indent=1))

    office = series("office-hq", 25.0, 12.0, 2)
    office[200]["energy_consumed_kwh"] = 480.0  # a spike far above this time of day
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(office[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(office)
    (OUT / "office-hq.csv").write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())

    home = series("home-0042", 3.5, 0.3, 3)
    for row in home:
        row["timestamp"] = str(row["timestamp"]) + "Z"
    lines = "".join(json.dumps(row) + "\n" for row in home)
    (OUT / "home-0042.jsonl.gz").write_bytes(gzip.compress(lines.encode(), mtime=0))

    messy = series("warehouse-7", 15.0, 5.0, 4)[:96]
    messy[3]["energy_generated_kwh"] = "12.5"  # a quoted number
    messy[5]["timestamp"] = "2025-02-30T10:00:00"  # no such date
    del messy[7]["energy_consumed_kwh"]  # a missing field
    messy[9]["site_id"] = "warehouse 7; DROP TABLE"  # characters a site id cannot have
    messy.append(dict(messy[20]))  # an exact duplicate: stored once
    conflicting = dict(messy[21])
    conflicting["energy_consumed_kwh"] = 99.0
    messy.append(conflicting)  # same instant, different values: rejected
    (OUT / "warehouse-7-partly-bad.json").write_text(json.dumps(messy, indent=1))

    (OUT / "truncated-upload.json").write_text(json.dumps(series("site-x", 5, 1, 5)[:10])[:-40])
    (OUT / "original-sample.json").write_text(json.dumps([{
        "site_id": "test-site-123", "timestamp": "2025-02-19T23:45:00",
        "energy_generated_kwh": -50.0, "energy_consumed_kwh": 100.0}]))


if __name__ == "__main__":
    main()
