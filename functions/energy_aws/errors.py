"""Every exception of the AWS adapters, in one place.

The state machine retries or catches by class name (Lambda reports it as `errorType`), so TransientError
and WriteIncomplete are part of the workflow contract (statemachine/pipeline.asl.json): never rename them.
"""

from __future__ import annotations


class MissingEnvironmentVariable(RuntimeError):
    """A variable template.yaml sets for the function is missing: the message names it and its source.

    Not energy_core's ConfigError: that one is a malformed detection.json, read and checked as data.
    """


class InvalidEnvironmentVariable(RuntimeError):
    """A variable template.yaml sets for the function holds a value it cannot use (a size that is not a
    number): the message names it, the value and what it must be."""


class TransientError(Exception):
    """A temporary AWS failure; the ASL Retry on every Lambda task names this class."""


class WriteIncomplete(Exception):
    """DynamoDB kept returning UnprocessedItems after every retry: the step fails and is retried whole."""


class ObjectTooLarge(Exception):
    """The uploaded object is larger than a step can read."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class ContractError(ValueError):
    """A step was invoked with a payload its model (energy_aws.contracts) does not accept: the state
    machine and the model disagree. The message names the step, the key and what was expected."""
