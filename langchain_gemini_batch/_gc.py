"""Pausing the cyclic garbage collector around bulk conversions.

Decoding 100,000 results allocates millions of small containers; each allocation burst makes
the collector walk the whole young heap again, which measured as half of the conversion time.
The loops wrapped here create no reference cycles, so pausing collection is safe; it is
restored (if it was on) as soon as the loop ends, even on error.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable cyclic garbage collection for the block (re-enabled only if it was enabled)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
