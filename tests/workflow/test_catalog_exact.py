"""The site catalog is exact when files for one site are processed at the same time, re-sent, or retried.

Catalog updates from concurrent executions used to be read-modify-write with no condition: the last
writer won and counts and first/last readings were lost. Reads of the catalog are slowed here so the
window a real Lambda has is always open; the catalog must still hold exactly what the table holds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.runner import run_files
from tests.workflow.faults import LambdaFault, SlowReads, lambda_fault, slow_reads
from tests.workflow.helpers import assert_catalog_matches_table, run, write

pytestmark = pytest.mark.workflow

SITE = "catalog-site"
PER_FILE = 8  # two hours of 15-minute readings


@pytest.fixture
def api(local: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The query API's real handler over the local stack's tables."""
    from energy_pipeline.api.in_process import invoker, query_function_spec, query_handler
    from viz.source import HandlerSource

    spec = query_function_spec(local.engine.stack.functions)
    for name, value in spec.environment.items():
        monkeypatch.setenv(name, value)
    handler = query_handler(spec, None)
    monkeypatch.setattr(sys.modules[handler.__module__], "_service", None)  # a handler cached by another test
    return HandlerSource(invoker(handler))


def day_file(day: int, site: str = SITE, negative_at: int | None = None) -> list[dict[str, Any]]:
    return [{"site_id": site, "timestamp": f"2025-06-{day:02d}T{i // 4:02d}:{i % 4 * 15:02d}:00Z",
             "energy_generated_kwh": -1.0 if i == negative_at else 0.5, "energy_consumed_kwh": 1.0}
            for i in range(PER_FILE)]


def test_given_20_files_for_one_site_processed_at_once_then_the_catalog_is_exact(
        local, tmp_path: Path, api: Any) -> None:
    days = list(range(1, 21))
    paths = [write(tmp_path, f"day-{day:02d}.json", day_file(day, negative_at=3 if day % 5 == 0 else None))
             for day in days]
    catalog = local.engine.stack.outputs["CatalogTableName"]

    with slow_reads(SlowReads(catalog)) as fault:
        rows = run_files(local.target, paths, timeout_s=300)

    assert [row["status"] for row in rows] == ["SUCCEEDED"] * len(days), rows
    assert fault.calls >= len(days)  # the catalog really read its items under the slowed reads
    entry = assert_catalog_matches_table(local, SITE)
    assert int(entry["reading_count"]) == len(days) * PER_FILE
    assert entry["first_timestamp"].startswith("2025-06-01T00:00")
    assert entry["last_timestamp"].startswith("2025-06-20T01:45")

    [listed] = [site for site in api.sites() if site["site_id"] == SITE]
    assert listed["reading_count"] == len(days) * PER_FILE
    summary = api.get(f"/sites/{SITE}/summary", {"resolution": "day"})  # the default range: the catalog's
    assert summary["totals"]["reading_count"] == len(days) * PER_FILE


def test_given_a_file_sent_again_with_new_content_then_its_readings_are_counted_once(local, tmp_path: Path) -> None:
    run(local, write(tmp_path, "resent.json", day_file(3, negative_at=2)))
    changed = [dict(row, energy_consumed_kwh=2.0) for row in day_file(3)]  # the anomaly is corrected
    [second] = run(local, write(tmp_path, "resent.json", changed))

    assert second["status"] == "SUCCEEDED" and second["stored"] == PER_FILE
    entry = assert_catalog_matches_table(local, SITE)
    assert (entry["reading_count"], entry["anomaly_count"]) == (str(PER_FILE), "0")


def test_given_the_catalog_task_retried_after_its_writes_committed_then_nothing_is_counted_twice(
        local, tmp_path: Path) -> None:
    """The first invocation runs to the end, then its response is lost (as a Lambda timeout after the
    writes would): Step Functions retries the task, which must not add the file a second time."""

    class AfterCommit(LambdaFault):
        def __call__(self, spec: Any, event: dict[str, Any]) -> None:
            if spec.logical_id == self.function and self.raised < 1:
                from energy_pipeline.local.executor import EXECUTOR, LambdaContext

                context = LambdaContext(spec.name, spec.memory_mb, spec.name, spec.timeout_s)
                EXECUTOR.handler_for(spec)(event, context)  # the writes commit ...
            super().__call__(spec, event)  # ... and the invocation still fails

    run(local, write(tmp_path, "earlier.json", day_file(1)))
    with lambda_fault(AfterCommit("CatalogFunction", "Lambda.ServiceException")) as fault:
        [row] = run(local, write(tmp_path, "retried.json", day_file(2, negative_at=1)))

    assert fault.raised == 1 and fault.calls == 2
    assert row["status"] == "SUCCEEDED"
    entry = assert_catalog_matches_table(local, SITE)
    assert entry["reading_count"] == str(2 * PER_FILE)
