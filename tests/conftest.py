"""Shared fixtures: the project's sample files and a fresh embedded stack per workflow test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SAMPLES = EVENTS / "data"

# Tests never talk to AWS: fake credentials before any boto3 client exists.
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture
def moto_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients that talk to moto's in-process mock: the fake credentials, and no endpoint left behind by an
    embedded engine an earlier test started (it points AWS_ENDPOINT_URL at its own server)."""
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def local() -> Iterator[object]:
    """The embedded engine with the stack from template.yaml; a new, empty one for every test."""
    from energy_pipeline.session import open_engine

    with open_engine() as opened:
        yield opened
