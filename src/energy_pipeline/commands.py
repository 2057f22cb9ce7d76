"""Registry of the CLI's further commands: each module adds `add_parser(commands)` and sets `handler`."""

from __future__ import annotations

from typing import Any

ALL: list[Any] = []
