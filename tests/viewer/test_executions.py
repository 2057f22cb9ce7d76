"""`executions`: the list of runs, and how an execution is named on the command line."""

from __future__ import annotations

import pytest

from energy_pipeline.cli import main
from energy_pipeline.errors import ExecutionNotFound
from energy_pipeline.viewer import listing, source
from tests.viewer.conftest import Runs


def test_the_list_shows_file_status_duration_and_counts_newest_first(runs: Runs) -> None:
    rows = {row["file"]: row for row in listing.rows(runs.source)}
    clean, failed = rows["incoming/clean.json"], rows["incoming/truncated-upload.json"]
    assert (clean["status"], clean["received"], clean["stored"], clean["anomalies"]) == ("SUCCEEDED", 6, 6, 0)
    assert failed["status"] == "FAILED" and failed["error"] == "InvalidFile" and failed["stored"] is None
    assert all(row["duration_s"] is not None for row in rows.values())
    table = listing.table(list(rows.values()))
    assert "incoming/clean.json" in table and "error: InvalidFile" in table


def test_an_execution_is_found_by_arn_name_or_unique_name_start(runs: Runs) -> None:
    arn = runs.arn("failed")
    name = arn.rsplit(":", 1)[-1]
    assert source.resolve(runs.source, arn) == arn
    assert source.resolve(runs.source, name) == arn
    assert source.resolve(runs.source, "truncated") == arn
    with pytest.raises(ExecutionNotFound, match="no execution named"):
        source.resolve(runs.source, "no-such-run")


def test_a_deployed_stack_gets_a_console_link(runs: Runs) -> None:
    deployed = source.Source(None, runs.source.state_machine_arn, "eu-west-1", deployed=True)
    url = deployed.console_url(runs.arn("clean"))
    assert (
        url
        and url.startswith("https://eu-west-1.console.aws.amazon.com/states/")
        and url.endswith(runs.arn("clean"))
    )
    assert runs.source.console_url(runs.arn("clean")) is None


@pytest.mark.parametrize("command", [["executions"], ["show", "some-run"]])
def test_without_a_stack_the_commands_explain_where_executions_live(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 2
    error = capsys.readouterr().err
    assert "energy-pipeline serve" in error and "--stack" in error
