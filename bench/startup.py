"""Cold start and package size of every function in template.yaml.

max_handler_import_ms: each handler module imported in a fresh interpreter with its template
environment, the variables Lambda itself sets (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, ...) and functions/
as the import root, as on Lambda; best of REPEATS processes. The Lambda variables matter: with them the
Powertools Tracer is on (it patches botocore), and the X-Ray SDK takes its Lambda path - without them it
builds a botocore X-Ray client for its sampler at import, ~80 ms that no Lambda cold start pays.
max_package_mb: the size of each function's `sam build` output (`make sam-build` first: it installs sam
into .venv-sam when it is not there yet).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from energy_pipeline.local.stack import function_specs

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 3
_PROBE = (
    "import importlib, time\n"
    "started = time.perf_counter()\n"
    "importlib.import_module({module!r})\n"
    "print((time.perf_counter() - started) * 1000)\n"
)


def import_ms(module: str, code_dir: Path, environment: dict[str, str], lambda_env: dict[str, str]) -> float:
    env = {
        **os.environ,
        **environment,
        **lambda_env,
        "PYTHONPATH": str(code_dir),
        "LAMBDA_TASK_ROOT": str(code_dir),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    runs = []
    for _ in range(REPEATS):
        done = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module)],
            env=env,
            cwd=code_dir,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        runs.append(float(done.stdout.strip().splitlines()[-1]))
    return min(runs)


def handler_imports() -> dict[str, float]:
    """Milliseconds per function (logical id) to import its handler module."""
    out = {}
    for spec in function_specs().values():
        module = spec.handler.rpartition(".")[0]
        lambda_env = {
            "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "_HANDLER": spec.handler,
        }
        out[spec.logical_id] = round(import_ms(module, spec.code_dir, spec.environment, lambda_env), 1)
    return out


def _size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1_000_000


def sam_build() -> str | None:
    """Runs `make sam-build` (which installs aws-sam-cli into .venv-sam first on a fresh clone);
    the reason it did not build, otherwise."""
    if os.environ.get("BENCH_SAM_BUILD", "1") == "0":
        return "skipped: BENCH_SAM_BUILD=0"
    done = subprocess.run(
        ["make", "-s", "sam-build"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    return None if done.returncode == 0 else f"sam build failed: {done.stderr.strip()[-300:]}"


def package_sizes() -> dict[str, Any]:
    problem = sam_build()
    build = ROOT / ".aws-sam" / "build"
    sizes = {
        spec.logical_id: round(_size_mb(build / spec.logical_id), 1)
        for spec in function_specs().values()
        if (build / spec.logical_id).is_dir()
    }
    if not sizes:
        return {"skipped": problem or "skipped: run make sam-build"}
    return {"sizes_mb": sizes, "note": problem} if problem else {"sizes_mb": sizes}
