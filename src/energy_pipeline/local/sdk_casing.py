"""AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`) with AWS's field names.

On AWS the parameters and results of an SDK integration are PascalCase ("ExecutionArn", "Status")
whatever the service's own JSON uses. moto's interpreter hands the parameters to boto3 as written
and returns boto3's response as is, so services whose model is camelCase (Step Functions itself:
"executionArn", "status") fail or answer in another shape. This maps both ways through the
service's model, so the one definition runs on AWS and here.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


def _to_model(value: Any, shape: Any) -> Any:
    """The request with each member named as the model names it (matched without regard to case)."""
    if shape is None or not isinstance(value, dict) or shape.type_name != "structure":
        if shape is not None and shape.type_name == "list" and isinstance(value, list):
            return [_to_model(item, shape.member) for item in value]
        return value
    members = {name.lower(): (name, member) for name, member in shape.members.items()}
    out = {}
    for key, item in value.items():
        name, member = members.get(key.lower(), (key, None))
        out[name] = _to_model(item, member)
    return out


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def install() -> None:
    global _INSTALLED  # noqa: PLW0603 - one patch per process
    if _INSTALLED:
        return
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as sdk,
    )
    from moto.stepfunctions.parser.asl.utils import boto_client

    original_eval = sdk.StateTaskServiceAwsSdk._eval_service_task

    def eval_service_task(self: Any, env: Any, resource_runtime_part: Any,
                          normalised_parameters: dict[str, Any], state_credentials: Any) -> None:
        client = boto_client.boto_client_for(service=self._get_boto_service_name(),
                                             region=resource_runtime_part.region)
        operation = client.meta.service_model.operation_model(
            client.meta.method_to_api_mapping[self._get_boto_service_action()])
        parameters = _to_model(normalised_parameters, operation.input_shape)
        original_eval(self, env, resource_runtime_part, parameters, state_credentials)
        env.stack.append(_pascal(env.stack.pop()))

    setattr(sdk.StateTaskServiceAwsSdk, "_eval_service_task", eval_service_task)  # noqa: B010 - a patch, on purpose
    _INSTALLED = True
