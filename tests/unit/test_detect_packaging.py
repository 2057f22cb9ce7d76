"""What the Detect function's build leaves out (functions/Makefile, build-DetectFunction) is never
loaded by Detect: its handler imports and its detectors run with those packages made unimportable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.unit.import_guard import refusing

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = ("numpy.random", "numpy.polynomial", "numpy.fft", "numpy.testing", "numpy.f2py",
            "jsonschema", "jsonschema_specifications", "referencing", "rpds", "msgspec", "pydantic",
            "pydantic_core")

PROGRAM = refusing(LEFT_OUT, "not in the Detect package") + """
import json, os, random, sys
os.environ.update(BUCKET_NAME="b", READINGS_TABLE="r", CATALOG_TABLE="c", AWS_DEFAULT_REGION="us-east-1",
                  POWERTOOLS_SERVICE_NAME="energy-pipeline", POWERTOOLS_METRICS_NAMESPACE="EnergyPipeline")
sys.path.insert(0, "functions")
import detect.app
from energy_core.detect import SeriesPoint, canonical, detect_site
t0 = 1_740_355_200.0
points = [SeriesPoint("s", canonical(t0 + i * 900), t0 + i * 900, max(0.0, random.random() - 0.3),
                      random.random()) for i in range(96 * 30)]
points[2000] = points[2000]._replace(consumed=-40.0)
found = detect_site(points[-96:], points[:-96], detect.app.CONFIG, t0 + 96 * 30 * 900)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("numpy."))))
"""


def test_given_the_left_out_packages_unimportable_when_detect_runs_then_nothing_needs_them() -> None:
    result = subprocess.run([sys.executable, "-c", PROGRAM], check=False, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "numpy._core.multiarray" in result.stdout  # the probe does run numpy


def test_the_makefile_leaves_out_exactly_what_the_test_checks() -> None:
    makefile = (ROOT / "functions" / "Makefile").read_text()
    prune = re.search(r"build-DetectFunction: PRUNE := (.*?)\n\n", makefile, re.S)
    assert prune is not None
    for name in LEFT_OUT:
        assert name.replace(".", "/") in prune.group(1).split()
