"""Reading Vertex AI batch prediction jobs and their output lines (no I/O).

A job comes from google-genai as a typed `BatchJob`; it becomes a `RemoteJob` whose `raw` is
the job dumped as JSON-ready snake_case (`src`, `dest`, `output_info`, `completion_stats`,
`error`). Every `JobState` maps to a `BatchStatus` through the same table as the Gemini
Developer API (`_jobs.STATUS_BY_STATE`): PARTIALLY_SUCCEEDED is FINISHED (its results are
read), QUEUED, PAUSED and UPDATING are IN_PROGRESS.

Output lines (`predictions.jsonl`) hold `status` (empty on success, else
`"<HTTP reason>: <JSON error body>"`), `processed_time`, the echoed `request`, `response` on
success, and every other top-level key of the input line: the request ID travels as `key`.
Vertex turns integer-looking strings into numbers on the way (`"000123"` came back as `123`),
so the package writes `"key": "id:<request ID>"`, which never looks like a number, and strips
the prefix when reading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from google.genai import types

from langchain_gemini_batch.batch._jobs import status_of_state
from langchain_gemini_batch.batch.backends.base import RemoteJob
from langchain_gemini_batch.convert.google_response import RPC_CODE_NAMES
from langchain_gemini_batch.schema import BatchJobInfo, RequestCounts

__all__ = [
    "KEY_PREFIX",
    "gcs_input",
    "output_location",
    "remote_job",
    "request_id_of",
    "result_item",
    "status_error",
    "wire_key",
]

KEY_PREFIX = "id:"
_RPC_CODES = {name: code for code, name in RPC_CODE_NAMES.items()}


def wire_key(request_id: str) -> str:
    """The `key` written for a request ID: never integer-looking, so Vertex echoes it as is."""
    return KEY_PREFIX + request_id


def request_id_of(key: object) -> str | None:
    """The request ID of an echoed `key` (`None` when the line has none).

    Keys this package wrote carry `id:`; any other string is taken as is, and a number (a
    key of the caller's own input that Vertex coerced) as its decimal text.
    """
    if isinstance(key, str):
        return key.removeprefix(KEY_PREFIX)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    return None


def status_error(status: str) -> dict[str, Any]:
    """A failed line's `status` text as a `google.rpc.Status`-like dict.

    `"Bad Request: {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}"`
    becomes `{"code": 3, "status": "INVALID_ARGUMENT", "message": "...", "http_code": 400}`;
    text that is not of that form is kept whole as the message.
    """
    brace = status.find("{")
    body: Any = None
    if brace >= 0:
        try:
            body = json.loads(status[brace:])
        except ValueError:
            body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return {"message": status}
    name = error.get("status")
    http_code = error.get("code")
    return {
        "code": _RPC_CODES.get(name) if isinstance(name, str) else None,
        "status": name,
        "message": error.get("message") or status,
        "http_code": http_code,
    }


def result_item(line: Mapping[str, Any]) -> dict[str, Any]:
    """One output line (or BigQuery row) as the codec's result item.

    `{"response": ...}` or `{"error": {...}}` (neither when the line holds neither).
    """
    status = line.get("status")
    if status:
        return {"error": status_error(str(status))}
    response = line.get("response")
    if isinstance(response, str):  # BigQuery JSON columns may arrive as text
        response = json.loads(response)
    return {"response": response} if response is not None else {}


def _counts(job: types.BatchJob, known_total: int | None) -> RequestCounts:
    stats = job.completion_stats
    succeeded = (stats.successful_count or 0) if stats else 0
    failed = (stats.failed_count or 0) if stats else 0
    incomplete = (stats.incomplete_count or 0) if stats else 0
    total = succeeded + failed + max(incomplete, 0)
    if known_total is not None and known_total > total:
        total = known_total
    return RequestCounts(
        total=total, succeeded=succeeded, failed=failed, pending=total - succeeded - failed
    )


def remote_job(job: types.BatchJob, *, known_total: int | None = None) -> RemoteJob:
    """A typed Vertex AI `BatchJob` as a `RemoteJob`.

    Args:
        job: The job google-genai returned.
        known_total: The job's request count when this process created it (Vertex reports
            no total until the job ends).
    """
    state = job.state.value if job.state is not None else "JOB_STATE_UNSPECIFIED"
    error = job.error
    info = BatchJobInfo(
        name=str(job.name),
        status=status_of_state(state),
        state=state,
        display_name=job.display_name,
        model=job.model,
        request_counts=_counts(job, known_total),
        create_time=job.create_time,
        update_time=job.update_time,
        end_time=job.end_time,
        error=(error.message or f"code {error.code}") if error is not None else None,
    )
    return RemoteJob(info=info, raw=job.model_dump(mode="json", exclude_none=True))


def gcs_input(raw: Mapping[str, Any]) -> list[str]:
    """The job's Cloud Storage input URIs (empty for a BigQuery source)."""
    return list((raw.get("src") or {}).get("gcs_uri") or [])


def output_location(raw: Mapping[str, Any]) -> str | None:
    """Where a job's results are (`None` when not known yet).

    Its `gs://.../prediction-model-...` directory, or the `bq://project.dataset.table` it wrote.
    """
    info = raw.get("output_info") or {}
    directory = info.get("gcs_output_directory")
    if directory:
        return str(directory)
    destination = str((raw.get("dest") or {}).get("bigquery_uri") or "")
    if not destination:
        return None
    if destination.removeprefix("bq://").count(".") >= 2:
        return destination  # the destination names the table
    table = info.get("bigquery_output_table")
    if not table:
        return None
    return str(table) if str(table).startswith("bq://") else f"{destination}.{table}"
