"""Registry of the CLI's further commands: each module adds `add_parser(commands)` and sets `handler`."""

from __future__ import annotations

from typing import Any

ALL: list[Any] = []


def _register() -> None:
    # Each module appends itself to ALL when imported.
    from energy_pipeline import (
        commands_ingestions,  # noqa: F401
        commands_local,  # noqa: F401
        commands_ops,  # noqa: F401
        commands_viewer,  # noqa: F401
    )


_register()
