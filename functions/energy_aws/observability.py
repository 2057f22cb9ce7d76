"""One place for the Powertools Logger, Tracer and Metrics every handler uses.

Service name and metrics namespace come from the template (POWERTOOLS_SERVICE_NAME,
POWERTOOLS_METRICS_NAMESPACE); locally the tracer is disabled (no X-Ray daemon).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "energy-pipeline"))
tracer = Tracer(disabled=os.environ.get("AWS_EXECUTION_ENV") is None)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "EnergyPipeline"))
