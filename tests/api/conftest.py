"""Fixtures for the query API tests: moto tables built from template.yaml's key schemas, seeded data.

template.yaml is the single source of truth, so the tables' keys are read from it, never retyped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from energy_pipeline.api.http_bridge import HttpResponse, invoke

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "ReadingsTable": "READINGS_TABLE",
    "CatalogTable": "CATALOG_TABLE",
}


class _CfnLoader(yaml.SafeLoader):
    """Tolerates CloudFormation tags (!Ref, !GetAtt, !Sub ...) by keeping their raw value."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _any_tag)


def load_template() -> dict[str, Any]:
    return yaml.load((ROOT / "template.yaml").read_text(), Loader=_CfnLoader)


def create_tables(dynamodb: Any, template: dict[str, Any]) -> dict[str, str]:
    """Every table the query function reads, with keys and indexes exactly as template.yaml declares."""
    names = {}
    for logical_id, env_name in TABLES.items():
        props = template["Resources"][logical_id]["Properties"]
        spec = {
            key: props[key]
            for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
            if key in props
        }
        dynamodb.create_table(TableName=f"test-{logical_id}", BillingMode="PAY_PER_REQUEST", **spec)
        names[env_name] = f"test-{logical_id}"
    return names


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "energy-pipeline",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        names = create_tables(boto3.client("dynamodb"), load_template())
        for name, value in names.items():
            monkeypatch.setenv(name, value)
        import query_api.app as app_module

        monkeypatch.setattr(app_module, "_service", None)
        yield names


class Api:
    """Calls the real handler with API Gateway proxy events; answers are parsed JSON plus the raw text."""

    def __init__(self) -> None:
        from query_api.app import lambda_handler

        self.handler = lambda_handler

    def get(self, target: str) -> HttpResponse:
        return invoke(self.handler, "GET", target)

    def json(self, target: str, status: int = 200) -> Any:
        answer = self.get(target)
        assert answer.status == status, answer.body.decode()
        return json.loads(answer.body, parse_float=Decimal)


@pytest.fixture
def api(aws_env: dict[str, str]) -> Api:
    return Api()


@pytest.fixture
def store(aws_env: dict[str, str]) -> Any:
    from api_data import Store

    return Store(boto3.resource("dynamodb"), aws_env)
