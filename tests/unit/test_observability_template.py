"""template.yaml watches the pipeline: logs with execution data, tracing, alarms to the operations topic."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from energy_pipeline.local.template import function_properties, load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
ALARMS = resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm")
MACHINE = RESOURCES["PipelineStateMachine"]["Properties"]


def _watched(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its one metric, or each metric of its math expression."""
    if "Metrics" in alarm:
        return [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]
    return [alarm]


def _alarms_on(metric: str, dimension: str, value: Any) -> list[dict[str, Any]]:
    return [
        spec["Properties"]
        for spec in ALARMS.values()
        if any(watched["MetricName"] == metric and {"Name": dimension, "Value": value} in watched["Dimensions"]
               for watched in _watched(spec["Properties"]))
    ]


def test_the_validate_errors_alarm_leaves_out_files_refused_as_invalid() -> None:
    """Every InvalidFile is a Lambda error; the workflow quarantines and alerts on it by itself."""
    [alarm] = _alarms_on("Errors", "FunctionName", {"Ref": "ValidateFunction"})
    metrics = {query["Id"]: query for query in alarm["Metrics"]}
    assert metrics["invalid"]["MetricStat"]["Metric"]["MetricName"] == "ValidateInvalidFiles"
    assert metrics["unexpected"]["Expression"] == "errors - FILL(invalid, 0)"


def test_the_state_machine_logs_everything_with_execution_data_to_a_vended_log_group() -> None:
    logging = MACHINE["Logging"]
    assert logging["Level"] == "ALL" and logging["IncludeExecutionData"] is True
    group = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    props = RESOURCES[group]["Properties"]
    assert props["LogGroupName"]["Fn::Sub"].startswith("/aws/vendedlogs/states/")
    assert props.get("RetentionInDays"), "logs kept forever cost forever"


def test_the_state_machine_and_every_function_are_traced() -> None:
    assert MACHINE["Tracing"] == {"Enabled": True}
    for name in resources_of_type(TEMPLATE, "AWS::Serverless::Function"):
        assert function_properties(TEMPLATE, name)["Tracing"] == "Active", name


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"])
def test_executions_that_fail_time_out_or_are_throttled_raise_an_alarm(metric: str) -> None:
    [alarm] = _alarms_on(metric, "StateMachineArn", {"Ref": "PipelineStateMachine"})
    assert alarm["Namespace"] == "AWS/States" and alarm["Threshold"] == 1


@pytest.mark.parametrize("name", sorted(resources_of_type(TEMPLATE, "AWS::Serverless::Function")))
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_error_and_throttle_alarms(name: str, metric: str) -> None:
    assert len(_alarms_on(metric, "FunctionName", {"Ref": name})) == 1, f"add a {metric} alarm for {name}"


@pytest.mark.parametrize("metric", ["5XXError", "Latency"])
def test_the_query_api_alarms_on_server_errors_and_latency(metric: str) -> None:
    [alarm] = _alarms_on(metric, "Stage", "v1")
    assert alarm["Namespace"] == "AWS/ApiGateway"
    api_name = next(d["Value"] for d in alarm["Dimensions"] if d["Name"] == "ApiName")["Fn::Sub"]
    assert api_name == RESOURCES["QueryApi"]["Properties"]["DefinitionBody"]["info"]["title"]["Fn::Sub"]


def test_every_alarm_notifies_the_encrypted_operations_topic_not_the_alert_topic() -> None:
    for name, spec in ALARMS.items():
        assert spec["Properties"]["AlarmActions"] == [{"Ref": "OperationsTopic"}], name
    topic = RESOURCES["OperationsTopic"]["Properties"]
    key = RESOURCES[topic["KmsMasterKeyId"]["Ref"]]["Properties"]["KeyPolicy"]["Statement"]
    assert any(statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"} for statement in key)


def test_the_dashboard_is_valid_json_and_shows_executions_functions_api_and_alarms() -> None:
    body = RESOURCES["PipelineDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    dashboard = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    text = json.dumps(dashboard)
    for metric in ("ExecutionsFailed", "ReadingsReceived", "Errors", "5XXError", "Latency"):
        assert metric in text, metric
    # Detect puts Anomalies_<type>: a quoted MetricName="Anomalies_" is an exact name no metric has; the
    # unquoted token matches them all (CloudWatch splits names at "_").
    assert "MetricName=Anomalies'" in text and 'MetricName=\\"Anomalies_' not in text
    [alarm_widget] = [widget for widget in dashboard["widgets"] if widget["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(ALARMS)
    referenced = set(re.findall(r"\$\{(\w+)\.Arn\}", body))
    assert referenced == set(ALARMS)
