"""The start of a program run in a fresh interpreter in which some packages cannot be imported: how a test
shows that a Lambda's code never loads what its package leaves out."""

from __future__ import annotations

from collections.abc import Iterable

_GUARD = """
import importlib.abc, sys
LEFT_OUT = {left_out!r}

class LeftOut(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in LEFT_OUT or name.startswith(tuple(n + "." for n in LEFT_OUT)):
            raise ImportError(f"{{name}}: {why}")
        return None

sys.meta_path.insert(0, LeftOut())
"""


def refusing(left_out: Iterable[str], why: str) -> str:
    """Program text that makes `left_out` (and their submodules) raise ImportError saying `why`."""
    return _GUARD.format(left_out=tuple(left_out), why=why)
