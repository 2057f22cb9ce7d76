"""energy-pipeline: the CLI and the local engine (never deployed to Lambda)."""

__version__ = "0.1.0"
