"""Peak RSS of the current process, for the lines that run each side in a fresh process."""

from __future__ import annotations

import math
import resource
from pathlib import Path


def process_peak_mb(pid: int | str = "self") -> float:
    """A process's peak RSS so far (`VmHWM`), in MB; NaN without `/proc`."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """This process's peak RSS (`VmHWM`; `ru_maxrss` would count the parent's RSS at fork)."""
    peak = process_peak_mb()
    if not math.isnan(peak):
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc
