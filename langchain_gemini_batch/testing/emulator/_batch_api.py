"""Batch endpoints: create (inline or file), get, list, cancel, delete."""

from __future__ import annotations

import random

from langchain_gemini_batch.testing.emulator._fields import field
from langchain_gemini_batch.testing.emulator._inputs import (
    GENERATE,
    InputItem,
    RequestKind,
    parse_inline,
    parse_jsonl,
)
from langchain_gemini_batch.testing.emulator._jobs import BatchJob, ResultsWriter, cancel, observe
from langchain_gemini_batch.testing.emulator._model_api import require_model
from langchain_gemini_batch.testing.emulator._operation import render_operation
from langchain_gemini_batch.testing.emulator._state import Call, EmulatorCounts, HttpReply, State
from langchain_gemini_batch.testing.emulator._wire import (
    invalid_argument,
    not_found,
    quota_exceeded,
)

__all__ = [
    "cancel_batch",
    "count_everything",
    "create_batch",
    "create_job",
    "delete_batch",
    "get_batch",
    "list_batches",
]

_DEFAULT_PAGE_SIZE = 50
_MAX_PAGE_SIZE = 1000


def _writer(state: State) -> ResultsWriter:
    def write(job: BatchJob, data: bytes) -> str:
        name = f"files/batch-{job.name.removeprefix('batches/')}"
        state.files.add_generated(
            name,
            data,
            now=job.end_ns or state.clock.now(),
            public_base=job.public_base,
            version=job.version,
        )
        return name

    return write


def _items(
    state: State, call: Call, kind: RequestKind
) -> tuple[list[InputItem], str | None, str | None]:
    batch = field(call.body, "batch")
    if not isinstance(batch, dict):
        raise invalid_argument(f"* {kind.owner}.batch: batch is required")
    input_config = field(batch, "inputConfig")
    file_name = field(input_config, "fileName")
    requests = field(input_config, "requests")
    display_name = field(batch, "displayName")
    display = display_name if isinstance(display_name, str) else None
    if isinstance(file_name, str) and file_name:
        if not state.files.has(file_name):
            raise not_found(f"File {file_name} was not found.")
        items = parse_jsonl(state.files.get(file_name).data, call.version, kind)
        if not items:
            raise invalid_argument(f"The input file {file_name} holds no requests.")
        return items, file_name, display
    if requests is None:
        raise invalid_argument(
            f"* {kind.owner}.batch.input_config: requests or file_name is required"
        )
    return parse_inline(field(requests, "requests"), call.version, kind), None, display


def create_batch(state: State, call: Call) -> HttpReply:
    """`POST models/{model}:batchGenerateContent`: a new job, answered as PENDING."""
    model = require_model(state, call, "batchGenerateContent").name
    return create_job(state, call, model, GENERATE, dimension=None)


def create_job(
    state: State, call: Call, model: str, kind: RequestKind, *, dimension: int | None
) -> HttpReply:
    """Creates a generation or embedding batch job and answers its PENDING Operation.

    Args:
        state: The emulator state.
        call: The create call.
        model: The model's resource name.
        kind: How the requests are read and checked.
        dimension: The embedding size for an embedding batch, `None` for generation.
    """
    items, input_file, display_name = _items(state, call, kind)
    now = state.clock.now()
    options = state.options
    if state.jobs.unfinished(now) >= options.max_running_jobs:
        raise quota_exceeded(
            options.retry_delay_seconds,
            message=(
                f"You have reached the limit of {options.max_running_jobs} concurrent batch "
                "jobs. Wait for a job to finish or cancel one, then try again."
            ),
            quota_id="ConcurrentBatchJobsPerProject",
        )
    name = f"batches/{state.ids.make('batch', 36)}"
    sequence = state.jobs.next_sequence()
    job = BatchJob(
        name=name,
        sequence=sequence,
        model=model,
        display_name=display_name,
        input_file=input_file,
        items=items,
        create_ns=now,
        duration_ns=int(options.job_seconds * 1_000_000_000),
        # Seeded by the job's creation number, so the same seed picks the same failures and
        # shuffles in every mode (job names are random unless deterministic).
        rng=random.Random(f"{options.seed}:job:{sequence}"),  # noqa: S311
        version=call.version,
        public_base=call.request.public_base,
        dimension=dimension,
    )
    state.jobs.add(job)
    return HttpReply.text(render_operation(job, "BATCH_STATE_PENDING"))


def get_batch(state: State, call: Call) -> HttpReply:
    """`GET batches/{id}`: the job as it is now, with its output once it succeeded."""
    job = state.jobs.get(f"batches/{call.params[0]}")
    job_state = observe(job, state.clock.now(), state.options, _writer(state))
    return HttpReply.text(render_operation(job, job_state))


def list_batches(state: State, call: Call) -> HttpReply:
    """`GET batches?pageSize=&pageToken=`: newest first, without inline outputs."""
    query = call.request.query
    try:
        size = int(query.get("pageSize") or _DEFAULT_PAGE_SIZE)
    except ValueError as exc:
        raise invalid_argument("Invalid value for pageSize.") from exc
    size = min(max(size, 1), _MAX_PAGE_SIZE) if size > 0 else _DEFAULT_PAGE_SIZE
    jobs, token = state.jobs.page(size, query.get("pageToken"))
    now = state.clock.now()
    rendered = [
        render_operation(
            job,
            observe(job, now, state.options, _writer(state)),
            with_output=job.input_file is not None,
        )
        for job in jobs
    ]
    parts = []
    if rendered:
        parts.append('"operations":[' + ",".join(rendered) + "]")
    if token:
        parts.append(f'"nextPageToken":"{token}"')
    return HttpReply.text("{" + ",".join(parts) + "}")


def cancel_batch(state: State, call: Call) -> HttpReply:
    """`POST batches/{id}:cancel`: ends a pending or running job as CANCELLED; answers `{}`."""
    job = state.jobs.get(f"batches/{call.params[0]}")
    cancel(job, state.clock.now(), state.options, _writer(state))
    return HttpReply.text("{}")


def delete_batch(state: State, call: Call) -> HttpReply:
    """`DELETE batches/{id}`: forgets the job; answers `{}`."""
    state.jobs.delete(f"batches/{call.params[0]}")
    return HttpReply.text("{}")


def count_everything(state: State) -> EmulatorCounts:
    """Jobs by state (each advanced to now, as a get would), files and open uploads."""
    now = state.clock.now()
    by_state: dict[str, int] = {}
    jobs = state.jobs.all()
    for job in jobs:
        job_state = observe(job, now, state.options, _writer(state))
        by_state[job_state] = by_state.get(job_state, 0) + 1
    uploaded, generated, uploads = state.files.counts()
    return EmulatorCounts(
        jobs=len(jobs),
        jobs_by_state=by_state,
        files=uploaded + generated,
        uploaded_files=uploaded,
        generated_files=generated,
        open_uploads=uploads,
    )
