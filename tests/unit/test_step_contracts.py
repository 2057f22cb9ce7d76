"""The step models (energy_aws.contracts) and the state machine agree: each Task's Payload is its
function's input model, and each ResultSelector keeps fields of its result model."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from energy_aws import contracts
from energy_aws.errors import ContractError

ROOT = Path(__file__).resolve().parents[2]
DEFINITION = json.loads((ROOT / "statemachine" / "pipeline.asl.json").read_text(encoding="utf-8"))
MODELS: dict[str, tuple[type[Any], type[Any]]] = {
    "${ValidateFunctionArn}": (contracts.ValidateInput, contracts.ValidateResult),
    "${DetectFunctionArn}": (contracts.DetectInput, contracts.DetectResult),
    "${StoreFunctionArn}": (contracts.StoreInput, contracts.StoreResult),
    "${CatalogFunctionArn}": (contracts.CatalogInput, contracts.CatalogResult),
    "${QuarantineFunctionArn}": (contracts.QuarantineInput, contracts.QuarantineResult),
}


def lambda_tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, state in states.items():
        if state.get("Type") == "Task" and state.get("Resource", "").endswith(":lambda:invoke"):
            found[name] = state
        for nested in ("ItemProcessor", "Iterator"):
            if nested in state:
                found |= lambda_tasks(state[nested]["States"])
        for branch in state.get("Branches", []):
            found |= lambda_tasks(branch["States"])
    return found


TASKS = lambda_tasks(DEFINITION["States"])


def names(model: type[Any]) -> set[str]:
    return {item.name for item in dataclasses.fields(model)}


def test_every_lambda_task_of_the_workflow_has_its_models() -> None:
    assert {state["Parameters"]["FunctionName"] for state in TASKS.values()} == set(MODELS)


@pytest.mark.parametrize("state", sorted(TASKS))
def test_each_payload_is_its_input_model_and_each_selector_keeps_result_fields(state: str) -> None:
    task = TASKS[state]
    given, result = MODELS[task["Parameters"]["FunctionName"]]
    payload = {key.removesuffix(".$") for key in task["Parameters"]["Payload"]}
    required = {f.name for f in dataclasses.fields(given)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}

    assert required <= payload <= names(given)
    selector = task.get("ResultSelector", {})
    assert {key.removesuffix(".$") for key in selector} <= names(result)
    assert all(path == f"$.Payload.{key.removesuffix('.$')}" for key, path in selector.items())


def test_what_the_store_map_keeps_is_what_catalog_reads() -> None:
    (store,) = [state for state in TASKS.values() if state["Parameters"]["FunctionName"] == "${StoreFunctionArn}"]
    assert {key.removesuffix(".$") for key in store["ResultSelector"]} == names(contracts.StoredChunk)


def test_a_payload_without_a_required_key_names_the_step_and_the_key() -> None:
    with pytest.raises(ContractError, match=r"DetectInput: the payload has no 'chunks'"):
        contracts.DetectInput.from_payload({"file": {"bucket": "b", "key": "k"}, "execution": "arn"})
    with pytest.raises(ContractError, match=r"StoreInput.chunk: the payload has no 'items'"):
        contracts.StoreInput.from_payload({"file": {"bucket": "b", "key": "k"}, "execution": "arn", "chunk": {}})
    with pytest.raises(ContractError, match=r"DetectResult.chunks: expected a list"):
        contracts.DetectResult.from_payload({"total": 0, "by_type": {}, "readings": 0, "chunks": "x",
                                             "anomalies_location": None, "digest": None})


def test_models_read_back_what_they_write() -> None:
    digest = contracts.Digest("s", "m", {"severity": {"DataType": "String", "StringValue": "high"}})
    result = contracts.DetectResult(1, {"spike": 1}, 1, [contracts.AnnotatedChunk("k")], "s3://b/k", digest)
    assert contracts.DetectResult.from_payload(json.loads(json.dumps(result.to_payload()))) == result
    refused = contracts.ValidateResult(2, 0, 2, 0, "s3://b/rejected/k.jsonl", [], 0, "json",
                                       contracts.Refusal("no_valid_records", "k: none of its 2 records is valid"))
    assert contracts.ValidateResult.from_payload(json.loads(json.dumps(refused.to_payload()))) == refused
    accepted = {**refused.to_payload(), "refused": None}  # what the Choice "File refused?" lets through
    assert contracts.ValidateResult.from_payload(accepted).refused is None
    quarantine = contracts.QuarantineInput.from_payload({"file": {"bucket": "b", "key": "k"}, "execution": "a"})
    assert quarantine.failure == contracts.Failure("ProcessingFailed", "")  # a Catch without detail
