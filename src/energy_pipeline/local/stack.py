"""Creates the local stack on the emulator from template.yaml.

Buckets, tables, topics, functions and the state machine.

Every name, key schema, environment variable, definition substitution and event pattern comes from
the template; nothing here repeats the configuration.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energy_pipeline.local.template import (
    DEFAULT_TEMPLATE,
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    PROJECT_ROOT,
    Resolver,
    function_properties,
    load_template,
    resources_of_type,
)

DEFAULT_STACK_NAME = "energy-pipeline-local"
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    memory_mb: int
    timeout_s: int


@dataclass
class EventRule:
    """An EventBridge rule from the template: its pattern and the state machine it starts."""

    name: str
    pattern: dict[str, Any]
    state_machine_arn: str


@dataclass
class LocalStack:
    stack_name: str
    region: str
    outputs: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    rules: list[EventRule] = field(default_factory=list)

    @property
    def bucket(self) -> str:
        return self.outputs["RawDataBucketName"]

    @property
    def input_prefix(self) -> str:
        return self.outputs.get("InputPrefix", "incoming/")

    @property
    def state_machine_arn(self) -> str:
        return self.outputs["StateMachineArn"]

    @property
    def topic_arn(self) -> str:
        return self.outputs["AlertTopicArn"]


def _physical_names(resolver: Resolver, template: dict[str, Any]) -> None:
    """Registers Ref/GetAtt values for every resource before any property is resolved."""
    stack, region, account = resolver.stack_name, resolver.region, resolver.account
    for logical, spec in template["Resources"].items():
        kind = spec["Type"]
        name = f"{stack}-{logical}"
        if kind == "AWS::S3::Bucket":
            bucket_name = spec.get("Properties", {}).get("BucketName")
            name = str(resolver.resolve(bucket_name)) if bucket_name else name.lower()
            resolver.refs[logical] = name
            resolver.attrs[(logical, "Arn")] = f"arn:aws:s3:::{name}"
        elif kind == "AWS::DynamoDB::Table":
            resolver.refs[logical] = name
            resolver.attrs[(logical, "Arn")] = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account}:{name}"
            resolver.refs[logical] = arn
            resolver.attrs[(logical, "TopicName")] = name
            resolver.attrs[(logical, "TopicArn")] = arn
        elif kind in _FUNCTION_TYPES:
            resolver.refs[logical] = name
            resolver.attrs[(logical, "Arn")] = f"arn:aws:lambda:{region}:{account}:function:{name}"
        elif kind == "AWS::Serverless::StateMachine":
            arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
            resolver.refs[logical] = arn
            resolver.attrs[(logical, "Name")] = name
            resolver.attrs[(logical, "Arn")] = arn
        else:
            resolver.refs[logical] = name
            resolver.attrs[(logical, "Arn")] = f"arn:aws:local:{region}:{account}:{logical}/{name}"
            resolver.attrs[(logical, "TopicName")] = name


def _zip_placeholder() -> bytes:
    """moto wants a deployment package; the in-process executor runs the code from CodeUri instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "code runs in-process from the project's CodeUri")
    return buffer.getvalue()


def _create_tables(clients: Any, resolver: Resolver, template: dict[str, Any], stack: LocalStack) -> None:
    for logical, spec in resources_of_type(template, "AWS::DynamoDB::Table").items():
        props = resolver.resolve(spec["Properties"])
        name = resolver.refs[logical]
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(index_kind):
                kwargs[index_kind] = props[index_kind]
        clients.dynamodb.create_table(**kwargs)
        stack.tables[logical] = name


def _function_spec(resolver: Resolver, template: dict[str, Any], logical: str) -> FunctionSpec:
    props = resolver.resolve(function_properties(template, logical))
    env = {key: str(value) for key, value in props["Environment"]["Variables"].items() if value is not None}
    return FunctionSpec(
        logical_id=logical,
        name=resolver.refs[logical],
        code_dir=(PROJECT_ROOT / str(props["CodeUri"])).resolve(),
        handler=str(props["Handler"]),
        environment=env,
        memory_mb=int(props.get("MemorySize", 128)),
        timeout_s=int(props.get("Timeout", 3)),
    )


def _create_functions(clients: Any, resolver: Resolver, template: dict[str, Any], stack: LocalStack) -> None:
    role = clients.iam.create_role(
        RoleName=f"{stack.stack_name}-local-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    package = _zip_placeholder()
    for logical in resources_of_type(template, *_FUNCTION_TYPES):
        spec = _function_spec(resolver, template, logical)
        clients.awslambda.create_function(
            FunctionName=spec.name, Runtime="python3.13", Role=role,
            Handler=spec.handler, Code={"ZipFile": package}, Timeout=spec.timeout_s,
            MemorySize=spec.memory_mb, Environment={"Variables": spec.environment},
        )
        stack.functions[spec.name] = spec


def _create_state_machines(
    clients: Any, resolver: Resolver, template: dict[str, Any], stack: LocalStack
) -> None:
    role = f"arn:aws:iam::{resolver.account}:role/{stack.stack_name}-local-role"
    for logical, spec in resources_of_type(template, "AWS::Serverless::StateMachine").items():
        props = spec["Properties"]
        definition = (PROJECT_ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
        for key, value in resolver.resolve(props.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        name = resolver.attrs[(logical, "Name")]
        clients.stepfunctions.create_state_machine(
            name=name, definition=definition, roleArn=role, type=props.get("Type", "STANDARD"),
            **_observability(props, resolver, template),
        )
        for event_name, event in (props.get("Events") or {}).items():
            if event.get("Type") == "EventBridgeRule":
                pattern = resolver.resolve(event["Properties"]["Pattern"])
                stack.rules.append(EventRule(f"{name}-{event_name}", pattern, resolver.refs[logical]))


def _observability(props: dict[str, Any], resolver: Resolver, template: dict[str, Any]) -> dict[str, Any]:
    """The state machine's Logging and Tracing from the template, as CreateStateMachine takes them."""
    settings: dict[str, Any] = {}
    logging = props.get("Logging")
    if logging:
        destinations = []
        for destination in logging.get("Destinations") or []:
            group = destination.get("CloudWatchLogsLogGroup", {}).get("LogGroupArn")
            logical = group["Fn::GetAtt"][0] if isinstance(group, dict) and "Fn::GetAtt" in group else ""
            group_props = template["Resources"].get(logical, {}).get("Properties", {})
            group_name = resolver.resolve(group_props.get("LogGroupName", logical))
            arn = f"arn:aws:logs:{resolver.region}:{resolver.account}:log-group:{group_name}:*"
            destinations.append({"cloudWatchLogsLogGroup": {"logGroupArn": arn}})
        settings["loggingConfiguration"] = {
            "level": logging.get("Level", "OFF"),
            "includeExecutionData": bool(logging.get("IncludeExecutionData", False)),
            "destinations": destinations,
        }
    tracing = props.get("Tracing")
    if tracing:
        settings["tracingConfiguration"] = {"enabled": bool(tracing.get("Enabled", False))}
    return settings


def _create_bucket_and_topic(clients: Any, resolver: Resolver, template: dict[str, Any]) -> None:
    for logical, spec in resources_of_type(template, "AWS::S3::Bucket").items():
        name = resolver.refs[logical]
        clients.s3.create_bucket(Bucket=name)
        props = spec.get("Properties", {})
        if props.get("NotificationConfiguration", {}).get("EventBridgeConfiguration"):
            clients.s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}},
            )
    for logical in resources_of_type(template, "AWS::SNS::Topic"):
        clients.sns.create_topic(Name=resolver.attrs[(logical, "TopicName")])


def _resolved_outputs(resolver: Resolver, template: dict[str, Any]) -> dict[str, str]:
    outputs = {}
    for name, output in (template.get("Outputs") or {}).items():
        if "Condition" in output and not resolver.condition(output["Condition"]):
            continue
        outputs[name] = str(resolver.resolve(output["Value"]))
    return outputs


def stack_outputs(stack_name: str = DEFAULT_STACK_NAME, parameters: dict[str, str] | None = None,
                  template_path: Path = DEFAULT_TEMPLATE) -> dict[str, str]:
    """The outputs a local stack of this name has, without creating anything (for clients of `serve`)."""
    template = load_template(template_path)
    resolver = Resolver(template, stack_name, dict(parameters or {}), LOCAL_ACCOUNT, LOCAL_REGION)
    _physical_names(resolver, template)
    return _resolved_outputs(resolver, template)


def function_specs(stack_name: str = DEFAULT_STACK_NAME, parameters: dict[str, str] | None = None,
                   template_path: Path = DEFAULT_TEMPLATE) -> dict[str, FunctionSpec]:
    """The functions a local stack of this name has, without creating anything."""
    template = load_template(template_path)
    resolver = Resolver(template, stack_name, dict(parameters or {}), LOCAL_ACCOUNT, LOCAL_REGION)
    _physical_names(resolver, template)
    specs = (
        _function_spec(resolver, template, logical)
        for logical in resources_of_type(template, *_FUNCTION_TYPES)
    )
    return {spec.name: spec for spec in specs}


def create_stack(
    clients: Any,
    stack_name: str = DEFAULT_STACK_NAME,
    parameters: dict[str, str] | None = None,
    template_path: Path = DEFAULT_TEMPLATE,
) -> LocalStack:
    template = load_template(template_path)
    resolver = Resolver(template, stack_name, dict(parameters or {}), LOCAL_ACCOUNT, LOCAL_REGION)
    _physical_names(resolver, template)
    stack = LocalStack(stack_name=stack_name, region=LOCAL_REGION)
    _create_bucket_and_topic(clients, resolver, template)
    _create_tables(clients, resolver, template, stack)
    _create_functions(clients, resolver, template, stack)
    _create_state_machines(clients, resolver, template, stack)
    stack.outputs = _resolved_outputs(resolver, template)
    return stack
