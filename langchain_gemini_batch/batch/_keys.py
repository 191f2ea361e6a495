"""Request IDs in bounded memory: compressed ID logs and order-independent digests.

A batch of a million requests must not hold a million Python strings (or two sets of them) to
check that every result came back under the right key. Two small tools do that job instead:

- `KeyDigest`: a count and the sum (mod 2^64) of a 64-bit BLAKE2b hash of every key. It does
  not depend on order, so the digest of the submitted IDs (stored in the journal) equals the
  digest of the keys that came back exactly when the two agree, except with probability about
  2^-64: a missing, an unknown or a repeated key changes the count or the sum.
- `RequestIds`: the IDs themselves, in order, as zlib-compressed blocks of a JSON array (4,096
  IDs a block), kept in memory while small and spilled to a private spool file past
  `SPILL_BYTES`; `StoredIds` reads the same blocks back from the journal. They are read again
  only to name keys when a digest disagrees (the slow pass) or to fail the requests of a job
  that ended without results.

Repeated keys are found without a set of them by `_repeats.HashBuckets`.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import IO, Any

from langchain_gemini_batch.batch._spool import SpoolFile

__all__ = [
    "BLOCK_IDS",
    "IdLog",
    "KeyDigest",
    "RequestIds",
    "StoredIds",
    "as_request_ids",
    "key_hash",
    "key_hashes",
    "legacy_blocks",
]

BLOCK_IDS = 4096
"""IDs per compressed block."""
SPILL_BYTES = 1_000_000
"""An ID log keeps this many compressed bytes in memory before it moves to a spool file."""
_MASK = (1 << 64) - 1
_LENGTH = struct.Struct("<I")
_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes


def key_hash(key: str) -> int:
    """The key's 64-bit BLAKE2b hash (stable across processes and Python versions)."""
    return _from_bytes(
        _blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def key_hashes(keys: Iterable[str]) -> list[int]:
    """`key_hash` of each key (one loop, no call per key)."""
    return [
        _from_bytes(
            _blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
        )
        for key in keys
    ]


class KeyDigest:
    """A count of keys and the sum of their hashes mod 2^64 (see the module docstring).

    Attributes:
        count: Keys added.
        total: The sum of their `key_hash`es, mod 2^64.
    """

    __slots__ = ("count", "total")

    def __init__(self, count: int = 0, total: int = 0) -> None:
        self.count = count
        self.total = total

    def add(self, key: str) -> int:
        """Add one key; its hash."""
        value = key_hash(key)
        self.count += 1
        self.total = (self.total + value) & _MASK
        return value

    def add_hash(self, value: int) -> None:
        """Add one key by its hash."""
        self.count += 1
        self.total = (self.total + value) & _MASK

    @classmethod
    def of(cls, keys: Iterable[str]) -> KeyDigest:
        """The digest of `keys`."""
        digest = cls()
        for key in keys:
            digest.add(key)
        return digest

    def __str__(self) -> str:
        return f"{self.count}:{self.total:016x}"

    @classmethod
    def parse(cls, text: str) -> KeyDigest:
        """The digest `str(digest)` wrote."""
        count, _, total = text.partition(":")
        return cls(int(count), int(total, 16))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyDigest):
            return NotImplemented
        return self.count == other.count and self.total == other.total

    def __hash__(self) -> int:
        return hash((self.count, self.total))

    def __repr__(self) -> str:
        return f"KeyDigest({self})"


def _encode_block(ids: list[str]) -> bytes:
    return zlib.compress(json.dumps(ids).encode("ascii"), 1)


def _decode_block(block: bytes) -> list[str]:
    ids: list[str] = json.loads(zlib.decompress(block))
    return ids


class RequestIds(Collection[str]):
    """Request IDs in order, held as compressed blocks (iterate to read them back).

    Compares equal to another `RequestIds`, a tuple or a list holding the same IDs in the same
    order. `digest` is the `KeyDigest` of the IDs.
    """

    count: int

    def blocks(self) -> Iterator[bytes]:
        """The compressed blocks, in order."""
        raise NotImplementedError

    @property
    def digest(self) -> KeyDigest:
        """The IDs' `KeyDigest` (computed by reading them, unless known)."""
        return KeyDigest.of(self)

    def __iter__(self) -> Iterator[str]:
        for block in self.blocks():
            yield from _decode_block(block)

    def __len__(self) -> int:
        return self.count

    def __contains__(self, key: object) -> bool:
        return any(key == each for each in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RequestIds):
            return self.count == other.count and list(self) == list(other)
        if isinstance(other, (tuple, list)):
            return self.count == len(other) and list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.count)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.count} request IDs>"

    @staticmethod
    def of(ids: Iterable[str]) -> IdLog:
        """A closed `IdLog` of `ids` (a spool file only past `SPILL_BYTES` compressed)."""
        log = IdLog()
        for key in ids:
            log.append(key)
        log.seal()
        return log


class IdLog(RequestIds):
    """An append-only log of request IDs (see the module docstring); `close()` deletes its file.

    Args:
        spill_bytes: Compressed bytes kept in memory before moving to a spool file.
    """

    def __init__(self, spill_bytes: int = SPILL_BYTES) -> None:
        self.count = 0
        self._digest = KeyDigest()
        self._pending: list[str] = []
        self._blocks: list[bytes] = []
        self._held = 0
        self._spill_bytes = spill_bytes
        self._spool: SpoolFile | None = None

    @property
    def digest(self) -> KeyDigest:
        """The `KeyDigest` of every ID appended."""
        return KeyDigest(self._digest.count, self._digest.total)

    @property
    def spilled(self) -> bool:
        """Whether the log moved to a spool file."""
        return self._spool is not None

    def append(self, key: str, hashed: int | None = None) -> None:
        """Add one ID (with its `key_hash` when the caller has it)."""
        self._pending.append(key)
        self.count += 1
        if hashed is None:
            self._digest.add(key)
        else:
            self._digest.add_hash(hashed)
        if len(self._pending) >= BLOCK_IDS:
            self._flush()

    def extend(self, keys: list[str], hashes: list[int]) -> None:
        """Add IDs with their `key_hash`es (`hashes[i]` of `keys[i]`)."""
        self._pending.extend(keys)
        self.count += len(keys)
        digest = self._digest
        digest.count += len(keys)
        digest.total = (digest.total + sum(hashes)) & _MASK
        if len(self._pending) >= BLOCK_IDS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        block = _encode_block(self._pending)
        self._pending = []
        if self._spool is None and self._held + len(block) > self._spill_bytes:
            self._spool = SpoolFile("request-ids.bin")
            for held in self._blocks:
                self._write(self._spool.handle, held)
            self._blocks = []
        if self._spool is not None:
            self._write(self._spool.handle, block)
        else:
            self._blocks.append(block)
            self._held += len(block)

    @staticmethod
    def _write(handle: IO[bytes], block: bytes) -> None:
        handle.write(_LENGTH.pack(len(block)))
        handle.write(block)

    def seal(self) -> None:
        """Write out the last partial block (appending later is still allowed)."""
        self._flush()
        if self._spool is not None:
            self._spool.handle.flush()

    def blocks(self) -> Iterator[bytes]:
        """See `RequestIds.blocks` (the last partial block included)."""
        self.seal()
        if self._spool is None:
            yield from list(self._blocks)
            return
        with self._spool.path.open("rb") as handle:
            while header := handle.read(_LENGTH.size):
                (size,) = _LENGTH.unpack(header)
                yield handle.read(size)

    def close(self) -> None:
        """Delete the spool file, if any (the log is empty afterwards)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        self._blocks = []
        self._pending = []
        self._held = 0
        self.count = 0


class StoredIds(RequestIds):
    """IDs whose blocks are read on demand (e.g. from the journal).

    Args:
        count: How many IDs the blocks hold.
        load: Returns the blocks, in order.
        digest: Their `KeyDigest`, when known (else computed by reading them).
    """

    def __init__(
        self, count: int, load: Callable[[], Iterator[bytes]], digest: KeyDigest | None = None
    ) -> None:
        self.count = count
        self._load = load
        self._known = digest

    @property
    def digest(self) -> KeyDigest:
        """See `RequestIds.digest`."""
        if self._known is None:
            self._known = KeyDigest.of(self)
        return self._known

    def blocks(self) -> Iterator[bytes]:
        """See `RequestIds.blocks`."""
        return self._load()


def legacy_blocks(ids: tuple[str, ...]) -> Iterator[bytes]:
    """Blocks for IDs already in memory (records written by older versions of the journal)."""
    for start in range(0, len(ids), BLOCK_IDS):
        yield _encode_block(list(ids[start : start + BLOCK_IDS]))


def as_request_ids(ids: Any) -> RequestIds:
    """`ids` as a `RequestIds` (tuples and lists are packed)."""
    if isinstance(ids, RequestIds):
        return ids
    return RequestIds.of(ids)
