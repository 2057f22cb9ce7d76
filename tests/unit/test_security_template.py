"""template.yaml security (issue 7 item 6): storage, encryption, least privilege, logs, API auth and throttling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from energy_pipeline.local.template import function_properties, load_template, resources_of_type

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")
BUCKETS = resources_of_type(TEMPLATE, "AWS::S3::Bucket")
TABLES = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table")
READINGS_WRITES = {"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in properties.get("Policies", []) if isinstance(p, dict) for s in p.get("Statement", [])]


def grants(name: str) -> set[str]:
    """Every action the function's inline statements allow, plus the SAM policy templates' names."""
    props = function_properties(TEMPLATE, name)
    actions = {a for s in statements(props) if s["Effect"] == "Allow" for a in _list(s["Action"])}
    templates = {key for p in props.get("Policies", []) if isinstance(p, dict) for key in p if key != "Statement"}
    return actions | templates


def refs(value: Any) -> set[str]:
    """Logical ids referenced (Ref, GetAtt) anywhere inside value."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(_list(value["Fn::GetAtt"])[0].split(".")[0])
        for item in value.values():
            found |= refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= refs(item)
    return found


# --- S3 ---

@pytest.mark.parametrize("name", sorted(BUCKETS))
def test_every_bucket_blocks_public_access_all_four_ways(name: str) -> None:
    block = BUCKETS[name]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                     "IgnorePublicAcls": True, "RestrictPublicBuckets": True}


@pytest.mark.parametrize("name", sorted(BUCKETS))
def test_every_bucket_is_encrypted_versioned_and_owner_enforced(name: str) -> None:
    props = BUCKETS[name]["Properties"]
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] in {"AES256", "aws:kms", "aws:kms:dsse"}
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


@pytest.mark.parametrize("name", sorted(BUCKETS))
def test_every_bucket_denies_requests_without_tls(name: str) -> None:
    policies = [p["Properties"] for p in resources_of_type(TEMPLATE, "AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == {"Ref": name}]
    assert len(policies) == 1, name
    deny = [s for s in policies[0]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Principal"] == "*" and s["Action"] == "s3:*"
               and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               and len(_list(s["Resource"])) == 2 for s in deny), name


def test_lifecycle_expires_staging_rejects_quarantine_and_old_versions() -> None:
    rules = RESOURCES["RawDataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert all(rule["Status"] == "Enabled" for rule in rules)
    by_prefix = {rule.get("Prefix"): rule for rule in rules}
    for prefix in ("staging/", "rejected/", "quarantine/"):
        assert by_prefix[prefix]["ExpirationInDays"] > 0, prefix
    assert by_prefix["staging/"]["ExpirationInDays"] <= 7  # intermediate chunks are short-lived
    assert any("NoncurrentVersionExpiration" in rule and "Prefix" not in rule for rule in rules)


def test_uploads_bucket_logs_access_to_the_log_bucket_which_accepts_only_s3_log_delivery() -> None:
    logging = RESOURCES["RawDataBucket"]["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    policy = RESOURCES["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in policy if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"Service": "logging.s3.amazonaws.com"}]
    assert allow[0]["Action"] == "s3:PutObject"
    assert "aws:SourceAccount" in allow[0]["Condition"]["StringEquals"]
    assert "aws:SourceArn" in allow[0]["Condition"]["ArnLike"]


# --- DynamoDB ---

@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_has_point_in_time_recovery_and_encryption(name: str) -> None:
    props = TABLES[name]["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


# --- least privilege ---

def test_only_the_store_step_writes_readings_which_carry_the_anomalies() -> None:
    for name in FUNCTIONS:
        props = function_properties(TEMPLATE, name)
        for statement in statements(props):
            targets = refs(statement.get("Resource"))
            writes = READINGS_WRITES & set(_list(statement["Action"]))
            if writes and "ReadingsTable" in targets:
                assert name == "StoreFunction", f"{name} may write readings: {writes}"
        # SAM's DynamoDB policy templates would grant writes too
        assert not any(key.startswith("DynamoDB") for key in grants(name) if ":" not in key), name


def test_the_query_api_can_only_query_and_get() -> None:
    actions = grants("QueryApiFunction")
    assert actions == {"dynamodb:Query", "dynamodb:GetItem"}, actions
    assert "dynamodb:Scan" not in actions


def test_no_function_can_scan() -> None:
    for name in FUNCTIONS:
        assert "dynamodb:Scan" not in grants(name), name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_statements_name_their_resources(name: str) -> None:
    for statement in statements(function_properties(TEMPLATE, name)):
        assert statement["Resource"] != "*", f"{name}: {statement}"


# --- SNS and KMS ---

@pytest.mark.parametrize("topic", sorted(resources_of_type(TEMPLATE, "AWS::SNS::Topic")))
def test_every_topic_is_encrypted_with_a_rotating_customer_key(topic: str) -> None:
    key_ref = RESOURCES[topic]["Properties"]["KmsMasterKeyId"]
    key = RESOURCES[key_ref["Ref"]]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_alert_key_lets_the_account_delegate_and_the_state_machine_role_publish_encrypted() -> None:
    policy = RESOURCES["AlertTopicKey"]["Properties"]["KeyPolicy"]["Statement"]
    root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    # The account principal with kms:* lets IAM policies grant use of the key (the key stays manageable).
    assert any(s["Principal"] == {"AWS": root} and s["Action"] == "kms:*" for s in policy)
    # The publisher is the state machine's role (sns:publish integration), not states.amazonaws.com.
    assert not any("states.amazonaws.com" in str(s["Principal"]) for s in policy)
    machine = RESOURCES["PipelineStateMachine"]["Properties"]
    kms = [s for p in machine["Policies"] if isinstance(p, dict) for s in p.get("Statement", [])
           if refs(s.get("Resource")) == {"AlertTopicKey"}]
    assert kms and {"kms:GenerateDataKey", "kms:Decrypt"} <= set(_list(kms[0]["Action"]))
    assert any(p.get("SNSPublishMessagePolicy", {}).get("TopicName") == {"Fn::GetAtt": ["AlertTopic", "TopicName"]}
               for p in machine["Policies"] if isinstance(p, dict))


def test_operations_key_lets_cloudwatch_alarms_publish_from_this_account_only() -> None:
    policy = RESOURCES["OperationsTopicKey"]["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in policy if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch and cloudwatch[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# --- logs ---

@pytest.mark.parametrize("group", sorted(resources_of_type(TEMPLATE, "AWS::Logs::LogGroup")))
def test_log_groups_have_retention_and_a_kms_key(group: str) -> None:
    props = RESOURCES[group]["Properties"]
    assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert props["KmsKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]}


def test_logs_key_is_usable_by_cloudwatch_logs_for_this_accounts_log_groups_only() -> None:
    policy = RESOURCES["LogsKey"]["Properties"]["KeyPolicy"]["Statement"]
    logs = [s for s in policy if s["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}]
    assert logs
    condition = logs[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
    assert condition.endswith(":${AWS::AccountId}:log-group:*")


def test_state_machine_logs_everything_and_traces() -> None:
    machine = RESOURCES["PipelineStateMachine"]["Properties"]
    assert machine["Logging"]["Level"] == "ALL"
    assert machine["Tracing"]["Enabled"] is True


def test_api_stage_writes_json_access_logs_to_a_retained_log_group() -> None:
    setting = RESOURCES["QueryApi"]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["QueryApiAccessLogGroup", "Arn"]}
    for field in ("$context.requestId", "$context.identity.sourceIp", "$context.status",
                  "$context.identity.userArn"):
        assert field in setting["Format"]


def test_api_gateway_account_role_is_optional_kept_on_delete_and_ordered_before_the_api() -> None:
    assert TEMPLATE["Parameters"]["ApiGatewayLogRole"]["AllowedValues"] == ["CREATE", "EXISTING"]
    for name in ("ApiGatewayCloudWatchRole", "ApiGatewayAccount"):
        assert RESOURCES[name]["Condition"] == "CreateApiGatewayLogRole"
        assert RESOURCES[name]["DeletionPolicy"] == "Retain"
    assert RESOURCES["QueryApi"]["DependsOn"] == "ApiGatewayLogRoleReady"
    assert "ApiGatewayAccount" in refs(RESOURCES["ApiGatewayLogRoleReady"]["Metadata"])


# --- API auth and throttling ---

def test_api_operations_require_sigv4_by_default_or_an_api_key() -> None:
    assert TEMPLATE["Parameters"]["ApiAuth"]["Default"] == "IAM"
    paths = RESOURCES["QueryApi"]["Properties"]["DefinitionBody"]["paths"]
    gets = [operations["get"] for operations in paths.values()]
    assert gets
    for operation in gets:
        assert operation["security"] == {"Fn::If": ["UseApiKey", [{"api_key": []}], [{"sigv4": []}]]}
    schemes = RESOURCES["QueryApi"]["Properties"]["DefinitionBody"]["components"]["securitySchemes"]
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_api_stage_and_key_plan_are_throttled() -> None:
    settings = RESOURCES["QueryApi"]["Properties"]["MethodSettings"]
    assert any(s["ThrottlingRateLimit"] > 0 and s["ThrottlingBurstLimit"] > 0 for s in settings)
    throttle = RESOURCES["QueryApiUsagePlan"]["Properties"]["Throttle"]
    assert throttle["RateLimit"] > 0 and throttle["BurstLimit"] > 0


# --- scanner suppressions carry a reason ---

@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_checkov_suppression_says_why(name: str) -> None:
    skips = RESOURCES[name].get("Metadata", {}).get("checkov", {}).get("skip", [])
    for skip in skips:
        assert skip["id"].startswith("CKV_") and len(skip.get("comment", "")) > 30, (name, skip)


CHECKOV_CONFIG = Path(__file__).resolve().parents[2] / ".checkov.yaml"


def checkov_skips_for_the_whole_template() -> dict[str, str]:
    """Each check `.checkov.yaml` skips everywhere, with the comment written above it (its reason)."""
    skips, reason = {}, ""
    for line in CHECKOV_CONFIG.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("#") and line.startswith("  "):
            reason += text.lstrip("# ") + " "
        elif text.startswith("- CKV_"):
            skips[text.removeprefix("- ")], reason = reason.strip(), ""
    assert set(skips) == set(yaml.safe_load(CHECKOV_CONFIG.read_text(encoding="utf-8"))["skip-check"])
    return skips


def test_every_check_skipped_for_the_whole_template_says_why_and_is_said_once() -> None:
    skips = checkov_skips_for_the_whole_template()
    assert skips, "the lint's checkov config skips nothing: then it has no reason to exist"
    for check, reason in skips.items():
        assert check.startswith("CKV_") and reason.startswith(f"{check} (") and len(reason) > 60, (check, reason)
    # a check skipped everywhere is not skipped again beside a resource
    beside = {skip["id"] for spec in RESOURCES.values()
              for skip in spec.get("Metadata", {}).get("checkov", {}).get("skip", [])}
    assert not beside & set(skips)


def test_make_lint_runs_checkov_with_its_config_on_both_templates() -> None:
    makefile = (CHECKOV_CONFIG.parent / "Makefile").read_text(encoding="utf-8")
    runs = [line for line in makefile.splitlines() if "/bin/checkov " in line]
    assert len(runs) == 2 and all("--config-file .checkov.yaml" in line for line in runs), runs
