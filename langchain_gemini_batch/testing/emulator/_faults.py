"""Planned faults: make exactly the Nth call of an endpoint fail, hang up, or answer late.

A fault is planned with `EmulatorServer.inject(...)` (or `inject_errors(...)`, which plans one
`status` fault per code, in order). Calls are counted per fault from the moment it is planned:
`nth=1` is the next call of the action, `nth=3` the third one from now. Each fault fires once.
When several faults are due on the same call, the one planned first fires and the others wait
for the following calls.

What a fault does, on the call it fires on:

- `status=503` (400, 403, 404, 429, 500, 503 or 504): Google's error answer for that status
  instead of the work (nothing is created, changed or read).
- `drop="before"`: the connection is closed without an answer and without doing the work.
- `drop="after"`: the work is done (a job created, a chunk stored, ...), then the connection is
  closed without an answer.
- `delay=N`: the work is done, then the answer is sent N seconds later (a client with a shorter
  timeout gives up although, e.g., the job exists). With `status`, the error comes N seconds
  late; with `drop="after"`, the connection is closed N seconds after the work.

`action=None` matches every call except upload data chunks (`files.uploadChunk`), which must be
named.

On the command line (and in the `inject` option) a fault is written as the keyword arguments of
`EmulatorServer.inject`, comma-separated: `action=batches.get,nth=3,status=503`,
`action=batchGenerateContent,delay=5`, `action=files.download,drop=before`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

__all__ = ["FAULT_STATUSES", "Drop", "Fault", "FaultPlan", "parse_fault"]

Drop = Literal["before", "after"]
FAULT_STATUSES = frozenset({400, 403, 404, 429, 500, 503, 504})


@dataclass
class Fault:
    """One planned fault (see the module docstring).

    Attributes:
        action: The endpoint name (as in the request log), or `None` for any but upload chunks.
        skip: Matching calls still to let through before this one fires (`nth - 1`).
        status: The HTTP error to answer instead of the work, or `None`.
        drop: Close the connection without an answer, `"before"` or `"after"` the work.
        delay: Seconds to wait, after the work, before answering (or hanging up).
    """

    action: str | None
    skip: int
    status: int | None = None
    drop: Drop | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.skip < 0:
            raise ValueError(f"nth must be 1 or more, got {self.skip + 1}")
        if self.status is not None and self.status not in FAULT_STATUSES:
            raise ValueError(f"cannot inject HTTP {self.status}; use {sorted(FAULT_STATUSES)}")
        if self.drop not in (None, "before", "after"):
            raise ValueError(f"drop must be 'before' or 'after', got {self.drop!r}")
        if self.status is not None and self.drop is not None:
            raise ValueError("a fault either answers an error (status) or drops, not both")
        if not math.isfinite(self.delay) or self.delay < 0:
            raise ValueError(f"delay must be a non-negative number of seconds, got {self.delay}")
        if self.status is None and self.drop is None and not self.delay:
            raise ValueError("give status, drop or delay")

    @property
    def skips_work(self) -> bool:
        """Whether the endpoint's work is left undone (an error or a drop before it)."""
        return self.status is not None or self.drop == "before"


class FaultPlan:
    """The faults still to fire, in the order they were planned (not thread-safe on its own)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Plans a fault."""
        self._faults.append(fault)

    def clear(self) -> None:
        """Forgets every planned fault."""
        self._faults.clear()

    def pending(self) -> list[Fault]:
        """The faults that have not fired yet."""
        return list(self._faults)

    def take(self, action: str, *, any_call: bool) -> Fault | None:
        """Counts one call of `action` and returns the fault that fires on it, if any.

        Args:
            action: The endpoint called.
            any_call: Whether faults planned for any action (`action=None`) apply to it.
        """
        fired: Fault | None = None
        for fault in list(self._faults):
            if fault.action != action and not (fault.action is None and any_call):
                continue
            if fault.skip > 0:
                fault.skip -= 1
            elif fired is None:
                fired = fault
                self._faults.remove(fault)
        return fired


def parse_fault(spec: str) -> Fault:
    """Parses `action=A,nth=N,status=S,drop=before|after,delay=SECONDS` (every key optional).

    Args:
        spec: The fault, as written on the command line.

    Raises:
        ValueError: An unknown key, a malformed value, or an invalid fault.
    """
    values: dict[str, str] = {}
    for item in spec.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in {"action", "nth", "status", "drop", "delay"} or key in values:
            raise ValueError(
                f"bad fault {spec!r}: use action=NAME,nth=N,status=CODE|drop=before|after|"
                "delay=SECONDS"
            )
        values[key] = value.strip()
    drop = values.get("drop")
    return Fault(
        values.get("action") or None,
        int(values.get("nth", "1")) - 1,
        status=int(values["status"]) if "status" in values else None,
        drop=drop,  # type: ignore[arg-type]  # checked by Fault
        delay=float(values.get("delay", "0")),
    )
