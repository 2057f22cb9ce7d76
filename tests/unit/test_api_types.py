"""The query API's anomaly types (written out so it never imports the detectors) match the detectors'."""

from typing import get_args

from energy_core.detect import TYPES
from query_api.models import AnomalyType


def test_the_api_accepts_exactly_the_types_the_detectors_report() -> None:
    assert set(get_args(AnomalyType)) == set(TYPES)
