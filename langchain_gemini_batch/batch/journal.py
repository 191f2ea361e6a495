"""The job journal: what the package must know to finish a batch, on disk, in SQLite.

A batch job runs for minutes to a day and is billed when it runs, so nothing that matters may
live only in one process's memory. Every job is a `JobRecord` (plain data: job name, model,
request IDs, which requests expect structured output, input file, fingerprints, state), kept
in a SQLite file that several processes may share:

- The *intent* to create a job is written **before** the create request is sent, and the job
  name as soon as Google answers. A process that dies in between leaves an intent whose owner
  is gone; the next run looks for the job by the fingerprint in its display name before
  creating anything.
- A record is claimed in one `BEGIN IMMEDIATE` transaction, so two processes running the same
  work at once create one job between them: the second sees the first one's live intent and
  waits for the job name.
- The journal holds no API key and no prompt text: fingerprints, request IDs and job names.
- Request IDs are stored as zlib-compressed blocks of 4,096 (table `request_id_blocks`) with
  their `KeyDigest` (count and sum of 64-bit hashes): results are checked against the digest,
  and the IDs are read back, a block at a time, only to name keys when it disagrees.

The default file is `journal.sqlite3` in the user's cache directory
(`platformdirs.user_cache_dir("langchain-gemini-batch")`); the environment variable
`GEMINI_BATCH_JOURNAL` (a file path) moves it, and the `journal=` argument of
`GoogleLMInvoker` and `ChatGeminiBatch` overrides both (a path, or `False` for none).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs

from langchain_gemini_batch.batch._journal_schema import COLUMNS, IN_BLOCKS, SCHEMA, record_of
from langchain_gemini_batch.batch._keys import KeyDigest, StoredIds
from langchain_gemini_batch.batch._owner import Owner, current_owner
from langchain_gemini_batch.batch._record import ClaimOutcome, JobRecord, RecordState

__all__ = [
    "JOURNAL_ENV",
    "ClaimOutcome",
    "JobRecord",
    "Journal",
    "RecordState",
    "default_journal_path",
    "endpoint_id",
    "resolve_journal",
]

JOURNAL_ENV = "GEMINI_BATCH_JOURNAL"
"""The environment variable that moves the default journal file."""

_RETENTION_SECONDS = 30 * 24 * 3600
"""Retrieved or abandoned records older than this are pruned when a journal is opened."""


class Journal:
    """A SQLite journal of batch jobs, safe to share between processes on one machine.

    Example:
        ```python
        from langchain_gemini_batch import Journal

        for record in Journal().unretrieved():  # jobs still running, or not read yet
            print(record.job_name, record.remote_state, record.request_count)
        ```

    Args:
        path: The SQLite file (created, private to the user, on first use); default
            `GEMINI_BATCH_JOURNAL`, else `journal.sqlite3` in the user's cache directory.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_journal_path()
        self._ready = False

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    @contextlib.contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self._prepare()
        connection = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            # WAL with synchronous=NORMAL: a commit survives the process being killed (what the
            # journal is for); only a power loss may lose the last commits.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def _prepare(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        connection = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(jobs)")}
            if "key_digest" not in columns:  # a journal written by an earlier version
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it
                    connection.execute("ALTER TABLE jobs ADD COLUMN key_digest TEXT")
            cutoff = time.time() - _RETENTION_SECONDS
            connection.execute(
                "DELETE FROM jobs WHERE state IN (?, ?) AND updated_at < ?",
                (RecordState.RETRIEVED.value, RecordState.ABANDONED.value, cutoff),
            )
            connection.execute(
                "DELETE FROM request_id_blocks WHERE job_row NOT IN (SELECT row_id FROM jobs)"
            )
        finally:
            connection.close()
        self._ready = True

    def id_blocks(self, row_id: int | None) -> Iterator[bytes]:
        """The compressed request-ID blocks of a record, one query per block."""
        if row_id is None:
            return
        if not self._ready:
            self._prepare()
        connection = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        try:
            part = 0
            while True:
                row = connection.execute(
                    "SELECT data FROM request_id_blocks WHERE job_row = ? AND part = ?",
                    (row_id, part),
                ).fetchone()
                if row is None:
                    return
                yield bytes(row[0])
                part += 1
        finally:
            connection.close()

    def claim(self, record: JobRecord, *, resume: bool = True) -> tuple[ClaimOutcome, JobRecord]:
        """Claim `record`'s work atomically; see `ClaimOutcome` for what the caller must do.

        Args:
            record: The job about to be created (its `row_id` is ignored).
            resume: `False` abandons every earlier record of the same work and always returns
                `NEW` (a fresh job is created).

        Returns:
            The outcome and the record it refers to (for `NEW` and `ORPHANED`, the caller's
            intent, with its `row_id`).
        """
        me = current_owner()
        now = time.time()
        with self._connect(write=True) as db:
            rows = db.execute(
                f"SELECT {COLUMNS}, owner FROM jobs WHERE endpoint = ? AND chunk_fingerprint = ? "  # noqa: S608 - constant
                "AND state IN (?, ?, ?) ORDER BY row_id DESC",
                (
                    record.endpoint,
                    record.chunk_fingerprint,
                    RecordState.CREATING.value,
                    RecordState.CREATED.value,
                    RecordState.RETRIEVED.value,
                ),
            ).fetchall()
            for row in rows:
                found, owner = record_of(row[:-1], self.id_blocks), Owner.parse(row[-1])
                if not resume:
                    self._set_state(db, found, RecordState.ABANDONED, now)
                    continue
                if found.job_name:
                    return ClaimOutcome.EXISTING, found
                if owner is not None and owner != me and owner.alive():
                    return ClaimOutcome.BUSY, found
                db.execute(
                    "UPDATE jobs SET owner = ?, updated_at = ? WHERE row_id = ?",
                    (str(me), now, found.row_id),
                )
                return ClaimOutcome.ORPHANED, found
            ids = record.ids
            digest = record.key_digest
            cursor = db.execute(
                "INSERT INTO jobs (chunk_fingerprint, work_fingerprint, endpoint, kind, model, "
                "display_name, request_count, request_ids, structured, chunk_index, chunk_count, "
                "state, owner, created_at, updated_at, key_digest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.chunk_fingerprint,
                    record.work_fingerprint,
                    record.endpoint,
                    record.kind,
                    record.model,
                    record.display_name,
                    record.request_count,
                    IN_BLOCKS,
                    int(record.structured),
                    record.chunk_index,
                    record.chunk_count,
                    RecordState.CREATING.value,
                    str(me),
                    now,
                    now,
                    digest,
                ),
            )
            row_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO request_id_blocks (job_row, part, data) VALUES (?, ?, ?)",
                ((row_id, part, block) for part, block in enumerate(ids.blocks())),
            )
            known = KeyDigest.parse(digest) if digest else None
            intent = dataclasses.replace(
                record,
                request_ids=StoredIds(ids.count, lambda: self.id_blocks(row_id), known),
                state=RecordState.CREATING,
                created_at=now,
                updated_at=now,
                row_id=row_id,
            )
        return ClaimOutcome.NEW, intent

    @staticmethod
    def _set_state(
        db: sqlite3.Connection, record: JobRecord, state: RecordState, now: float
    ) -> None:
        db.execute(
            "UPDATE jobs SET state = ?, updated_at = ? WHERE row_id = ?",
            (state.value, now, record.row_id),
        )

    def record_created(
        self, record: JobRecord, job_name: str, *, input_file: str | None = None
    ) -> JobRecord:
        """Write the job name Google gave the claimed `record` (and its uploaded input file)."""
        now = time.time()
        with self._connect(write=True) as db:
            db.execute(
                "UPDATE jobs SET state = ?, job_name = ?, input_file = ?, owner = NULL, "
                "updated_at = ? WHERE row_id = ?",
                (RecordState.CREATED.value, job_name, input_file, now, record.row_id),
            )
        return dataclasses.replace(
            record,
            state=RecordState.CREATED,
            job_name=job_name,
            input_file=input_file,
            updated_at=now,
        )

    def record_upload(self, record: JobRecord, input_file: str) -> None:
        """Note the input file uploaded for an intent, before its create is sent.

        A process killed between the upload and the create leaves the file behind; the run
        that takes the orphaned intent over deletes it when no job was made from it.
        """
        with self._connect(write=True) as db:
            db.execute(
                "UPDATE jobs SET input_file = ?, updated_at = ? WHERE row_id = ?",
                (input_file, time.time(), record.row_id),
            )

    def set_state(self, record: JobRecord, state: RecordState) -> None:
        """Move a record to `state` (e.g. `ABANDONED` when Google refused or lost the job)."""
        with self._connect(write=True) as db:
            self._set_state(db, record, state, time.time())

    def release(self, record: JobRecord) -> None:
        """Drop an intent whose create was never sent (or was refused): nothing exists."""
        with self._connect(write=True) as db:
            cursor = db.execute(
                "DELETE FROM jobs WHERE row_id = ? AND job_name IS NULL", (record.row_id,)
            )
            if cursor.rowcount:
                db.execute("DELETE FROM request_id_blocks WHERE job_row = ?", (record.row_id,))

    def find(self, endpoint: str, job_name: str) -> JobRecord | None:
        """The newest record of the job `job_name` at `endpoint`, if journaled."""
        with self._connect() as db:
            row = db.execute(
                f"SELECT {COLUMNS} FROM jobs WHERE endpoint = ? AND job_name = ? "  # noqa: S608 - constant
                "ORDER BY row_id DESC LIMIT 1",
                (endpoint, job_name),
            ).fetchone()
        return record_of(row, self.id_blocks) if row else None

    def update(self, endpoint: str, job_name: str, **changes: Any) -> None:
        """Record what was learnt of a job: `remote_state=...` and/or `state=RecordState`."""
        sets = []
        values: list[Any] = []
        if "remote_state" in changes:
            sets.append("remote_state = ?")
            values.append(changes.pop("remote_state"))
        if "state" in changes:
            sets.append("state = ?")
            values.append(RecordState(changes.pop("state")).value)
        if changes:
            raise TypeError(f"unknown journal fields {sorted(changes)}")
        if not sets:
            return
        with self._connect(write=True) as db:
            db.execute(
                f"UPDATE jobs SET {', '.join(sets)}, updated_at = ? "  # noqa: S608 - fixed names
                "WHERE endpoint = ? AND job_name = ? AND state != ?",
                (*values, time.time(), endpoint, job_name, RecordState.ABANDONED.value),
            )

    def records(self, *states: RecordState) -> list[JobRecord]:
        """Every record in one of `states` (all records when none is given), oldest first."""
        query = f"SELECT {COLUMNS} FROM jobs"  # noqa: S608 - constant
        params: tuple[str, ...] = ()
        if states:
            query += f" WHERE state IN ({', '.join('?' for _ in states)})"
            params = tuple(state.value for state in states)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY row_id", params).fetchall()
        return [record_of(row, self.id_blocks) for row in rows]

    def unretrieved(self) -> list[JobRecord]:
        """Jobs created (or being created) whose results have not been read yet.

        These are the jobs that may still be running and billed: their names, last known
        state, request counts and creation times.
        """
        return self.records(RecordState.CREATING, RecordState.CREATED)


def default_journal_path() -> Path:
    """`GEMINI_BATCH_JOURNAL`, else `journal.sqlite3` in the user's cache directory."""
    configured = os.environ.get(JOURNAL_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("langchain-gemini-batch")) / "journal.sqlite3"


def resolve_journal(journal: Journal | str | os.PathLike[str] | bool | None) -> Journal | None:
    """The journal an invoker uses: `None`/`True` the default, `False` none, else that file."""
    if journal is False:
        return None
    if isinstance(journal, Journal):
        return journal
    if journal is None or journal is True:
        return Journal()
    return Journal(journal)


def endpoint_id(backend: str, base_url: str | None) -> str:
    """The `endpoint` of records made through `backend` at `base_url` (default: Google's)."""
    return f"{backend}:{(base_url or 'google').rstrip('/')}"
