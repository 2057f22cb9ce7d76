"""Reads template.yaml - the single source of truth - and resolves what the local stack needs.

Only the CloudFormation intrinsics the template uses are resolved (Ref, GetAtt, Sub, If, Not, Equals,
Join, Select). Physical names are derived from the stack name the way a deployed stack derives them,
so that a reader of the local bucket or tables recognises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TEMPLATE = PROJECT_ROOT / "template.yaml"
LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "us-east-1"
PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that understands CloudFormation short tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = DEFAULT_TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


@dataclass
class Resolver:
    """Evaluates intrinsics against parameters, conditions and the physical ids of local resources."""

    template: dict[str, Any]
    stack_name: str
    parameters: dict[str, str] = field(default_factory=dict)
    account: str = LOCAL_ACCOUNT
    region: str = LOCAL_REGION
    refs: dict[str, Any] = field(default_factory=dict)
    attrs: dict[tuple[str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, spec in (self.template.get("Parameters") or {}).items():
            self.parameters.setdefault(name, str(spec.get("Default", "")))
        self.refs.update(self.parameters)
        self.refs.update(PSEUDO)
        self.refs.update({"AWS::StackName": self.stack_name, "AWS::AccountId": self.account,
                          "AWS::Region": self.region})

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template.get("Conditions", {})[name]))

    def resolve(self, value: Any) -> Any:  # noqa: PLR0911 - one branch per intrinsic
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.attrs[(logical, attribute)]
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::Equals":
                return self.resolve(arg[0]) == self.resolve(arg[1])
            if key == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(part)) for part in arg[1])
            if key == "Fn::Select":
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if key == "Condition":
                return self.condition(arg)
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> Any:
        if name not in self.refs:
            raise KeyError(f"template.yaml refers to {name!r}, which the local engine does not create")
        return self.refs[name]

    def _sub(self, arg: Any) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return str(extra[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return str(self.attrs[(logical, attribute)])
            return str(self._ref(name))

        return _SUB_VAR.sub(replace, text)


def resources_of_type(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in template.get("Resources", {}).items() if spec.get("Type") in types}


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's properties with the template's Globals applied (environment variables merged)."""
    defaults = dict((template.get("Globals") or {}).get("Function") or {})
    own = dict(template["Resources"][logical_id].get("Properties") or {})
    merged = {**defaults, **own}
    global_vars = ((defaults.get("Environment") or {}).get("Variables")) or {}
    own_vars = ((own.get("Environment") or {}).get("Variables")) or {}
    merged["Environment"] = {"Variables": {**global_vars, **own_vars}}
    return merged
