"""Configuration read once at start-up from the environment template.yaml sets."""

from __future__ import annotations

import os
from collections.abc import Mapping


class ConfigurationError(RuntimeError):
    """A required environment variable is missing: the message names it and where it comes from."""


def require_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise ConfigurationError(
            f"environment variable {name} is not set; it comes from template.yaml "
            "(Environment.Variables of this function) - deploy with sam or run through the local engine"
        )
    return value
