"""The ledger claim under what AWS does to it: a retried call whose first write committed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.reprocess import ledger_item
from tests.workflow.faults import CommittedThenFailed, committed_then_failed
from tests.workflow.helpers import run, stored_readings, write

pytestmark = pytest.mark.workflow

ROWS = [{"site_id": "claim-site", "timestamp": f"2025-07-01T00:{m:02d}:00Z", "energy_generated_kwh": 0.5,
         "energy_consumed_kwh": 1.0} for m in (0, 15, 30, 45)]


def ledger_table(local: Any) -> str:
    return str(local.engine.stack.outputs["CatalogTableName"])


def test_given_a_claim_that_committed_before_its_error_when_it_is_retried_then_the_file_is_processed(
        local, tmp_path: Path) -> None:
    # "attribute_not_exists(#sk)" is in the claim's condition only: the first claim commits, then fails.
    fault = CommittedThenFailed(ledger_table(local), marker="attribute_not_exists(#sk)")
    with committed_then_failed(fault):
        [row] = run(local, write(tmp_path, "claimed-once.json", ROWS))

    assert fault.raised == 1 and fault.calls == 2  # the retry saw the claim its first attempt wrote
    assert row["status"] == "SUCCEEDED" and row["already_processed"] is False, row
    assert row["stored"] == 4 and len(stored_readings(local, "claim-site")) == 4
    entry = ledger_item(local.target, ledger_table(local), "incoming/claimed-once.json")
    assert entry is not None and entry["status"] == "SUCCEEDED" and entry["execution"] == row["execution"]
