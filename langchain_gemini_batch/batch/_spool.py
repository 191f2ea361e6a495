"""Private temporary files: spilled request JSONL and downloaded results.

Every file lives in a folder of this process, `<tmp>/langchain-gemini-batch-<uid>/<owner>/`
(folders 0700, files 0600), and is removed as soon as it is used, on every exit path the process
survives. A process killed with `kill -9` cannot clean up, so the first spool of every later
process removes the folders of owners that are no longer alive.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import IO

from langchain_gemini_batch.batch._owner import Owner, current_owner

__all__ = ["SpoolFile", "spool_root", "sweep_dead_spools"]

logger = logging.getLogger("langchain_gemini_batch")

_PREFIX = "langchain-gemini-batch-"
_counter = itertools.count()
_swept: set[int] = set()
_lock = threading.Lock()


def spool_root() -> Path:
    """`<tmp>/langchain-gemini-batch-<uid>`, the parent of every process's spool folder."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"{_PREFIX}{uid}"


def _owner_folder_name(owner: Owner) -> str:
    return f"{owner.host}_{owner.pid}_{owner.start}"


def _parse_folder(name: str) -> Owner | None:
    host, _, rest = name.rpartition("_")
    host, _, pid = host.rpartition("_")
    try:
        return Owner(host, int(pid), rest)
    except ValueError:
        return None


def sweep_dead_spools() -> int:
    """Remove the spool folders of processes that are gone; how many were removed."""
    root = spool_root()
    removed = 0
    if not root.is_dir():
        return 0
    me = current_owner()
    for folder in root.iterdir():
        owner = _parse_folder(folder.name)
        if owner is None or owner == me or owner.alive():
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        logger.info("removed %d temporary folders left by ended processes", removed)
    return removed


def _my_folder() -> Path:
    owner = current_owner()
    with _lock:
        if owner.pid not in _swept:
            _swept.add(owner.pid)
            sweep_dead_spools()
    root = spool_root()
    root.mkdir(mode=0o700, exist_ok=True)
    folder = root / _owner_folder_name(owner)
    if not folder.exists():
        folder.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


class SpoolFile:
    """A new private file (mode 0600, opened `w+b`) in a fresh folder of this process's spool.

    `close()` removes the file and its folder; use it as a context manager, or call `close()`
    on every exit path. The name is kept as given because the SDK sends an upload's file name
    in its headers, and recordings must not change from run to run.

    Args:
        name: The file's name, e.g. `requests.jsonl`.
    """

    def __init__(self, name: str) -> None:
        self.folder = _my_folder() / str(next(_counter))
        self.folder.mkdir(mode=0o700)
        self.path = self.folder / name
        fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        self.handle: IO[bytes] = os.fdopen(fd, "w+b")

    def close(self) -> None:
        """Close and delete the file (and its folder); safe to call twice."""
        self.handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SpoolFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
