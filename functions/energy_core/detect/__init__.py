"""Anomaly detection: pure, stdlib-only detectors over one site's readings.

Entry points: `detect_site(points, history, config, now_epoch)` and `load_config(raw)`.
Types and thresholds are described in docs/anomaly-detection.md.
"""

from .config import Capacity, ConfigError, DetectionConfig, SpikeConfig, load_config
from .model import SEVERITIES, TYPES, Anomaly, Series, SeriesPoint, canonical
from .site import detect_site

__all__ = [
    "SEVERITIES",
    "TYPES",
    "Anomaly",
    "Capacity",
    "ConfigError",
    "DetectionConfig",
    "Series",
    "SeriesPoint",
    "SpikeConfig",
    "canonical",
    "detect_site",
    "load_config",
]
