"""Renders a Vertex AI batch prediction job as the `BatchPredictionJob` resource JSON.

Field order follows Google's documented replies: `name`, `displayName`, `model`,
`inputConfig`, `outputConfig`, `state`, `error` (failed and cancelled jobs), `outputInfo` (once
running), `completionStats` (running and ended jobs, not pending or cancelled ones; int64
strings, zero counters omitted), `createTime`, `startTime`, `endTime`, `updateTime`, `labels`,
`modelVersionId`. Timestamps carry microseconds and `Z`.
"""

from __future__ import annotations

from typing import Any

from langchain_gemini_batch.testing.emulator._vertex_io import vertex_time
from langchain_gemini_batch.testing.emulator._vertex_jobs import ENDED, VertexJob

__all__ = ["bigquery_output_info", "render_job"]


def bigquery_output_info(output_uri: str, create_ns: int) -> dict[str, str]:
    """`outputInfo` for a BigQuery destination `bq://project.dataset[.table]`.

    A destination naming a table is written to that table; a dataset-only destination gets a
    `predictions_<timestamp>` table (the SDK docstring's rule for classic models; unverified
    for Gemini).

    Args:
        output_uri: The `bigqueryDestination.outputUri`.
        create_ns: The job's creation time.
    """
    parts = output_uri.removeprefix("bq://").split(".")
    dataset = "bq://" + ".".join(parts[:2])
    if len(parts) > 2:
        table = parts[2]
    else:
        table = "predictions_" + vertex_time(create_ns)[:19].replace("-", "_").replace(":", "_")
    return {"bigqueryOutputDataset": dataset, "bigqueryOutputTable": table}


def _output_info(job: VertexJob) -> dict[str, str] | None:
    if not job.started:
        return None
    if job.output_directory is not None:
        return {"gcsOutputDirectory": job.output_directory}
    destination = job.body["outputConfig"].get("bigqueryDestination", {}).get("outputUri")
    if isinstance(destination, str):
        return bigquery_output_info(destination, job.create_ns)
    return None


def _updated(job: VertexJob, state: str) -> int:
    if state in ENDED and job.end_ns is not None:
        return job.end_ns
    if job.cancel_ns is not None:
        return job.cancel_ns
    return job.running_ns if job.started else job.create_ns


def render_job(job: VertexJob, state: str) -> dict[str, Any]:
    """Returns the BatchPredictionJob resource for `job` in `state`.

    Args:
        job: The job.
        state: The `JOB_STATE_*` to show (a create answer shows PENDING).
    """
    resource: dict[str, Any] = {"name": job.name}
    for key in ("displayName", "model", "inputConfig", "outputConfig"):
        if key in job.body:
            resource[key] = job.body[key]
    resource["state"] = state
    if job.error is not None and state in ENDED:
        resource["error"] = job.error
    output_info = _output_info(job) if state != "JOB_STATE_PENDING" else None
    if output_info is not None:
        resource["outputInfo"] = output_info
    stats = job.completion_stats() if state != "JOB_STATE_PENDING" else None
    if stats is not None:
        resource["completionStats"] = stats
    resource["createTime"] = vertex_time(job.create_ns)
    if job.started and state != "JOB_STATE_PENDING":
        resource["startTime"] = vertex_time(job.running_ns)
    if state in ENDED and job.end_ns is not None:
        resource["endTime"] = vertex_time(job.end_ns)
    resource["updateTime"] = vertex_time(_updated(job, state))
    if "labels" in job.body:
        resource["labels"] = job.body["labels"]
    resource["modelVersionId"] = "1"
    return resource
