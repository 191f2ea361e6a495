"""The journal's SQLite schema, and a `jobs` row as a `JobRecord`.

Request IDs live in `request_id_blocks` (zlib-compressed blocks of a JSON array, in order),
read lazily; the `jobs.request_ids` column of such a record holds `IN_BLOCKS`. Records written
by earlier versions keep their IDs newline-joined in that column, and are read as they are.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable, Collection, Iterator
from typing import Any

from langchain_gemini_batch.batch._keys import KeyDigest, StoredIds
from langchain_gemini_batch.batch._record import JobRecord, RecordState

__all__ = ["COLUMNS", "IN_BLOCKS", "SCHEMA", "record_of"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    row_id INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_fingerprint TEXT NOT NULL,
    work_fingerprint TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    display_name TEXT NOT NULL,
    request_count INTEGER NOT NULL,
    request_ids BLOB NOT NULL,
    structured INTEGER NOT NULL,
    chunk_index INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    state TEXT NOT NULL,
    job_name TEXT,
    input_file TEXT,
    remote_state TEXT,
    owner TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_work ON jobs (endpoint, chunk_fingerprint, state);
CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs (endpoint, job_name);
CREATE TABLE IF NOT EXISTS request_id_blocks (
    job_row INTEGER NOT NULL,
    part INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_row, part)
);
"""

COLUMNS = (
    "row_id, chunk_fingerprint, work_fingerprint, endpoint, kind, model, display_name, "
    "request_count, request_ids, structured, chunk_index, chunk_count, state, job_name, "
    "input_file, remote_state, created_at, updated_at, key_digest"
)
IN_BLOCKS = zlib.compress(b"", 6)
"""The old `request_ids` column of a record whose IDs are in `request_id_blocks` (read by
earlier versions as "no IDs known": they then check the count only)."""


def _unpack_ids(blob: bytes) -> tuple[str, ...]:
    """IDs as earlier versions stored them: newline-joined, zlib-compressed."""
    text = zlib.decompress(blob).decode("utf-8")
    return tuple(text.split("\n")) if text else ()


def record_of(
    row: sqlite3.Row | tuple[Any, ...], id_blocks: Callable[[int], Iterator[bytes]]
) -> JobRecord:
    """The `JobRecord` of a `jobs` row (`COLUMNS`); its IDs are read by `id_blocks(row_id)`."""
    (row_id, chunk_fp, work_fp, endpoint, kind, model, display_name, count, ids, structured,
     index, total, state, job_name, input_file, remote_state, created, updated,
     digest) = row  # fmt: skip
    request_ids: Collection[str]
    if ids == IN_BLOCKS and count:
        known = KeyDigest.parse(digest) if digest else None
        request_ids = StoredIds(count, lambda: id_blocks(row_id), known)
    else:
        request_ids = _unpack_ids(ids)
    return JobRecord(
        chunk_fingerprint=chunk_fp,
        work_fingerprint=work_fp,
        endpoint=endpoint,
        kind=kind,
        model=model,
        display_name=display_name,
        request_count=count,
        request_ids=request_ids,
        structured=bool(structured),
        chunk_index=index,
        chunk_count=total,
        state=RecordState(state),
        job_name=job_name,
        input_file=input_file,
        remote_state=remote_state,
        created_at=created,
        updated_at=updated,
        row_id=row_id,
        key_digest=digest,
    )
