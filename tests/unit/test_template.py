"""template.yaml: the resources, wiring and least-privilege rules the issues ask for."""

from __future__ import annotations

from typing import Any

import pytest

from energy_pipeline.local.template import function_properties, load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")


def statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in properties.get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def test_functions_run_python313_on_arm64() -> None:
    for name in FUNCTIONS:
        props = function_properties(TEMPLATE, name)
        assert props["Runtime"] == "python3.13", name
        assert props["Architectures"] == ["arm64"], name


@pytest.mark.parametrize("name", [*sorted(FUNCTIONS), "PipelineStateMachine"])
def test_no_policy_grants_a_wildcard_action(name: str) -> None:
    for statement in statements(RESOURCES[name]["Properties"]):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), f"{name}: {actions}"


def test_managed_policies_are_not_used_for_functions() -> None:
    for name, spec in FUNCTIONS.items():
        for policy in spec["Properties"].get("Policies", []):
            assert not isinstance(policy, str), f"{name} uses managed policy {policy}: grant narrow statements"


def test_the_bucket_sends_events_to_eventbridge_and_the_rule_starts_the_machine_under_the_prefix() -> None:
    bucket = RESOURCES["RawDataBucket"]["Properties"]
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    event = RESOURCES["PipelineStateMachine"]["Properties"]["Events"]["FileUploaded"]
    assert event["Type"] == "EventBridgeRule"
    pattern = event["Properties"]["Pattern"]
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": {"Ref": "InputPrefix"}}]


def test_the_readings_table_is_keyed_by_site_and_utc_timestamp_on_demand() -> None:
    table = RESOURCES["ReadingsTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "site_id", "KeyType": "HASH"},
                                  {"AttributeName": "timestamp", "KeyType": "RANGE"}]


def test_anomalies_live_on_readings_behind_a_sparse_index_and_have_no_table_of_their_own() -> None:
    tables = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table")
    assert set(tables) == {"ReadingsTable", "CatalogTable"}
    [index] = RESOURCES["ReadingsTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "AnomaliesBySite"
    assert index["KeySchema"] == [{"AttributeName": "anomaly_site", "KeyType": "HASH"},
                                  {"AttributeName": "timestamp", "KeyType": "RANGE"}]
    assert set(index["Projection"]["NonKeyAttributes"]) >= {"anomalies", "source_key", "ingested_at"}
    for name in FUNCTIONS:
        variables = function_properties(TEMPLATE, name).get("Environment", {}).get("Variables", {})
        assert "ANOMALIES_TABLE" not in variables, name


def test_the_state_machine_comes_from_the_asl_file_with_substitutions() -> None:
    machine = RESOURCES["PipelineStateMachine"]["Properties"]
    assert machine["DefinitionUri"].startswith("statemachine/") and machine["DefinitionUri"].endswith(".asl.json")
    assert machine["DefinitionSubstitutions"]


def test_alert_email_subscription_is_optional() -> None:
    assert TEMPLATE["Parameters"]["AlertEmail"]["Default"] == ""
    assert RESOURCES["AlertEmailSubscription"]["Condition"] == "HasAlertEmail"


def test_outputs_name_bucket_table_topic_and_state_machine() -> None:
    assert {"RawDataBucketName", "ReadingsTableName", "AlertTopicArn", "StateMachineArn"} <= set(TEMPLATE["Outputs"])


def test_only_the_store_step_writes_readings() -> None:
    writers = []
    for name, spec in FUNCTIONS.items():
        for statement in statements(spec["Properties"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            writes = any(a in {"dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"} for a in actions)
            if writes and {"Fn::GetAtt": ["ReadingsTable", "Arn"]} in resources:
                writers.append(name)
    assert writers == ["StoreFunction"]


def test_no_function_imports_pandas_or_matplotlib_and_only_detection_imports_numpy() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions"
    detection = (root / "energy_core" / "detect", root / "detect")
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for heavy in ("import pandas", "import matplotlib", "from pandas", "from matplotlib"):
            assert heavy not in text, f"{source} imports {heavy.split()[-1]}"
        if not source.is_relative_to(detection[0]) and not source.is_relative_to(detection[1]):
            assert "import numpy" not in text, f"{source} imports numpy: only the Detect step carries it"


def test_every_function_has_its_own_log_group_with_retention_and_encryption() -> None:
    groups = resources_of_type(TEMPLATE, "AWS::Logs::LogGroup")
    for name in FUNCTIONS:
        group = groups[f"{name}LogGroup"]["Properties"]
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"} and "KmsKeyId" in group
