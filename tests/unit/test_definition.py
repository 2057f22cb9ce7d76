"""The checks cfn-lint does not make: the ASL inside the state machine is well formed and defensive."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.local.template import PROJECT_ROOT, load_template

TEMPLATE = load_template()
MACHINE = TEMPLATE["Resources"]["PipelineStateMachine"]["Properties"]
DEFINITION_TEXT = (PROJECT_ROOT / MACHINE["DefinitionUri"]).read_text(encoding="utf-8")
DEFINITION = json.loads(DEFINITION_TEXT)
STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
FAILURE_ENTRY = "Quarantine file"


def machines(definition: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """The top-level machine and every nested one (Map item processors, Parallel branches)."""
    yield path or "top", definition
    for name, state in definition["States"].items():
        nested = state.get("ItemProcessor") or state.get("Iterator")
        if nested:
            yield from machines(nested, f"{path}/{name}")
        for index, branch in enumerate(state.get("Branches", [])):
            yield from machines(branch, f"{path}/{name}[{index}]")


def all_states() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for where, machine in machines(DEFINITION):
        for name, state in machine["States"].items():
            yield where, name, state


def targets(state: dict[str, Any]) -> Iterator[str]:
    for key in ("Next", "Default"):
        if key in state:
            yield state[key]
    for rule in state.get("Choices", []):
        yield rule["Next"]
    for catcher in state.get("Catch", []):
        yield catcher["Next"]


def test_the_definition_uses_only_jsonpath_features_the_local_engine_runs() -> None:
    assert "QueryLanguage" not in DEFINITION_TEXT
    assert '"Assign"' not in DEFINITION_TEXT
    assert "ItemBatcher" not in DEFINITION_TEXT
    assert "EXPRESS" not in DEFINITION_TEXT


@pytest.mark.parametrize("where, machine", list(machines(DEFINITION)))
def test_every_start_next_and_default_target_exists(where: str, machine: dict[str, Any]) -> None:
    names = set(machine["States"])
    assert machine["StartAt"] in names, where
    for name, state in machine["States"].items():
        assert state["Type"] in STATE_TYPES, f"{where}/{name} has unknown Type {state['Type']!r}"
        for target in targets(state):
            assert target in names, f"{where}/{name} goes to missing state {target!r}"
        terminal = state["Type"] in {"Succeed", "Fail"} or state.get("End") is True
        assert terminal or "Next" in state or state["Type"] == "Choice", f"{where}/{name} leads nowhere"


@pytest.mark.parametrize("where, name, state", [s for s in all_states() if s[2]["Type"] == "Task"])
def test_every_task_has_timeout_retry_and_catch(where: str, name: str, state: dict[str, Any]) -> None:
    assert 0 < state.get("TimeoutSeconds", 0) <= 960, f"{name}: TimeoutSeconds"
    assert state.get("Retry"), f"{name}: Retry"
    assert state.get("Catch"), f"{name}: Catch"
    for catcher in state["Catch"]:
        assert "States.ALL" in catcher["ErrorEquals"] or catcher["ErrorEquals"], name


def test_lambda_tasks_retry_the_errors_aws_recommends_with_jitter() -> None:
    recommended = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                   "Lambda.ClientExecutionTimeoutException"}
    for _, name, state in all_states():
        if state["Type"] == "Task" and state["Resource"].endswith(":lambda:invoke"):
            retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
            assert recommended <= retried, name
            assert "Lambda.TooManyRequestsException" in retried, name
            assert all(retrier.get("JitterStrategy") == "FULL" for retrier in state["Retry"]), name


def test_every_top_level_task_and_map_is_caught_into_the_failure_path() -> None:
    top = DEFINITION["States"]
    failure_states = {FAILURE_ENTRY, "Record failure", "Publish failure alert", "Invalid file?", "File rejected",
                      "Processing failed"}
    # After the readings are stored a failed alert is recorded, never quarantined (issue 14).
    alert_failure_states = {"Publish alert", "Record alert failure", "Count alert failure"}
    # Waiting for a file slot never fails a file: an error there means wait and try again (issue 14);
    # a slot not released is taken over once its holder has ended.
    slot_states = {"Take the file slot", "Read the slot holder", "Check the slot holder", "Take over the file slot",
                   "Release the file slot", "Release the file slot after failure"}
    for name, state in top.items():
        if state["Type"] in {"Task", "Map"} and name not in failure_states | alert_failure_states | slot_states:
            assert any(c["Next"] == FAILURE_ENTRY for c in state["Catch"]), name
    for name in slot_states:
        assert {c["Next"] for c in top[name]["Catch"]} <= {"Wait for a file slot", "Read the slot holder",
                                                            "Take over the file slot", top[name].get("Next")}, name
    assert [c["Next"] for c in top["Publish alert"]["Catch"]] == ["Record alert failure"]
    assert "States.ALL" not in {e for retrier in top["Publish alert"]["Retry"] for e in retrier["ErrorEquals"]}


def test_the_failure_path_ends_in_named_fail_states() -> None:
    fails = {name: state for name, state in DEFINITION["States"].items() if state["Type"] == "Fail"}
    assert {state["Error"] for state in fails.values()} == {"InvalidFile", "ProcessingFailed"}


def test_every_substitution_in_the_definition_is_provided_by_the_template() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", DEFINITION_TEXT))
    assert used == set(MACHINE["DefinitionSubstitutions"])


def test_no_state_passes_readings_only_locations_and_counts() -> None:
    # Payload templates reference files, chunks and counts; a "readings" array would break 256 KiB.
    assert "$.Payload.items" not in DEFINITION_TEXT and "$.Payload.readings\"" not in DEFINITION_TEXT.replace(
        '"readings.$": "$.Payload.readings"', "")


def test_states_and_comments_read_well_in_the_console() -> None:
    assert DEFINITION.get("Comment")
    for where, name, state in all_states():
        assert state.get("Comment"), f"{where}/{name} has no Comment"
        assert len(name) <= 80 and name[0].isupper(), name


def test_the_definition_file_is_the_one_the_template_names() -> None:
    assert Path(PROJECT_ROOT / MACHINE["DefinitionUri"]).is_file()


def function_timeout(arn_substitution: str) -> int:
    logical = arn_substitution.removeprefix("${").removesuffix("Arn}")
    properties = TEMPLATE["Resources"][logical]["Properties"]
    return int(properties.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"]))


def test_every_lambda_step_outlasts_its_function_so_the_two_timeouts_never_race() -> None:
    """The function's own timeout fires first (a Lambda error the Retry list names); a step timeout
    equal to it could fire while the function still runs and writes, beside the next attempt."""
    for _, name, state in all_states():
        if state["Type"] == "Task" and state["Resource"].endswith(":lambda:invoke"):
            limit = function_timeout(state["Parameters"]["FunctionName"])
            assert state["TimeoutSeconds"] >= limit + 30, f"{name}: {state['TimeoutSeconds']} s vs {limit} s"


def test_no_execution_outlives_the_claim_lease() -> None:
    """The claim's lease is its execution's life: the state machine's TimeoutSeconds bounds it."""
    assert 0 < DEFINITION["TimeoutSeconds"] <= 6 * 3600
