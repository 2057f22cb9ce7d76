"""The template as SAM deploys it (scripts/sam_translate.py): what checkov scans in `make lint`."""

from __future__ import annotations

import importlib.util
from typing import Any

from energy_pipeline.local.template import PROJECT_ROOT


def translated() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("sam_translate", PROJECT_ROOT / "scripts" / "sam_translate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, Any] = module.translate()
    return result


TRANSLATED = translated()


def of_type(kind: str) -> dict[str, Any]:
    return {name: spec for name, spec in TRANSLATED["Resources"].items() if spec["Type"] == kind}


def test_sam_makes_one_api_stage_the_throttled_logged_v1() -> None:
    # Without Globals.Api.OpenApiVersion SAM adds a stage named "Stage", with no throttling or logs.
    [stage] = of_type("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["StageName"] == "v1"
    assert stage["Properties"].get("AccessLogSetting") and stage["Properties"].get("MethodSettings")


def test_generated_resources_carry_the_skips_written_beside_their_sam_resource() -> None:
    [stage] = of_type("AWS::ApiGateway::Stage").values()
    assert {skip["id"] for skip in stage["Metadata"]["checkov"]["skip"]} >= {"CKV_AWS_120"}
