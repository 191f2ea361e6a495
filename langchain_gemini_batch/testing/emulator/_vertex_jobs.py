"""Vertex AI batch prediction jobs on the emulator's job clock.

A job lasts `job_seconds` from its creation: the first third JOB_STATE_PENDING, then
JOB_STATE_RUNNING, then it ends. When it turns RUNNING it imports its Cloud Storage input (a
missing bucket fails it with code 9, unreadable input with code 3); rows are then processed in
input order at a steady rate, each row's fate decided when it is processed. How it ends follows
the `job_outcome` option as it is when that moment is observed:

- `succeeded` / `partially_succeeded`: at the end, JOB_STATE_SUCCEEDED (also when some rows
  failed) or JOB_STATE_PARTIALLY_SUCCEEDED, `predictions.jsonl` written.
- `failed` / `cancelled`: halfway through RUNNING, JOB_STATE_FAILED (code 13) or
  JOB_STATE_CANCELLED (code 1 `CANCELED`); the rows completed by then are written.
- `expired`: the job never leaves PENDING and ends JOB_STATE_EXPIRED, with nothing written.

`cancel` turns a pending or running job JOB_STATE_CANCELLING; it is JOB_STATE_CANCELLED a tenth
of its duration later, its completed rows written. BigQuery jobs follow the same clock but read
and write nothing.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.testing.emulator._gcs_store import (
    CloudStorage,
    StorageError,
    parse_gs_uri,
)
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._vertex_io import (
    IMPORT_FAILED,
    InputImportError,
    VertexRow,
    import_rows,
    output_line,
    vertex_time,
)

__all__ = ["ENDED", "VertexJob", "cancel", "observe"]

PENDING, RUNNING = "JOB_STATE_PENDING", "JOB_STATE_RUNNING"
SUCCEEDED, PARTIALLY = "JOB_STATE_SUCCEEDED", "JOB_STATE_PARTIALLY_SUCCEEDED"
FAILED, CANCELLED, EXPIRED = "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"
CANCELLING = "JOB_STATE_CANCELLING"
ENDED = frozenset({SUCCEEDED, PARTIALLY, FAILED, CANCELLED, EXPIRED})
CANCELED_ERROR = {"code": 1, "message": "CANCELED"}
SYSTEM_ERROR = {
    "code": 13,
    "message": "System error. Please try this operation again. If the error persists, "
    "contact Vertex AI support.",
}
Fate = tuple[int, str] | None
INTERNAL_ROW_ERROR = (13, "Internal error encountered.")


def _bucket_error(bucket: str) -> dict[str, Any]:
    return {
        "code": 9,
        "message": f"Failed to get GCS bucket location for {bucket}. Please check that the "
        "bucket exists and permissions are set correctly.",
    }


@dataclass
class VertexJob:
    """One batch prediction job and everything needed to render it.

    Attributes:
        job_id: The numeric id (19 digits).
        project: The project number used in the job's name.
        location: The location.
        sequence: Creation order (listing, page tokens, the job's random stream).
        body: The create request's fields echoed on the resource (`displayName`, `model`,
            `inputConfig`, `outputConfig`, `labels`).
        model_id: The model id, e.g. `gemini-2.5-flash`.
        create_ns: Creation time (nanoseconds).
        duration_ns: Time from creation to the end.
        rng: The job's own random stream (row failures, shuffling).
        rows: The imported rows (`None` until the job starts, and for BigQuery jobs).
        fates: Fates of the rows processed so far, in input order.
        started: Whether the job has turned RUNNING.
        state: The ended state, or `None` while the job runs.
        end_ns: When the job ended.
        error: The job's google.rpc.Status (failed and cancelled jobs).
        cancel_ns: When `cancel` was called (the job is CANCELLING until it ends).
        output_directory: `gs://…/prediction-model-<createTime>` once the job started.
    """

    job_id: str
    project: str
    location: str
    sequence: int
    body: dict[str, Any]
    model_id: str
    create_ns: int
    duration_ns: int
    rng: random.Random
    rows: list[VertexRow] | None = None
    fates: list[Fate] = field(default_factory=list)
    started: bool = False
    state: str | None = None
    end_ns: int | None = None
    error: dict[str, Any] | None = None
    cancel_ns: int | None = None
    output_directory: str | None = None

    @property
    def name(self) -> str:
        """`projects/<number>/locations/<location>/batchPredictionJobs/<id>`."""
        return (
            f"projects/{self.project}/locations/{self.location}/batchPredictionJobs/{self.job_id}"
        )

    @property
    def gcs_uris(self) -> list[str]:
        """The Cloud Storage input URIs (empty for a BigQuery job)."""
        uris = self.body["inputConfig"].get("gcsSource", {}).get("uris", [])
        return [u for u in uris if isinstance(u, str)]

    @property
    def output_prefix(self) -> str | None:
        """The `gcsDestination.outputUriPrefix`, or `None` for a BigQuery job."""
        prefix = self.body["outputConfig"].get("gcsDestination", {}).get("outputUriPrefix")
        return prefix if isinstance(prefix, str) else None

    @property
    def running_ns(self) -> int:
        """When the job turns RUNNING (a third of its duration after creation)."""
        return self.create_ns + self.duration_ns // 3

    @property
    def due_ns(self) -> int:
        """When the job ends if nothing stops it earlier."""
        return self.create_ns + self.duration_ns

    @property
    def halfway_ns(self) -> int:
        """Halfway through RUNNING: when `failed` and `cancelled` outcomes strike."""
        return self.running_ns + (self.due_ns - self.running_ns) // 2

    def live_state(self, now: int) -> str:
        """The state as last observed (call `observe` first)."""
        if self.state is not None:
            return self.state
        if self.cancel_ns is not None:
            return CANCELLING
        return RUNNING if self.started and now >= self.running_ns else PENDING

    def row_time(self, index: int) -> int:
        """When row `index` is processed."""
        count = len(self.rows or ())
        span = self.due_ns - self.running_ns
        return self.running_ns + (span * (index + 1) // count if count else 0)

    def processed_by(self, now: int) -> int:
        """How many rows a running job has processed by `now`."""
        count = len(self.rows or ())
        span = self.due_ns - self.running_ns
        if now < self.running_ns or not count:
            return 0
        if span <= 0 or now >= self.due_ns:
            return count
        return min(count, (now - self.running_ns) * count // span)

    def completion_stats(self) -> dict[str, str] | None:
        """`completionStats` (int64 strings, zeros omitted), or `None` when not shown."""
        if not self.started or self.rows is None or self.state == CANCELLED:
            return None
        failed = sum(1 for fate in self.fates if fate is not None)
        counts = {
            "successfulCount": len(self.fates) - failed,
            "failedCount": failed,
            "incompleteCount": len(self.rows) - len(self.fates) if self.state else 0,
        }
        return {name: str(value) for name, value in counts.items() if value}


def _decide(row: VertexRow, rng: random.Random, options: EmulatorOptions) -> Fate:
    """A row's fate: its own problem, then `fail_keys`, then `fail_fraction` (one draw each)."""
    draw = rng.random()
    if row.problem is not None:
        return row.problem
    if row.keys & set(options.fail_keys) or draw < options.fail_fraction:
        return INTERNAL_ROW_ERROR
    return None


def _process(job: VertexJob, count: int, options: EmulatorOptions) -> None:
    rows = job.rows or []
    for index in range(len(job.fates), min(count, len(rows))):
        job.fates.append(_decide(rows[index], job.rng, options))


def _read_input(job: VertexJob, storage: CloudStorage) -> bytes:
    chunks: list[bytes] = []
    for uri in job.gcs_uris:
        bucket, name = parse_gs_uri(uri)
        if bucket not in storage.buckets:
            raise _StartError(_bucket_error(bucket))
        if "*" in name:
            names = [
                n for b, n in sorted(storage.objects) if b == bucket and fnmatch.fnmatch(n, name)
            ]
        else:
            names = [name] if (bucket, name) in storage.objects else []
        if not names:
            message = f"{IMPORT_FAILED} Not found: Uris {uri}"
            raise _StartError({"code": 3, "message": message})
        chunks += [storage.objects[(bucket, n)].data for n in names]
    return b"\n".join(chunks)


class _StartError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error["message"])
        self.error = error


def _start(job: VertexJob, storage: CloudStorage) -> None:
    """Turns the job RUNNING: checks the buckets and imports the input (GCS jobs)."""
    job.started = True
    prefix = job.output_prefix
    if prefix is None:
        return
    stamp = vertex_time(job.create_ns)
    job.output_directory = f"{prefix.rstrip('/')}/prediction-model-{stamp}"
    try:
        out_bucket = parse_gs_uri(prefix)[0]
        data = _read_input(job, storage)
        if out_bucket not in storage.buckets:
            raise _StartError(_bucket_error(out_bucket))
        job.rows = import_rows(data)
    except InputImportError as exc:
        _finish(job, FAILED, job.running_ns, {"code": 3, "message": str(exc)})
    except _StartError as exc:
        _finish(job, FAILED, job.running_ns, exc.error)


def _finish(job: VertexJob, state: str, at: int, error: dict[str, Any] | None = None) -> None:
    job.state, job.end_ns, job.error = state, at, error


def _write(job: VertexJob, options: EmulatorOptions, storage: CloudStorage) -> None:
    """Writes `predictions.jsonl` with the rows processed so far (nothing for no rows)."""
    if job.rows is None or job.output_directory is None or not job.fates:
        return
    order = list(range(len(job.fates)))
    if options.shuffle_results:
        job.rng.shuffle(order)
    lines = [
        output_line(
            job.rows[i],
            job.fates[i],
            model=job.model_id,
            at_ns=job.row_time(i),
            echo_keys=not options.drop_metadata,
        )
        for i in order
    ]
    bucket, directory = parse_gs_uri(job.output_directory)
    try:
        storage.put(
            bucket,
            f"{directory}/predictions.jsonl",
            ("\n".join(lines) + "\n").encode(),
            content_type="application/octet-stream",
            now=job.end_ns or job.create_ns,
        )
    except StorageError:
        job.state, job.error = FAILED, _bucket_error(bucket)


def _end(
    job: VertexJob,
    state: str,
    at: int,
    options: EmulatorOptions,
    storage: CloudStorage,
    *,
    error: dict[str, Any] | None = None,
) -> None:
    _finish(job, state, at, error)
    _write(job, options, storage)


def observe(job: VertexJob, now: int, options: EmulatorOptions, storage: CloudStorage) -> str:
    """Advances a job to `now` (starting, processing, ending it when due); returns its state.

    Args:
        job: The job.
        now: The current time (nanoseconds).
        options: The emulator options as they are now.
        storage: The emulated Cloud Storage (input read from, predictions written to).
    """
    if job.state is not None:
        return job.state
    if job.cancel_ns is not None:
        done = job.cancel_ns + job.duration_ns // 10
        if now >= done:
            _end(job, CANCELLED, done, options, storage, error=CANCELED_ERROR)
        return job.live_state(now)
    outcome = options.job_outcome
    if outcome == "expired" and not job.started:
        if now >= job.due_ns:
            _finish(job, EXPIRED, job.due_ns)
        return job.live_state(now)
    if now < job.running_ns:
        return PENDING
    if not job.started:
        _start(job, storage)
        if job.state is not None:
            return job.state
    if outcome in ("failed", "cancelled") and now >= job.halfway_ns:
        _process(job, job.processed_by(job.halfway_ns), options)
        if outcome == "failed":
            _end(job, FAILED, job.halfway_ns, options, storage, error=dict(SYSTEM_ERROR))
        else:
            _end(job, CANCELLED, job.halfway_ns, options, storage, error=CANCELED_ERROR)
    elif now >= job.due_ns:
        _process(job, len(job.rows or ()), options)
        state = PARTIALLY if outcome == "partially_succeeded" else SUCCEEDED
        _end(job, state, job.due_ns, options, storage)
    else:
        _process(job, job.processed_by(now), options)
    return job.live_state(now)


def cancel(job: VertexJob, now: int, options: EmulatorOptions, storage: CloudStorage) -> bool:
    """Asks a job to stop: a pending or running one turns CANCELLING.

    Args:
        job: The job.
        now: The current time (nanoseconds).
        options: The emulator options.
        storage: The emulated Cloud Storage.

    Returns:
        `False` when the job had already ended (Vertex answers FAILED_PRECONDITION), else
        `True` (asking twice is harmless).
    """
    state = observe(job, now, options, storage)
    if state in ENDED:
        return False
    if job.cancel_ns is None:
        if job.started:
            _process(job, job.processed_by(now), options)
        job.cancel_ns = now
        observe(job, now, options, storage)
    return True
