"""Pure, typed domain code of the energy pipeline: parsing, validation, canonical readings, detection.

No boto3, no environment reads, no module-level mutable state: every function here is safe to call
from any Lambda handler, the local engine or a benchmark. Import what you use from its module
(`energy_core.validation.ingest`, `energy_core.detect.detect_site`, ...): a handler that needs only
detection does not load parsing and validation at its cold start.
"""
