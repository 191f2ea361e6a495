"""Time and identifiers: the wall clock or a virtual one, random or seeded ids.

In deterministic mode the clock starts at 2026-01-01T00:00:00Z and advances exactly one second per
handled request, and every id comes from a `random.Random` seeded with the emulator's seed, so
the same client code sees byte-identical responses on every run.
"""

from __future__ import annotations

import random
import string
import time
from datetime import datetime, timezone

__all__ = ["Clock", "IdFactory", "format_timestamp"]

_NANOS = 1_000_000_000
# 2026-01-01T00:00:00Z in nanoseconds since the epoch.
VIRTUAL_EPOCH_NS = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()) * _NANOS
_ALNUM = string.ascii_lowercase + string.digits


def format_timestamp(nanos: int) -> str:
    """Formats nanoseconds since the epoch as Google does: RFC 3339, 9 fractional digits, `Z`.

    Args:
        nanos: Nanoseconds since 1970-01-01T00:00:00Z.

    Returns:
        A string such as `2026-01-01T00:00:03.000000000Z`.
    """
    seconds, fraction = divmod(nanos, _NANOS)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:09d}Z"


class Clock:
    """The emulator's notion of now, in nanoseconds since the epoch.

    Args:
        virtual: When true, time starts at 2026-01-01T00:00:00Z and only moves when `tick` is
            called (once per handled request, by one second); otherwise it is the wall clock and
            `tick` does nothing.
    """

    def __init__(self, *, virtual: bool) -> None:
        self.virtual = virtual
        self._now = VIRTUAL_EPOCH_NS

    def tick(self) -> None:
        """Advances a virtual clock by one second (called once per handled request)."""
        if self.virtual:
            self._now += _NANOS

    def now(self) -> int:
        """Returns the current time in nanoseconds since the epoch."""
        return self._now if self.virtual else time.time_ns()


class IdFactory:
    """Makes batch, file, upload and response ids.

    Args:
        deterministic: When true, ids come from `random.Random` seeded with `seed` (one stream
            per kind of id, so that e.g. an extra upload does not shift the batch ids);
            otherwise from the operating system's randomness.
        seed: The seed used in deterministic mode.
    """

    def __init__(self, *, deterministic: bool, seed: int) -> None:
        self._deterministic = deterministic
        self._seed = seed
        self._streams: dict[str, random.Random] = {}
        self._system = random.SystemRandom()

    def _stream(self, kind: str) -> random.Random:
        if not self._deterministic:
            return self._system
        stream = self._streams.get(kind)
        if stream is None:
            stream = self._streams[kind] = random.Random(f"{self._seed}:{kind}")  # noqa: S311
        return stream

    def make(self, kind: str, length: int) -> str:
        """Returns a new id of `length` lowercase letters and digits.

        Args:
            kind: Which id stream to draw from (`batch`, `file`, `upload`).
            length: How many characters.
        """
        return "".join(self._stream(kind).choices(_ALNUM, k=length))
