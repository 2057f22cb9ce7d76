"""Writes the CloudFormation template SAM deploys (the SAM transform applied), for checkov to scan.

checkov on template.yaml sees AWS::Serverless::* resources; what is deployed are the roles, stages,
deployments and permissions SAM makes of them (an extra stage named "Stage" hid there). Offline: the
state machine's definition is inlined and CodeUri points at a placeholder S3 object, as `sam package`
would; no managed policy is referenced by name, so no IAM lookup is needed.

    python scripts/sam_translate.py OUT.json
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform

from energy_pipeline.local.template import PROJECT_ROOT, load_template

PLACEHOLDER_CODE = "s3://sam-translate-placeholder/code.zip"


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """The template as `sam package` leaves it: code and definition no longer local paths."""
    template = json.loads(json.dumps(template))
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = PLACEHOLDER_CODE
    for spec in template["Resources"].values():
        properties = spec.get("Properties", {})
        if spec["Type"] == "AWS::Serverless::Function" and "CodeUri" in properties:
            properties["CodeUri"] = PLACEHOLDER_CODE
        if spec["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in properties:
            path = PROJECT_ROOT / properties.pop("DefinitionUri")
            properties["Definition"] = json.loads(path.read_text(encoding="utf-8"))
    return template


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def inherit_skips(source: dict[str, Any], translated: dict[str, Any]) -> None:
    """The checkov skips written beside a SAM resource in template.yaml, on what SAM makes of it too.

    SAM names each generated resource after its SAM resource (QueryApi -> QueryApiv1Stage) but does
    not copy Metadata to it: without this a deliberate choice would be reported on the generated stage.
    """
    skips = {logical: spec["Metadata"]["checkov"] for logical, spec in source["Resources"].items()
             if spec["Type"].startswith("AWS::Serverless::") and "checkov" in spec.get("Metadata", {})}
    for logical, spec in translated["Resources"].items():
        owner = max((name for name in skips if logical.startswith(name)), key=len, default=None)
        if owner is not None and "checkov" not in spec.get("Metadata", {}):
            spec.setdefault("Metadata", {})["checkov"] = skips[owner]


def translate() -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # fills pseudo parameters; no AWS call is made
    source = load_template()
    result: dict[str, Any] = transform(packaged(source), {}, _NoManagedPolicies())
    inherit_skips(source, result)
    return result


def main() -> None:
    Path(sys.argv[1]).write_text(json.dumps(translate(), indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
