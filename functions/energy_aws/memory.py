"""The interpreter's cyclic garbage collector, paused while a step builds a file's worth of objects.

A million new records and readings would trigger the collector dozens of times for no garbage
(measured: 2.8 s -> 1.8 s of CPU per million readings). That is a switch of the whole process, so it
is thrown here, by the handler that owns the process (validate/app.py), never inside the pure domain
package; the benchmarks throw it the same way to measure what the step does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector paused inside the block.

    On the way out the survivors are frozen (gc.freeze), else the first collection after re-enabling
    would walk every one of them once more; parsed records and readings hold no reference cycles, so
    reference counting frees them all the same. The next pause unfreezes what the last one froze, so
    a long-running process (`serve`, a warm Lambda) still collects any cyclic garbage among them.
    """
    if not gc.isenabled():  # nested: the outer pause decides
        yield
        return
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
