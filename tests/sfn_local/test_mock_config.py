"""MockConfigFile.json matches the real definition (runs everywhere, no Docker): names, paths, mocks."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from tests.sfn_local.cases import CASES, DEFINITION, STATE_MACHINE, mock_config

CONFIG = mock_config()
TEST_CASES: dict[str, dict[str, str]] = CONFIG["StateMachines"][STATE_MACHINE]["TestCases"]


def _states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state, Map and Parallel insides included (the mock file names them alike)."""
    found = {}
    for name, spec in definition["States"].items():
        found[name] = spec
        for inner in [spec.get("ItemProcessor") or spec.get("Iterator"), *spec.get("Branches", [])]:
            if inner:
                found.update(_states(inner))
    return found


def _transitions(definition: dict[str, Any]) -> set[tuple[str, str]]:
    pairs = set()
    for name, spec in definition["States"].items():
        targets = [
            spec.get("Next"),
            spec.get("Default"),
            *(rule["Next"] for rule in spec.get("Choices", [])),
            *(catch["Next"] for catch in spec.get("Catch", [])),
        ]
        pairs |= {(name, target) for target in targets if target}
        inner = spec.get("ItemProcessor") or spec.get("Iterator")
        if inner:  # into the Map's first state, and from its last states on to the Map's Next
            pairs |= {(name, inner["StartAt"])} | _transitions(inner)
            ends = [state for state, body in inner["States"].items() if body.get("End")]
            pairs |= {(end, spec["Next"]) for end in ends if spec.get("Next")}
    return pairs


DEFINITION_JSON = json.loads(DEFINITION.read_text(encoding="utf-8"))
STATES = _states(DEFINITION_JSON)


def test_the_file_has_the_four_documented_test_cases() -> None:
    assert set(TEST_CASES) == set(CASES) == {"HappyPath", "Anomalies", "InvalidFile", "RetriedTransientError"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_state_a_case_mocks_exists_and_is_a_task(case: str) -> None:
    for state, response in TEST_CASES[case].items():
        assert state in STATES, f"{case}: no state named {state!r} in the definition"
        assert STATES[state]["Type"] == "Task", f"{case}: {state!r} is not a Task"
        assert response in CONFIG["MockedResponses"], f"{case}: no mocked response {response!r}"


def test_every_mocked_response_returns_or_throws_per_invocation() -> None:
    for name, invocations in CONFIG["MockedResponses"].items():
        for key, outcome in invocations.items():
            assert key.replace("-", "").isdigit(), f"{name}: invocation key {key!r}"
            assert len(outcome) == 1 and next(iter(outcome)) in ("Return", "Throw"), name


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_expected_path_is_a_walk_through_the_definition(case: str) -> None:
    path, transitions = CASES[case].path, _transitions(DEFINITION_JSON)
    assert path[0] == DEFINITION_JSON["StartAt"]
    for source, target in itertools.pairwise(path):
        assert (source, target) in transitions, f"{case}: no transition {source!r} -> {target!r}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_task_on_the_path_is_mocked_and_no_other(case: str) -> None:
    tasks = {state for state in CASES[case].path if STATES[state]["Type"] == "Task"}
    assert tasks == set(TEST_CASES[case]), f"{case}: tasks on the path vs mocked states"


def _first_error(case: str, state: str) -> str:
    return str(CONFIG["MockedResponses"][TEST_CASES[case][state]]["0"]["Throw"]["Error"])


def test_the_transient_error_is_one_the_state_retries_and_the_retry_succeeds() -> None:
    case = CASES["RetriedTransientError"]
    assert case.retried
    error = _first_error("RetriedTransientError", case.retried)
    assert any(error in rule["ErrorEquals"] for rule in STATES[case.retried]["Retry"])
    assert "Return" in CONFIG["MockedResponses"][TEST_CASES["RetriedTransientError"][case.retried]]["1"]


def test_the_invalid_file_error_is_not_retried_but_caught_into_the_failure_path() -> None:
    error = _first_error("InvalidFile", "Validate and stage readings")
    validate = STATES["Validate and stage readings"]
    assert not any(error in rule["ErrorEquals"] for rule in validate["Retry"])
    assert validate["Catch"][-1]["Next"] == "Quarantine file"
