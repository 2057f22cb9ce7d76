"""The input contract, read from the JSON Schema file that is published with the package.

Every rule the validator checks comes from this module: the fields, which are required, the numeric
bounds, the site id pattern and the timestamp pattern are read from the schema file here and nowhere
else, so the schema stays the single source of truth. The few rules a schema cannot state (a real
instant, DynamoDB's smallest magnitude, how a CSV cell spells a number) are written here too.
jsonschema itself is imported only when a rejected record needs a message.
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
_PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]
SITE_ID, TIMESTAMP = "site_id", "timestamp"
GENERATED, CONSUMED, CUMULATIVE = "energy_generated_kwh", "energy_consumed_kwh", "cumulative_kwh"
# The canonical reading and the messages name these five; a schema that names others needs code too.
if set(_PROPERTIES) != {SITE_ID, TIMESTAMP, GENERATED, CONSUMED, CUMULATIVE}:  # pragma: no cover
    raise ImportError(f"{SCHEMA_FILE} names fields the code does not know: update energy_core")

FIELDS: tuple[str, ...] = tuple(_PROPERTIES)
REQUIRED: tuple[str, ...] = tuple(SCHEMA["required"])
OPTIONAL: tuple[str, ...] = tuple(field for field in FIELDS if field not in REQUIRED)
NUMBER_FIELDS: tuple[str, ...] = tuple(
    field for field in FIELDS if "number" in _PROPERTIES[field]["type"]
)
NULLABLE: frozenset[str] = frozenset(field for field in FIELDS if "null" in _PROPERTIES[field]["type"])

# One range for every number (the validator checks them alike); the schema states it per field.
_RANGES = {(_PROPERTIES[field]["minimum"], _PROPERTIES[field]["maximum"]) for field in NUMBER_FIELDS}
if len(_RANGES) != 1:  # pragma: no cover - guards an edit of the schema
    raise ImportError(f"{SCHEMA_FILE}: the number fields have different ranges; update energy_core")
(_RANGE,) = _RANGES
MINIMUM: float = _RANGE[0]
MAXIMUM: float = _RANGE[1]
# DynamoDB numbers cannot be smaller in magnitude than 1e-130 (other than 0); a schema cannot say so.
SMALLEST = 1e-130

# Python's `$` also matches before a final newline; fullmatch gives the ECMA-262 meaning the
# schema intends, and validation rejects a trailing newline explicitly so both paths agree.
SITE_ID_RE = re.compile(_PROPERTIES[SITE_ID]["pattern"])
MAX_SITE_ID_LENGTH = int(re.findall(r"\{1,(\d+)\}", SITE_ID_RE.pattern)[0])
TIMESTAMP_RE = re.compile(_PROPERTIES[TIMESTAMP]["pattern"])

# A number in a CSV cell, as people write one: what the equal JSON number would be, and nothing that
# float() alone would also take ("1_000", "nan", "inf", " 1").
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@functools.cache
def schema_validator() -> Validator:
    """The Draft 2020-12 validator of the contract (built once per process, on first reject)."""
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    validator: Validator = Draft202012Validator(SCHEMA)
    return validator
