"""Configuration read once at start-up from the environment template.yaml sets."""

from __future__ import annotations

import os
from collections.abc import Mapping

from energy_aws.errors import MissingEnvironmentVariable


def require_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise MissingEnvironmentVariable(
            f"environment variable {name} is not set; it comes from template.yaml "
            "(Environment.Variables of this function) - deploy with sam or run through the local engine"
        )
    return value
