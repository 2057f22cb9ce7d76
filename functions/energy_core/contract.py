"""The input contract, read from the JSON Schema file that is published with the package.

Everything the fast validator checks is derived from this file, so the schema stays the single
source of truth; jsonschema itself is imported only when a rejected record needs a message.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

SCHEMA_FILE = "reading.schema.json"


def _load_schema() -> dict[str, Any]:
    text = resources.files("energy_core").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


SCHEMA = _load_schema()
_PROPERTIES = SCHEMA["properties"]
REQUIRED: tuple[str, ...] = tuple(SCHEMA["required"])
GENERATED, CONSUMED, CUMULATIVE = "energy_generated_kwh", "energy_consumed_kwh", "cumulative_kwh"
NUMBER_FIELDS = (GENERATED, CONSUMED, CUMULATIVE)
# Python's `$` also matches before a final newline; fullmatch gives the ECMA-262 meaning the
# schema intends, and validation rejects a trailing newline explicitly so both paths agree.
SITE_ID_RE = re.compile(_PROPERTIES["site_id"]["pattern"])
TIMESTAMP_RE = re.compile(_PROPERTIES["timestamp"]["pattern"])
MAX_SITE_ID_LENGTH = int(re.findall(r"\{1,(\d+)\}", SITE_ID_RE.pattern)[0])
MINIMUM: float = _PROPERTIES[GENERATED]["minimum"]
MAXIMUM: float = _PROPERTIES[GENERATED]["maximum"]
# DynamoDB numbers cannot be smaller in magnitude than 1e-130 (other than 0); a schema cannot say so.
SMALLEST = 1e-130


@functools.cache
def schema_validator() -> Validator:
    """The Draft 2020-12 validator of the contract (built once per process, on first reject)."""
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    validator: Validator = Draft202012Validator(SCHEMA)
    return validator
