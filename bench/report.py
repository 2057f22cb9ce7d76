"""The results table: each figure with its goal, printed as it is measured and gathered for BENCH_OUT."""

from __future__ import annotations

import operator
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# name -> (comparison, goal): a figure meets its goal when compare(value, goal) holds.
GOALS: dict[str, tuple[Callable[[float, float], bool], int]] = {
    "compute_ratio_to_parse": (operator.le, 4),
    "detect_readings_per_s": (operator.ge, 1_000_000),
    "ddb_write_requests_per_1000": (operator.le, 40),
    "sns_publishes_per_file": (operator.le, 1),
    "speedup_vs_naive": (operator.ge, 5),
    "max_handler_import_ms": (operator.le, 300),
    "max_package_mb": (operator.le, 30),
    # Detect alone carries numpy (issue 13): its own, wider budget
    "detect_import_ms": (operator.le, 500),
    "detect_package_mb": (operator.le, 60),
    "largest_file_readings": (operator.ge, 1_000_000),
    "max_state_payload_bytes": (operator.le, 262_144),
}
_SYMBOL: dict[Any, str] = {operator.le: "<=", operator.ge: ">="}


def goal_text(name: str) -> str:
    if name not in GOALS:
        return ""
    compare, goal = GOALS[name]
    return f"{_SYMBOL[compare]} {goal:,}"


def meets(name: str, value: float | None) -> bool | None:
    """None when the figure has no goal or was not measured."""
    if name not in GOALS or value is None:
        return None
    compare, goal = GOALS[name]
    return bool(compare(value, goal))


def show(value: Any) -> str:
    if isinstance(value, float):
        # Three significant decimals at most, but never rounded onto a goal it misses (40.02 is not 40.0).
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass
class Table:
    """Rows of (metric, scope, value, goal, met), printed one by one as they come."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, metric: str, scope: str, value: Any, goal_metric: str | None = None) -> None:
        checked = meets(goal_metric or metric, value if isinstance(value, int | float) else None)
        row = {
            "metric": metric,
            "scope": scope,
            "value": value,
            "goal": goal_text(goal_metric or metric),
            "met": checked,
        }
        self.rows.append(row)
        mark = {True: "yes", False: "NO", None: ""}[checked]
        print(f"{metric:<34} {scope:<22} {show(value):>16} {row['goal']:>12} {mark:>4}", flush=True)

    @staticmethod
    def header() -> None:
        print(f"{'metric':<34} {'scope':<22} {'value':>16} {'goal':>12} {'met':>4}")
        print("-" * 92, flush=True)

    def markdown(self) -> str:
        lines = ["| metric | scope | value | goal | met |", "|---|---|---:|---:|:---:|"]
        for row in self.rows:
            met = {True: "yes", False: "**no**", None: ""}[row["met"]]
            lines.append(
                f"| {row['metric']} | {row['scope']} | {show(row['value'])} | {row['goal']} | {met} |"
            )
        return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "?")
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": _git_head(),
    }


def _cpuinfo() -> list[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return info.read().splitlines()
    except OSError:
        return []


def _git_head() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "?"
