from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from tests.viz import sample
from viz.batch import BatchReport, generate_charts
from viz.memory import MemorySource


@pytest.fixture
def fleet() -> MemorySource:
    return make_fleet()


@pytest.fixture(scope="module")
def charted(tmp_path_factory: pytest.TempPathFactory) -> BatchReport:
    """One batch shared by the tests that only read its output: drawing is the slow part."""
    return generate_charts(
        make_fleet(), tmp_path_factory.mktemp("charts"), None, None, None, workers=1, progress=False
    )


def make_fleet() -> MemorySource:
    """Three sites: a normal week with anomalies and a gap, a deficit-only site, one reading."""
    week = sample.readings(96 * 7, skip=(range(300, 420),))
    anomalies = [
        sample.anomaly(sample.with_value(week, 40, "energy_consumed_kwh", 1_000_000.0), "spike"),
        sample.anomaly(
            sample.with_value(week, 90, "energy_generated_kwh", -2.5),
            "negative_value",
            "energy_generated_kwh",
        ),
        {  # stored with the reading that ended the silence (index 420, week[300] after the skip)
            "anomaly_id": sample.stamp(sample.START + 300 * sample.STEP) + "#gap",
            "timestamp": sample.stamp(sample.START + 300 * sample.STEP),
            "reading_timestamp": week[300]["timestamp"],
            "type": "gap",
            "severity": "medium",
            "value": 120,
            "expected": "a reading every 15 min",
            "reason": "30 h without readings",
        },
    ]
    deficit = sample.readings(96 * 3, solar=0.0, seed=2)
    # Small pages so every walk crosses several next_tokens.
    return MemorySource(
        {"alpha": week, "night": deficit, "single": sample.readings(1)}, {"alpha": anomalies}, page_size=97
    )


def assert_not_blank(path: Path) -> None:
    pixels = imread(path)[..., :3]
    assert pixels.shape[0] >= 400 and pixels.shape[1] >= 800, "print quality means at least 800x400 px"
    assert float(np.std(pixels)) > 0.05, f"{path} looks blank"
    inked = (pixels.mean(axis=2) < 0.9).mean()
    assert inked > 0.01, f"{path} has almost nothing drawn on it"
