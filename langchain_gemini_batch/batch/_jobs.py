"""Reading raw batch-job Operations: states, summaries, result locations, batch handles.

The wire says `BATCH_STATE_*`; google-genai calls the same states `JobState.JOB_STATE_*`. Every
`JobState` member maps to one `BatchStatus` (a test walks the whole enum).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from google.genai.types import JobState

from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus, RequestCounts

__all__ = [
    "STATUS_BY_STATE",
    "combine_infos",
    "combine_statuses",
    "job_info",
    "job_state",
    "join_handle",
    "request_counts",
    "split_handle",
    "split_parts",
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

    Keys: `id` (the seed's name for the job name) and `name` (the same, as `BatchJobInfo` and
    the CLI's `status --json` call it), `display_name`, `model`, `status` (`BatchStatus`),
    `state` (`JobState` value), `create_time`, `update_time`, `end_time` (RFC 3339 strings or
    `None`), `request_counts` (`total`, `succeeded`, `failed`, `pending`), and `error` (Google's
    message, or `None`).
    """
    metadata = job.get("metadata") or {}
    state = job_state(job)
    error = job.get("error") or {}
    return {
        "id": job.get("name") or metadata.get("name"),
        "name": job.get("name") or metadata.get("name"),
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


def split_parts(batch_id: str) -> list[str]:
    """The parts of a batch handle as written (each backend turns a part into a job name)."""
    parts = [part.strip() for part in batch_id.split(HANDLE_SEPARATOR) if part.strip()]
    if not parts:
        raise ValueError(f"not a batch id: {batch_id!r}")
    return parts


def join_handle(names: list[str]) -> str:
    """The batch handle for these job names (see `split_handle`)."""
    return HANDLE_SEPARATOR.join(names)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # Python parses at most 6 fractional digits; Google sends 9
        digits = "".join(itertools.takewhile(str.isdigit, rest))
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def job_info(job: Mapping[str, Any]) -> BatchJobInfo:
    """One raw batch Operation as a typed `BatchJobInfo`."""
    summary = summarize(job)
    return BatchJobInfo(
        name=str(summary["id"]),
        status=summary["status"],
        state=summary["state"],
        display_name=summary["display_name"],
        model=summary["model"],
        request_counts=RequestCounts(**summary["request_counts"]),
        create_time=_time(summary["create_time"]),
        update_time=_time(summary["update_time"]),
        end_time=_time(summary["end_time"]),
        error=summary["error"],
    )


def combine_infos(batch_id: str, infos: list[BatchJobInfo]) -> BatchJobInfo:
    """One `BatchJobInfo` for the jobs of a batch ID (itself when there is one job)."""
    if len(infos) == 1:
        return infos[0]
    status = combine_statuses([info.status for info in infos])
    states = {info.state for info in infos}
    counts = sum((info.request_counts for info in infos), RequestCounts())
    ends = [info.end_time for info in infos]
    errors = [info.error for info in infos if info.error]
    return BatchJobInfo(
        name=batch_id,
        status=status,
        state=states.pop() if len(states) == 1 else "MIXED",
        display_name=infos[0].display_name,
        model=infos[0].model,
        request_counts=counts,
        create_time=min((i.create_time for i in infos if i.create_time), default=None),
        update_time=max((i.update_time for i in infos if i.update_time), default=None),
        end_time=max(e for e in ends if e is not None) if all(ends) else None,
        error="; ".join(errors) or None,
        jobs=tuple(infos),
    )


def combine_statuses(statuses: list[BatchStatus]) -> BatchStatus:
    """One status for the jobs of a batch handle: the least advanced one."""
    if len(statuses) == 1:
        return statuses[0]
    for waiting in (BatchStatus.IN_PROGRESS, BatchStatus.CANCELING, BatchStatus.UNKNOWN):
        if waiting in statuses:
            return waiting
    for ended in (BatchStatus.FAILED, BatchStatus.EXPIRED, BatchStatus.CANCELLED):
        if ended in statuses:
            return ended
    return BatchStatus.FINISHED
