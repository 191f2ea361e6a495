"""Renders a batch job as Google's long-running Operation, as JSON text.

The text is assembled from pre-encoded pieces so that a finished job's output (possibly
thousands of results) is spliced in from its cache instead of being encoded again:

    {"name": "batches/<id>",
     "metadata": {"@type": "...GenerateContentBatch" (embedding batches: "...EmbedContentBatch"),
                  "model", "displayName",
                  "inputConfig" (file jobs), "output" (once succeeded), "createTime",
                  "endTime" (once ended), "updateTime", "batchStats", "state", "name"},
     "done": true (only once ended),
     "response": {"@type": "...GenerateContentBatchOutput" (or "...EmbedContentBatchOutput"),
                  <output>} (once succeeded),
     "error": {"code", "message"} (failed jobs)}
"""

from __future__ import annotations

from collections.abc import Iterable

from langchain_gemini_batch.testing.emulator._clock import format_timestamp
from langchain_gemini_batch.testing.emulator._jobs import ENDED_STATES, BatchJob
from langchain_gemini_batch.testing.emulator._wire import (
    BATCH_OUTPUT_TYPE,
    BATCH_TYPE,
    EMBED_BATCH_OUTPUT_TYPE,
    EMBED_BATCH_TYPE,
    dumps,
)

__all__ = ["render_operation"]


def _object(pairs: Iterable[tuple[str, str]]) -> str:
    """Joins `(name, encoded JSON value)` pairs into a JSON object's text."""
    return "{" + ",".join(f"{dumps(name)}:{value}" for name, value in pairs) + "}"


def render_operation(job: BatchJob, state: str, *, with_output: bool = True) -> str:
    """Returns the Operation JSON text for `job` in `state`.

    Args:
        job: The job.
        state: The `BATCH_STATE_*` to show (a create answer shows PENDING).
        with_output: Whether to include the finished output (list items leave inline output
            out, as Google does).
    """
    ended = state in ENDED_STATES
    if ended and job.end_ns is not None:
        updated = job.end_ns
    elif state == "BATCH_STATE_RUNNING":
        updated = job.running_ns
    else:
        updated = job.create_ns
    output = job.output_json if with_output and state == "BATCH_STATE_SUCCEEDED" else None
    batch_type, output_type = (
        (EMBED_BATCH_TYPE, EMBED_BATCH_OUTPUT_TYPE)
        if job.embeds
        else (BATCH_TYPE, BATCH_OUTPUT_TYPE)
    )
    meta: list[tuple[str, str]] = [("@type", dumps(batch_type)), ("model", dumps(job.model))]
    if job.display_name is not None:
        meta.append(("displayName", dumps(job.display_name)))
    if job.input_file is not None:
        meta.append(("inputConfig", dumps({"fileName": job.input_file})))
    if output is not None:
        meta.append(("output", output))
    meta.append(("createTime", dumps(format_timestamp(job.create_ns))))
    if ended and job.end_ns is not None:
        meta.append(("endTime", dumps(format_timestamp(job.end_ns))))
    meta += [
        ("updateTime", dumps(format_timestamp(updated))),
        ("batchStats", dumps(job.stats(state))),
        ("state", dumps(state)),
        ("name", dumps(job.name)),
    ]
    top: list[tuple[str, str]] = [("name", dumps(job.name)), ("metadata", _object(meta))]
    if ended:
        top.append(("done", "true"))
    if output is not None:
        top.append(("response", '{"@type":' + dumps(output_type) + "," + output[1:]))
    if job.error is not None:
        top.append(("error", dumps(job.error)))
    return _object(top)
