"""Configuration read once at start-up from the environment template.yaml sets: every handler reads its
settings through these functions, so a missing or malformed one is refused at start with its name."""

from __future__ import annotations

import os
from collections.abc import Mapping

from energy_aws.errors import InvalidEnvironmentVariable, MissingEnvironmentVariable


def require_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    value = (os.environ if environ is None else environ).get(name, "").strip()
    if not value:
        raise MissingEnvironmentVariable(
            f"environment variable {name} is not set; it comes from template.yaml "
            "(Environment.Variables of this function) - deploy with sam or run through the local engine"
        )
    return value


def optional_env(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """A setting the function works without (template.yaml may leave it empty)."""
    return (os.environ if environ is None else environ).get(name, "").strip() or default


def number_env(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    """A numeric setting (e.g. MAX_FILE_MB); `default` when unset, refused with its name when not a number."""
    text = optional_env(name, "", environ)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InvalidEnvironmentVariable(
            f"environment variable {name} is {text!r}, not a number; set it in template.yaml "
            "(Environment.Variables of this function) or leave it out for the default"
        ) from None
    if value <= 0:
        raise InvalidEnvironmentVariable(f"environment variable {name} is {text}; it must be above 0")
    return value
