"""Pausing the cyclic garbage collector around bulk conversions.

Decoding 100,000 results allocates millions of small containers; each allocation burst makes
the collector walk the whole young heap again, which measured as half of the conversion time.
The loops wrapped here create no reference cycles, so pausing collection is safe; it is
restored (if it was on) as soon as the loop ends, even on error.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["frozen_as_it_grows", "gc_paused"]


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


@contextmanager
def frozen_as_it_grows() -> Iterator[Callable[[], None]]:
    """For a loop that builds a large result a block at a time (`retrieve` of 100,000 answers).

    Yields `freeze`, to call after each block: it moves every object that exists into the
    collector's permanent generation (`gc.freeze()`), so that later collections do not walk
    the growing result again and again (they cost as much as building it, measured). New
    garbage, this process's and anyone else's, is still collected as usual. Everything is
    unfrozen at the end. Does nothing when the collector is off, or when objects are frozen
    already (a pre-fork server's `gc.freeze()` is left alone).
    """
    usable = gc.isenabled() and gc.get_freeze_count() == 0

    def freeze() -> None:
        if usable:
            gc.freeze()

    try:
        yield freeze
    finally:
        if usable:
            gc.unfreeze()
