"""Repeated keys among millions, found without holding a set of them.

`HashBuckets` takes each key's 64-bit hash into one of 64 buckets (arrays of 8 bytes a hash,
spilled to private spool files past `SPILL_HASHES`) and checks one bucket at a time at the end:
memory holds one bucket, a 64th of the hashes. Only the hashes found twice are then looked up
again among the keys (`repeated_keys`), to name them and to rule out a collision.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from langchain_gemini_batch.batch._keys import key_hash
from langchain_gemini_batch.batch._spool import SpoolFile

__all__ = ["SPILL_HASHES", "HashBuckets", "repeated_keys"]

SPILL_HASHES = 1 << 17
"""`HashBuckets` keeps this many hashes (8 bytes each) in memory before spilling to disk."""
_BUCKETS = 64


class HashBuckets:
    """Finds repeated 64-bit hashes among many, in bounded memory (see the module docstring).

    Args:
        spill_hashes: Hashes kept in memory before every bucket moves to a spool file.
    """

    def __init__(self, spill_hashes: int = SPILL_HASHES) -> None:
        self._memory = [array("Q") for _ in range(_BUCKETS)]
        self._held = 0
        self._spill = spill_hashes
        self._spools: list[SpoolFile] | None = None

    def add(self, value: int) -> None:
        """Record one hash."""
        self._memory[value & (_BUCKETS - 1)].append(value)
        self._held += 1
        if self._held >= self._spill:
            self._write_out()

    def _write_out(self) -> None:
        if self._spools is None:
            self._spools = [SpoolFile(f"hashes-{i}.bin") for i in range(_BUCKETS)]
        for spool, bucket in zip(self._spools, self._memory, strict=True):
            bucket.tofile(spool.handle)
        self._memory = [array("Q") for _ in range(_BUCKETS)]
        self._held = 0

    def repeated(self) -> set[int]:
        """Every hash recorded more than once (one bucket in memory at a time)."""
        found: set[int] = set()
        for index in range(_BUCKETS):
            bucket = array("Q")
            if self._spools is not None:
                handle = self._spools[index].handle
                handle.flush()
                handle.seek(0)
                bucket.frombytes(handle.read())
                handle.seek(0, 2)
            bucket.extend(self._memory[index])
            if len(set(bucket)) == len(bucket):
                continue
            seen: set[int] = set()
            for value in bucket:
                if value in seen:
                    found.add(value)
                seen.add(value)
        return found

    def close(self) -> None:
        """Delete the spool files (safe to call twice)."""
        for spool in self._spools or ():
            spool.close()
        self._spools = None
        self._memory = [array("Q") for _ in range(_BUCKETS)]
        self._held = 0

    def __enter__(self) -> HashBuckets:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def repeated_keys(keys: Iterable[str], hashes: set[int]) -> dict[str, int]:
    """Each key of `keys` that occurs more than once, and how often.

    Only keys with one of `hashes` are counted (the candidates `HashBuckets.repeated` found).
    """
    if not hashes:
        return {}
    counts: dict[str, int] = {}
    for key in keys:
        if key_hash(key) in hashes:
            counts[key] = counts.get(key, 0) + 1
    return {key: n for key, n in counts.items() if n > 1}
