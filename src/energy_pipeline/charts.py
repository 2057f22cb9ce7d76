"""Charts from the embedded engine (for `demo`): the real query handler in-process feeds viz."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def charts_for_engine(local: Any, out: Path) -> str | None:
    from energy_pipeline.api.in_process import invoker, query_function_spec, query_handler
    from viz.batch import generate_charts
    from viz.source import HandlerSource

    handler = query_handler(query_function_spec(local.engine.stack.functions), None)
    report = generate_charts(HandlerSource(invoker(handler)), out, None, None, None, progress=False)
    if report.failures:
        for site, reason in report.failures.items():
            print(f"chart for {site} failed: {reason}")
    return str(report.gallery.resolve()) if report.gallery else None
