"""What the query API's cold start leaves out: boto3 (its client is botocore's) and the answer models' schemas.

The handler is imported and asked twice in a fresh interpreter with boto3 and s3transfer unimportable:
a request refused by validation, and one that creates the DynamoDB client and reaches for DynamoDB (at an
address where nothing listens, so it answers 503).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.unit.import_guard import refusing

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = ("boto3", "s3transfer")

PROGRAM = refusing(LEFT_OUT, "the query API does not import it") + """
import json, os, sys
os.environ.update(READINGS_TABLE="r", CATALOG_TABLE="c", AWS_DEFAULT_REGION="us-east-1",
                  AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_MAX_ATTEMPTS="1",
                  AWS_ENDPOINT_URL="http://127.0.0.1:9", POWERTOOLS_SERVICE_NAME="energy-pipeline")
sys.path[:0] = ["functions", "src"]
import query_api.app as app
from query_api import models
built_at_import = models.Reading.__pydantic_complete__
from energy_pipeline.api.http_bridge import invoke
refused = invoke(app.lambda_handler, "GET", "/sites?limit=0").status
unreachable = invoke(app.lambda_handler, "GET", "/sites").status
print(json.dumps([built_at_import, refused, unreachable]))
"""


def test_the_query_api_answers_without_boto3_and_builds_no_answer_model_at_import() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    built_at_import, refused, unreachable = json.loads(result.stdout.strip().splitlines()[-1])
    assert not built_at_import
    assert (refused, unreachable) == (400, 503)
