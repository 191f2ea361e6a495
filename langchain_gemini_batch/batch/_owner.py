"""Which process owns a journal intent or a spool folder, and whether it is still alive.

An owner is `host:pid:start`, where `start` is the process's start time read from
`/proc/<pid>/stat` (Linux) so that a recycled PID is not mistaken for the original process.
Where `/proc` is missing, `start` is `0` and liveness falls back to the PID alone.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Owner", "current_owner"]


def _start_time(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "0"
    # Field 22 (starttime) counts from the end of the command name, which may hold spaces.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else "0"


@dataclass(frozen=True)
class Owner:
    """A process on a machine: `host:pid:start`."""

    host: str
    pid: int
    start: str

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}"

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        """The owner written by `str(owner)`, or `None`."""
        if not text:
            return None
        host, _, rest = text.rpartition(":")
        host, _, pid = host.rpartition(":")
        try:
            return cls(host, int(pid), rest)
        except ValueError:
            return None

    def alive(self) -> bool:
        """Whether the process still runs (always `True` for another machine's process)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # another user's process with that PID: not ours, but alive
        return self.start in ("0", _start_time(self.pid))


@functools.cache
def _owner(pid: int) -> Owner:
    return Owner(socket.gethostname(), pid, _start_time(pid))


def current_owner() -> Owner:
    """This process (computed once per PID, so a forked child gets its own)."""
    return _owner(os.getpid())
