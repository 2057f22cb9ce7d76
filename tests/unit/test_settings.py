"""Handler settings from the environment template.yaml sets (energy_aws.settings)."""

from __future__ import annotations

import pytest

from energy_aws.errors import InvalidEnvironmentVariable, MissingEnvironmentVariable
from energy_aws.settings import number_env, optional_env, require_env


def test_a_required_setting_that_is_missing_names_itself_and_where_it_comes_from() -> None:
    with pytest.raises(MissingEnvironmentVariable, match=r"BUCKET_NAME is not set; it comes from template\.yaml"):
        require_env("BUCKET_NAME", {"BUCKET_NAME": "  "})


def test_a_number_setting_is_read_or_defaults_and_a_bad_one_is_refused_with_its_value() -> None:
    assert number_env("MAX_FILE_MB", 256, {}) == 256
    assert number_env("MAX_FILE_MB", 256, {"MAX_FILE_MB": "64"}) == 64
    with pytest.raises(InvalidEnvironmentVariable, match=r"MAX_FILE_MB is '64MB', not a number"):
        number_env("MAX_FILE_MB", 256, {"MAX_FILE_MB": "64MB"})
    with pytest.raises(InvalidEnvironmentVariable, match="must be above 0"):
        number_env("STORE_CONCURRENCY", 4, {"STORE_CONCURRENCY": "0"})


def test_an_optional_setting_left_empty_takes_its_default() -> None:
    assert optional_env("CORS_ALLOW_ORIGIN", "", {"CORS_ALLOW_ORIGIN": ""}) == ""
    assert optional_env("NEXT_TOKEN_KEY", "x", {}) == "x"
