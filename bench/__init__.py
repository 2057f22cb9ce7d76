"""`make bench`: the pipeline vs the parse floor and the naive per-record design (docs/benchmarks.md)."""

import sys
from pathlib import Path

# functions/ is every Lambda's import root (on Lambda and in pytest): the bench imports handlers' helpers.
_FUNCTIONS = str(Path(__file__).resolve().parents[1] / "functions")
if _FUNCTIONS not in sys.path:
    sys.path.insert(0, _FUNCTIONS)
