"""The synthetic data generator: contract-shaped, deterministic, labelled, and clean data raises nothing."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from energy_core.detect import SeriesPoint, canonical, detect_site, load_config
from energy_pipeline import synth, synth_files

CONFIG_FILE = Path(__file__).resolve().parents[2] / "functions/config/detection.json"


def detect_all(data: synth.Dataset) -> list:
    config = load_config({**json.loads(CONFIG_FILE.read_text()), "sites": synth.capacities(data.sites)})
    by_site: dict[str, list[SeriesPoint]] = defaultdict(list)
    for r in data.readings:
        epoch = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()
        by_site[r["site_id"]].append(
            SeriesPoint(
                r["site_id"],
                canonical(epoch),
                epoch,
                r["energy_generated_kwh"],
                r["energy_consumed_kwh"],
                r.get("cumulative_kwh"),
            )
        )
    return [
        a
        for pts in by_site.values()
        for a in detect_site(sorted(pts, key=lambda p: p.epoch), [], config, data.now_epoch)
    ]


def test_given_a_seed_when_generating_twice_then_the_data_is_identical() -> None:
    assert synth.generate(sites=2, days=2, seed=5) == synth.generate(sites=2, days=2, seed=5)


def test_given_defaults_when_generating_then_readings_follow_the_input_contract() -> None:
    data = synth.generate(sites=3, days=1)
    assert len(data.readings) == 3 * 96 and data.labels == []
    r = data.readings[0]
    assert set(r) >= {"site_id", "timestamp", "energy_generated_kwh", "energy_consumed_kwh"}
    assert r["timestamp"].endswith("Z") and isinstance(r["energy_consumed_kwh"], float)
    assert {s.kind for s in data.sites} == {"residential", "commercial"}


def test_given_a_summer_day_when_generating_then_pv_is_zero_at_night_and_high_at_noon() -> None:
    data = synth.generate(sites=1, days=1, start="2025-06-21T00:00:00Z", seed=2)
    gen = [r["energy_generated_kwh"] for r in data.readings]
    assert gen[0] == 0.0 and max(gen) > 0.3 * data.sites[0].pv_kw / 4


@pytest.mark.parametrize("seed", [21, 22])
def test_given_clean_synthetic_data_when_detecting_then_nothing_is_raised(seed: int) -> None:
    assert detect_all(synth.generate(sites=6, days=14, seed=seed)) == []


@pytest.mark.parametrize("kind", synth.FAULT_TYPES)
def test_given_one_fault_type_when_generating_then_every_label_is_found(kind: str) -> None:
    data = synth.generate(sites=3, days=14, seed=9, faults={kind: 2})
    events = detect_all(data)
    labels = {(lab.site_id, lab.timestamp, lab.type) for lab in data.labels}

    def covers(event, label) -> bool:  # an event covers the labelled readings from its start to its end
        return (event.site_id, event.type) == label[::2] and event.timestamp <= label[1] <= event.end

    found = {label for label in labels if any(covers(event, label) for event in events)}
    # Spikes are now judged against the site's own bursts and neighbours (tuned on real meters, where
    # the synthetic generator's weakest spikes - under 3x a neighbour - are ordinary use): half at least.
    assert labels and len(found) >= (0.5 if kind == "spike" else 0.8) * len(labels)
    assert sum(not any(covers(event, label) for label in labels) for event in events) <= 1


@pytest.mark.parametrize("name", ["r.json", "r.jsonl", "r.csv", "r.csv.gz", "r.ndjson.gz"])
def test_given_a_file_name_when_writing_n_readings_then_the_format_follows_the_extension(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    data = synth.generate(sites=3, days=4)  # 3 x 4 x 96 readings
    assert synth_files.write_readings(path, data.readings[:1000]) == 1000
    text = gzip.decompress(path.read_bytes()).decode() if name.endswith(".gz") else path.read_text()
    if ".csv" in name:
        rows = list(csv.DictReader(text.splitlines()))
    elif name.endswith(".json"):
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 1000 and float(rows[-1]["energy_consumed_kwh"]) >= 0


def test_given_a_dataset_when_writing_readings_then_cumulative_is_kept(tmp_path: Path) -> None:
    data = synth.generate(sites=1, days=1)
    assert synth_files.write_readings(tmp_path / "d.jsonl", data.readings) == 96
    first = json.loads((tmp_path / "d.jsonl").read_text().splitlines()[0])
    assert first == data.readings[0] and "cumulative_kwh" in first
