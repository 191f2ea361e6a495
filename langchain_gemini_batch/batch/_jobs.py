"""Reading raw batch-job Operations: states, summaries, result locations, batch handles.

The wire says `BATCH_STATE_*`; google-genai calls the same states `JobState.JOB_STATE_*`. Every
`JobState` member maps to one `BatchStatus` (a test walks the whole enum).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from google.genai.types import JobState

from langchain_gemini_batch.schema import BatchStatus

__all__ = [
    "STATUS_BY_STATE",
    "job_state",
    "join_handle",
    "request_counts",
    "split_handle",
    "status_of_state",
    "summarize",
]

logger = logging.getLogger("langchain_gemini_batch")

STATUS_BY_STATE: dict[JobState, BatchStatus] = {
    JobState.JOB_STATE_UNSPECIFIED: BatchStatus.UNKNOWN,
    JobState.JOB_STATE_QUEUED: BatchStatus.IN_PROGRESS,
    JobState.JOB_STATE_PENDING: BatchStatus.IN_PROGRESS,
    JobState.JOB_STATE_RUNNING: BatchStatus.IN_PROGRESS,
    JobState.JOB_STATE_PAUSED: BatchStatus.IN_PROGRESS,
    JobState.JOB_STATE_UPDATING: BatchStatus.IN_PROGRESS,
    JobState.JOB_STATE_SUCCEEDED: BatchStatus.FINISHED,
    JobState.JOB_STATE_PARTIALLY_SUCCEEDED: BatchStatus.FINISHED,
    JobState.JOB_STATE_FAILED: BatchStatus.FAILED,
    JobState.JOB_STATE_CANCELLING: BatchStatus.CANCELING,
    JobState.JOB_STATE_CANCELLED: BatchStatus.CANCELLED,
    JobState.JOB_STATE_EXPIRED: BatchStatus.EXPIRED,
}
"""google-genai's job states to the seed's coarse statuses."""


def job_state(job: Mapping[str, Any]) -> str:
    """The job's state as a `JobState` value string (`BATCH_STATE_X` becomes `JOB_STATE_X`)."""
    raw = str((job.get("metadata") or {}).get("state") or "BATCH_STATE_UNSPECIFIED")
    return "JOB_STATE_" + raw.removeprefix("BATCH_STATE_").removeprefix("JOB_STATE_")


def status_of_state(state: str) -> BatchStatus:
    """Map a `JOB_STATE_*` string to a `BatchStatus`; unknown states warn and map to UNKNOWN."""
    member = JobState._value2member_map_.get(state)
    if isinstance(member, JobState) and member in STATUS_BY_STATE:
        return STATUS_BY_STATE[member]
    logger.warning("unknown batch job state %r; reporting BatchStatus.UNKNOWN", state)
    return BatchStatus.UNKNOWN


def request_counts(job: Mapping[str, Any]) -> dict[str, int]:
    """`batchStats` as ints (Google sends int64 strings and omits zeros)."""
    stats = (job.get("metadata") or {}).get("batchStats") or {}
    return {
        "total": int(stats.get("requestCount", 0)),
        "succeeded": int(stats.get("successfulRequestCount", 0)),
        "failed": int(stats.get("failedRequestCount", 0)),
        "pending": int(stats.get("pendingRequestCount", 0)),
    }


def summarize(job: Mapping[str, Any]) -> dict[str, Any]:
    """One job as the dict `list()` returns.

    Keys: `id`, `display_name`, `model`, `status` (`BatchStatus`), `state` (`JobState` value),
    `create_time`, `update_time`, `end_time` (RFC 3339 strings or `None`), `request_counts`
    (`total`, `succeeded`, `failed`, `pending`), and `error` (Google's message, or `None`).
    """
    metadata = job.get("metadata") or {}
    state = job_state(job)
    error = job.get("error") or {}
    return {
        "id": job.get("name") or metadata.get("name"),
        "display_name": metadata.get("displayName"),
        "model": metadata.get("model"),
        "status": status_of_state(state),
        "state": state,
        "create_time": metadata.get("createTime"),
        "update_time": metadata.get("updateTime"),
        "end_time": metadata.get("endTime"),
        "request_counts": request_counts(job),
        "error": error.get("message"),
    }


def results_location(job: Mapping[str, Any]) -> tuple[str, Any] | None:
    """`("inline", items)` or `("file", "files/batch-...")`, or `None` when there are none."""
    output = (job.get("metadata") or {}).get("output") or job.get("response") or {}
    if "responsesFile" in output:
        return "file", output["responsesFile"]
    inlined = output.get("inlinedResponses")
    if inlined is not None:
        return "inline", inlined.get("inlinedResponses") or []
    return None


HANDLE_SEPARATOR = ","


def split_handle(batch_id: str) -> list[str]:
    """The job names in a batch handle.

    A handle is Google's job name (`batches/abc`) when the work fit in one job, or the job
    names joined by commas (`batches/abc,batches/def`) when it was split.
    """
    names = [part.strip() for part in batch_id.split(HANDLE_SEPARATOR) if part.strip()]
    if not names:
        raise ValueError(f"not a batch id: {batch_id!r}")
    return [n if n.startswith("batches/") else f"batches/{n}" for n in names]


def join_handle(names: list[str]) -> str:
    """The batch handle for these job names (see `split_handle`)."""
    return HANDLE_SEPARATOR.join(names)
