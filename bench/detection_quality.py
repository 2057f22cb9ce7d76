"""Precision and recall of every detector on labelled synthetic data (energy_pipeline.synth).

    python bench/detection_quality.py [--seeds 1 2 3 4 5] [--json out.json]

Two ways a site's data reaches the detectors, both measured:
- whole: one two-week file per site, no stored history;
- daily: three weeks as one file per day, each judged against the site's previous <= 28 days.
For every seed: a clean dataset (must raise nothing) and one dataset per fault type.
Settings are functions/config/detection.json plus each site's capacity (as an operator configures it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "src")]

from energy_core.detect import TYPES, Anomaly, DetectionConfig, SeriesPoint, detect_site, load_config  # noqa: E402
from energy_pipeline import synth  # noqa: E402

Key = tuple[str, str, str]  # site_id, timestamp, type
FAULTS_PER_SITE = 3
SITES = 6
DAY = 86400.0


def series(readings: Iterable[dict[str, Any]]) -> dict[str, list[SeriesPoint]]:
    sites: dict[str, list[SeriesPoint]] = defaultdict(list)
    for r in readings:
        epoch = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()
        point = SeriesPoint(
            r["site_id"],
            synth.canonical(epoch),
            epoch,
            float(r["energy_generated_kwh"]),
            float(r["energy_consumed_kwh"]),
            r.get("cumulative_kwh"),
        )
        sites[r["site_id"]].append(point)
    for points in sites.values():
        points.sort(key=lambda p: p.epoch)
    return sites


def run_whole(data: synth.Dataset, config: DetectionConfig) -> list[Anomaly]:
    return [
        a
        for points in series(data.readings).values()
        for a in detect_site(points, [], config, data.now_epoch)
    ]


def run_daily(data: synth.Dataset, config: DetectionConfig) -> list[Anomaly]:
    found = []
    for points in series(data.readings).values():
        by_day: dict[int, list[SeriesPoint]] = defaultdict(list)
        for p in points:
            by_day[min(int(p.epoch // DAY), int(data.now_epoch // DAY) - 1)].append(
                p
            )  # future rows: last file
        stored: list[SeriesPoint] = []
        for day in sorted(by_day):
            now = (day + 1) * DAY + 600  # the day's file arrives ten minutes after midnight
            history = [p for p in stored if p.epoch >= now - 28 * DAY]
            found += detect_site(
                by_day[day], history, config, max(now, data.now_epoch) if day == max(by_day) else now
            )
            stored += [p for p in by_day[day] if p.epoch <= now]
    return found


def score(found: list[Anomaly], labels: Iterable[synth.Label], counts: dict[str, Counter[str]]) -> None:
    """Per event, as an operator sees them: a label is found when an event of its type covers it (from
    its start to its end: three future readings in a row are one event), an event is right when it
    covers at least one label. tp/fn count labels, right/fp count events."""
    for kind in TYPES:
        events = [a for a in found if a.type == kind]
        want = {(label.site_id, label.timestamp) for label in labels if label.type == kind}
        found_labels = {w for w in want if any(_covers(a, *w) for a in events)}
        right = sum(any(_covers(a, *w) for w in want) for a in events)
        counts[kind].update(
            tp=len(found_labels), fn=len(want - found_labels), right=right, fp=len(events) - right
        )


def _covers(event: Anomaly, site_id: str, timestamp: str) -> bool:
    return event.site_id == site_id and event.timestamp <= timestamp <= event.end  # canonical stamps sort


def evaluate(seeds: list[int], mode: str) -> dict[str, Any]:
    runner, days = (run_whole, 14) if mode == "whole" else (run_daily, 21)
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in TYPES}
    clean_total = 0
    readings = 0
    for seed in seeds:
        sites = synth.make_sites(SITES, seed)
        config = base_config(sites)
        clean = synth.generate(sites=sites, days=days, seed=seed)
        clean_found = runner(clean, config)
        clean_total += len(clean_found)
        for a in clean_found[:3]:
            print(f"  clean seed {seed}: {a.type}: {a.reason}", file=sys.stderr)
        for kind in synth.FAULT_TYPES:
            data = synth.generate(sites=sites, days=days, seed=seed, faults={kind: FAULTS_PER_SITE})
            readings += len(data.readings)
            found = runner(data, config)
            if mode == "daily":  # a spike needs a week of baseline: the first week is not scored
                warm = data.readings[0]["timestamp"][:10]
                found = [a for a in found if a.type != "spike" or _days_after(warm, a.timestamp) >= 7]
                labels = [
                    lab for lab in data.labels if lab.type != "spike" or _days_after(warm, lab.timestamp) >= 7
                ]
            score(found, labels if mode == "daily" else data.labels, counts)
    return {
        "mode": mode,
        "seeds": seeds,
        "clean_anomalies": clean_total,
        "readings": readings,
        "types": _table(counts),
    }


def _days_after(first_day: str, timestamp: str) -> float:
    start = datetime.fromisoformat(first_day + "T00:00:00+00:00").timestamp()
    return (datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() - start) / DAY


def _table(counts: dict[str, Counter[str]]) -> dict[str, dict[str, float]]:
    table = {}
    for kind, c in counts.items():
        tp, fp, fn, right = c["tp"], c["fp"], c["fn"], c["right"]
        table[kind] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(right / (right + fp), 4) if right + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        }
    return table


def base_config(sites: list[synth.Site]) -> DetectionConfig:
    raw = json.loads((ROOT / "functions/config/detection.json").read_text())
    return load_config({**raw, "sites": {**raw.get("sites", {}), **synth.capacities(sites)}})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--modes", nargs="+", default=["whole", "daily"], choices=["whole", "daily"])
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    results, ok = [], True
    for mode in args.modes:
        started = time.perf_counter()
        result = evaluate(args.seeds, mode)
        result["seconds"] = round(time.perf_counter() - started, 1)
        results.append(result)
        ok &= _print(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


def _print(result: dict[str, Any]) -> bool:
    print(
        f"\nmode={result['mode']} seeds={result['seeds']}"
        f" readings={result['readings']:,} ({result['seconds']} s)"
    )
    print(f"{'type':<18}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    ok = result["clean_anomalies"] == 0
    for kind, row in result["types"].items():
        ok &= row["precision"] >= 0.95 and row["recall"] >= 0.90
        print(
            f"{kind:<18}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['tp']:>6}{row['fp']:>5}{row['fn']:>5}"
        )
    print(f"anomalies on clean data: {result['clean_anomalies']}  -> {'PASS' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
