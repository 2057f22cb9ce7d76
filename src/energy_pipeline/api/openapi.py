"""Print the query API's OpenAPI document, generated from the routes: `make openapi`.

openapi.json at the repository root is this output; tests/api fail when the two differ.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

TITLE = "Energy pipeline query API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Readings, anomalies and aggregates by site and time range, and the ingestion ledger. Times are "
    "ISO 8601 with an offset or Z and are answered in UTC; ranges are half-open [from, to). Requests are "
    "SigV4-signed (IAM) unless the stack was deployed with ApiAuth=API_KEY (then send x-api-key). "
    "See docs/api.md."
)


def document() -> dict[str, Any]:
    # The handler module reads table names only when a request arrives; nothing AWS is touched here.
    from query_api.app import app

    schema = app.get_openapi_json_schema(title=TITLE, version=VERSION, description=DESCRIPTION)
    parsed: dict[str, Any] = json.loads(schema)
    _drop_422(parsed)
    return parsed


def _drop_422(spec: dict[str, Any]) -> None:
    """Powertools documents its default 422 for invalid input; this API answers those with a 400."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "energy-pipeline")
    sys.stdout.write(render())
