"""A batch job as plain data: `JobRecord`, its `RecordState`, and what a claim found.

Everything needed to finish one batch job, in a form any process can read back from the
journal (`journal.py`): job name, model, request IDs (as `RequestIds`, read lazily) and their
`KeyDigest`, which requests expect structured output, input file, fingerprints and state.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from langchain_gemini_batch.batch._keys import IdLog, KeyDigest, RequestIds, as_request_ids

__all__ = ["ClaimOutcome", "JobRecord", "RecordCache", "RecordState"]


class RecordState(str, Enum):
    """Where a journaled job stands, as far as this package knows."""

    CREATING = "creating"
    """The create request is about to be (or was) sent; Google's answer is not recorded yet."""
    CREATED = "created"
    """Google accepted the job; it may be running or may have ended."""
    RETRIEVED = "retrieved"
    """The job ended and its results were read (its input file is then deleted)."""
    ABANDONED = "abandoned"
    """Never to be reused: Google refused it, it ended without results, or it is gone."""


@dataclass(frozen=True)
class JobRecord:
    """Everything needed to finish one batch job, as plain data.

    Attributes:
        chunk_fingerprint: SHA-256 of the job's work (model, request kind and every encoded
            request line); the same work always has the same fingerprint.
        work_fingerprint: SHA-256 over every job of the `create` call that made this one.
        endpoint: Where the job lives (backend and base URL), so a record made against the
            emulator is never reused against Google.
        kind: The request kind (`generate`, `embed`).
        model: The model, as the create call named it.
        display_name: The job's display name (it carries the fingerprint tag).
        request_count: How many requests the job holds.
        request_ids: The request IDs submitted, in order (restores key checks in any process):
            a `RequestIds`, read lazily, block by block (pass a tuple or list to build one).
        structured: Whether results are decoded as JSON into `structured_output`.
        chunk_index: This job's position among the jobs of its `create` call.
        chunk_count: How many jobs that call made.
        state: The journal's state of the record.
        job_name: Google's job name once known (`batches/...`).
        input_file: The uploaded input file this package created (`files/...`), if any.
        remote_state: The last `JOB_STATE_*` seen.
        created_at: When the intent was written (UNIX seconds).
        updated_at: When the record last changed.
        row_id: The record's row in the journal (`None` for records not yet written).
        key_digest: `str(KeyDigest)` of the request IDs: what the keys of the results must
            add up to (computed from `request_ids` when not given).
    """

    chunk_fingerprint: str
    work_fingerprint: str
    endpoint: str
    kind: str
    model: str
    display_name: str
    request_count: int
    request_ids: Collection[str] = ()
    structured: bool = False
    chunk_index: int = 0
    chunk_count: int = 1
    state: RecordState = RecordState.CREATING
    job_name: str | None = None
    input_file: str | None = None
    remote_state: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    row_id: int | None = None
    key_digest: str | None = None

    def __post_init__(self) -> None:
        ids = as_request_ids(self.request_ids)
        object.__setattr__(self, "request_ids", ids)
        if self.key_digest is None and ids.count:
            object.__setattr__(self, "key_digest", str(ids.digest))

    @property
    def ids(self) -> RequestIds:
        """`request_ids`, typed as the `RequestIds` it always is."""
        ids = self.request_ids
        assert isinstance(ids, RequestIds)
        return ids

    def expected_digest(self) -> KeyDigest | None:
        """The `KeyDigest` results must match (`None` when the IDs are unknown)."""
        if self.key_digest is None:
            return None
        return KeyDigest.parse(self.key_digest)

    def to_json(self) -> str:
        """The record as a JSON string (readable by `from_json` in any process)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["state"] = self.state.value
        data["request_ids"] = list(self.request_ids)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> JobRecord:
        """The record written by `to_json`."""
        data = json.loads(text)
        data["state"] = RecordState(data["state"])
        data["request_ids"] = tuple(data["request_ids"])
        return cls(**data)


class ClaimOutcome(str, Enum):
    """What `Journal.claim` found for a piece of work."""

    NEW = "new"
    """No usable record: an intent was written for the caller, who must create the job."""
    EXISTING = "existing"
    """A job was already created for this work (running, or ended and maybe already read):
    reattach to it, after checking that Google still has it and it can still finish."""
    BUSY = "busy"
    """Another live process is creating this job right now: wait and claim again."""
    ORPHANED = "orphaned"
    """An intent whose process died before recording the job: the caller now owns it and must
    look for the job (by its fingerprint tag) before creating it."""


class RecordCache:
    """Job records of this process when there is no journal: bounded, least recent dropped.

    A record's request IDs are its job's `IdLog` (compressed, on disk past a megabyte), which
    is deleted when the record is dropped.

    Args:
        max_records: Most records kept.
        max_ids: Most request IDs kept over all records.
    """

    def __init__(self, max_records: int = 256, max_ids: int = 2_000_000) -> None:
        self._records: OrderedDict[str, JobRecord] = OrderedDict()
        self._ids = 0
        self.max_records = max_records
        self.max_ids = max_ids
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._records)

    def put(self, record: JobRecord) -> None:
        """Remember a created job's record."""
        assert record.job_name is not None
        with self._lock:
            self._drop(record.job_name)
            self._records[record.job_name] = record
            self._ids += len(record.request_ids)
            while self._records and (
                len(self._records) > self.max_records or self._ids > self.max_ids
            ):
                self._drop(next(iter(self._records)))

    def get(self, job_name: str) -> JobRecord | None:
        """The record of `job_name`, if remembered."""
        with self._lock:
            return self._records.get(job_name)

    def pop(self, job_name: str) -> None:
        """Forget a job (after its results were read)."""
        with self._lock:
            self._drop(job_name)

    def _drop(self, job_name: str) -> None:
        old = self._records.pop(job_name, None)
        if old is not None:
            self._ids -= len(old.request_ids)
            if isinstance(old.request_ids, IdLog):
                old.request_ids.close()  # its spool file, if the IDs were many
