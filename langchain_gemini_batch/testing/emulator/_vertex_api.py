"""Vertex AI batch prediction endpoints: create, get, list, cancel, delete.

Paths (`v1` or `v1beta1`): `projects/{project}/locations/{location}/batchPredictionJobs` and
`.../batchPredictionJobs/{id}[:cancel]`. The project may be given as id or number; job names
always carry a 12-digit project number derived from the id, as Vertex's carry the real number.

Where this comes from (see the project's Vertex reference, sections 2 and 3):

- From google-genai 3.6.1's source and its wire traffic: the paths, create bodies, the list
  reply (`batchPredictionJobs`, `nextPageToken`), which resource fields the SDK reads, and that
  `done` is false for PARTIALLY_SUCCEEDED and PAUSED.
- From Google's documentation: the resource fields and their order, int64 counters as strings,
  `modelVersionId: "1"` on create, cancel answering `{}`, delete being for ended jobs only and
  answering an Operation, the `prediction-model-<createTime>/predictions.jsonl` layout,
  `status`/`processed_time`/`request`/`response` lines, the request echoed verbatim.
- From one third party's captures of live jobs (not checkable here): output order not being
  input order, top-level sibling keys echoed, integer-looking strings coerced to numbers,
  `completionStats` absent on pending and cancelled jobs, cancelled jobs' error
  `{1, "CANCELED"}`, job error codes 3/9/13 and their texts, the unknown-model 404 text,
  FAILED_PRECONDITION for cancelling an ended job, failed rows not turning the job
  PARTIALLY_SUCCEEDED.
- Unverified choices of this emulator: the texts of validation 400s ("List of found errors",
  unsupported formats or filters), of the 404 for an unknown job, of the FAILED_PRECONDITION
  answers and of the 401; the delete Operation's body (done at once); list order (newest first)
  and default page size (100); which filter terms exist (`state`, `display_name`,
  `labels.<key>`, with `=`/`!=` joined by `AND`); when a job imports its input (when it turns
  RUNNING) and the code-3 text for a missing input object; that FAILED and CANCELLED outcomes
  strike halfway and keep completed rows; EXPIRED jobs never running and writing nothing;
  CANCELLING lasting a tenth of the job's duration; `processed_time` of each row; the
  `predictions.jsonl` content type; a single output file (no shards); BigQuery `outputInfo`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._gcs_store import parse_gs_uri, project_number
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._vertex_io import vertex_time
from langchain_gemini_batch.testing.emulator._vertex_jobs import (
    ENDED,
    VertexJob,
    cancel,
    observe,
)
from langchain_gemini_batch.testing.emulator._vertex_render import render_job
from langchain_gemini_batch.testing.emulator._wire import ApiError, invalid_argument, not_found

__all__ = [
    "cancel_job",
    "create_job",
    "delete_job",
    "get_job",
    "list_jobs",
    "publisher_model",
]

_DEFAULT_PAGE_SIZE = 100
_MAX_PAGE_SIZE = 1000
_JOB_FIELDS = {
    "name", "displayName", "model", "modelVersionId", "unmanagedContainerModel", "inputConfig",
    "instanceConfig", "modelParameters", "outputConfig", "dedicatedResources", "serviceAccount",
    "manualBatchTuningParameters", "generateExplanation", "explanationSpec", "outputInfo",
    "state", "error", "partialFailures", "resourcesConsumed", "completionStats", "createTime",
    "startTime", "endTime", "updateTime", "labels", "encryptionSpec", "disableContainerLogging",
    "satisfiesPzs", "satisfiesPzi",
}  # fmt: skip
_INPUT_FIELDS = {"instancesFormat", "gcsSource", "bigquerySource", "vertexMultimodalDatasetSource"}
_OUTPUT_FIELDS = {
    "predictionsFormat", "gcsDestination", "bigqueryDestination",
    "vertexMultimodalDatasetDestination",
}  # fmt: skip
_BQ_TABLE = re.compile(r"bq://[a-zA-Z0-9_.:-]+\.[a-zA-Z0-9_]+\.[a-zA-Z0-9_]+")
_BQ_DATASET = re.compile(r"bq://[a-zA-Z0-9_.:-]+\.[a-zA-Z0-9_]+(\.[a-zA-Z0-9_]+)?")
_FILTER_TERM = re.compile(r"\s*([a-zA-Z_.]+)\s*(!=|=)\s*(\"[^\"]*\"|[^\s\"]+)\s*")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _camel_name(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def _camel(body: Mapping[str, Any]) -> dict[str, Any]:
    """Reads top-level names in either spelling, keeping camelCase."""
    return {_camel_name(k): v for k, v in body.items()}


def _unknown(obj: Mapping[str, Any], known: set[str], path: str) -> list[tuple[str, str]]:
    message = "Invalid JSON payload received. Unknown name \"{}\" at '{}': Cannot find field."
    return [(path, message.format(n, path)) for n in obj if _camel_name(n) not in known]


def _required(fields: list[str]) -> ApiError:
    listed = "".join(
        f"{i}.Field: batch_prediction_job.{name}; Message: Required field is not set.\t"
        for i, name in enumerate(fields, start=1)
    )
    return invalid_argument(f"List of found errors:\t{listed}")


def publisher_model(model: str) -> str:
    """Returns the model id of `publishers/google/models/<id>`, or Vertex's 404.

    Any id starting with `gemini-` exists; anything else (another publisher, a tuned or
    endpoint model) does not.
    """
    match = re.fullmatch(r"publishers/([^/]+)/models/([^/@]+)(@[^/]+)?", model)
    model_id = match.group(2) if match else model.rsplit("/", 1)[-1]
    if match is None or match.group(1) != "google" or not model_id.startswith("gemini-"):
        raise not_found(f"The PublisherModel {model_id} does not exist.")
    return model_id


def _check_source(config: Mapping[str, Any]) -> None:
    fmt = config.get("instancesFormat")
    gcs, bigquery = config.get("gcsSource"), config.get("bigquerySource")
    if config.get("vertexMultimodalDatasetSource") is not None:
        raise invalid_argument("Vertex multimodal dataset sources are not emulated.")
    if (gcs is None) == (bigquery is None):
        raise invalid_argument("Exactly one of gcs_source or bigquery_source must be set.")
    if gcs is not None:
        uris = gcs.get("uris") if isinstance(gcs, Mapping) else None
        if not isinstance(uris, list) or not uris:
            raise _required(["input_config.gcs_source.uris"])
        for uri in uris:
            try:
                _, name = parse_gs_uri(str(uri))
            except ValueError:
                name = ""
            if not name:
                raise invalid_argument(f"Invalid GCS URI: {uri}.")
        if fmt != "jsonl":
            raise invalid_argument(f"Unsupported input format {fmt!r}: Gemini reads jsonl.")
    else:
        uri = bigquery.get("inputUri") if isinstance(bigquery, Mapping) else None
        if not isinstance(uri, str) or not _BQ_TABLE.fullmatch(uri):
            raise invalid_argument(f"Invalid BigQuery input URI: {uri}.")
        if fmt != "bigquery":
            raise invalid_argument(f"Unsupported input format {fmt!r} for a BigQuery source.")


def _check_destination(config: Mapping[str, Any]) -> None:
    fmt = config.get("predictionsFormat")
    gcs, bigquery = config.get("gcsDestination"), config.get("bigqueryDestination")
    if config.get("vertexMultimodalDatasetDestination") is not None:
        raise invalid_argument("Vertex multimodal dataset destinations are not emulated.")
    if (gcs is None) == (bigquery is None):
        raise invalid_argument(
            "Exactly one of gcs_destination or bigquery_destination must be set."
        )
    if gcs is not None:
        prefix = gcs.get("outputUriPrefix") if isinstance(gcs, Mapping) else None
        try:
            parse_gs_uri(str(prefix))
        except ValueError as exc:
            raise invalid_argument(f"Invalid GCS output URI prefix: {prefix}.") from exc
        if fmt != "jsonl":
            raise invalid_argument(f"Unsupported output format {fmt!r}: Gemini writes jsonl.")
    else:
        uri = bigquery.get("outputUri") if isinstance(bigquery, Mapping) else None
        if not isinstance(uri, str) or not _BQ_DATASET.fullmatch(uri):
            raise invalid_argument(f"Invalid BigQuery output URI: {uri}.")
        if fmt != "bigquery":
            raise invalid_argument(f"Unsupported output format {fmt!r} for BigQuery.")


def _validated(body: object) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise _required(["display_name", "model", "input_config", "output_config"])
    job = _camel(body)
    violations = _unknown(body, _JOB_FIELDS, "batch_prediction_job")
    for key, known, path in (
        ("inputConfig", _INPUT_FIELDS, "batch_prediction_job.input_config"),
        ("outputConfig", _OUTPUT_FIELDS, "batch_prediction_job.output_config"),
    ):
        if isinstance(job.get(key), Mapping):
            job[key] = _camel(job[key])
            violations += _unknown(job[key], known, path)
    if violations:
        raise invalid_argument("\n".join(text for _, text in violations), violations)
    missing = [
        _snake(key)
        for key in ("displayName", "model", "inputConfig", "outputConfig")
        if not job.get(key)
    ]
    if missing:
        raise _required(missing)
    _check_source(job["inputConfig"])
    _check_destination(job["outputConfig"])
    return {
        k: job[k]
        for k in ("displayName", "model", "inputConfig", "outputConfig", "labels")
        if k in job
    }


def _numeric_id(state: State, kind: str) -> str:
    """A 19-digit id drawn from the emulator's id stream `kind` (seeded when deterministic)."""
    return str(10**18 + int(state.ids.make(kind, 13), 36) % (9 * 10**18))


def create_job(state: State, call: Call) -> HttpReply:
    """`POST .../batchPredictionJobs`: a new job, answered as JOB_STATE_PENDING."""
    body = _validated(call.body)
    model_id = publisher_model(body["model"])
    options = state.options
    sequence = state.cloud.jobs.next_sequence()
    job = VertexJob(
        job_id=_numeric_id(state, "vertex-job"),
        project=project_number(call.params[0]),
        location=call.params[1],
        sequence=sequence,
        body=body,
        model_id=model_id,
        create_ns=state.clock.now(),
        duration_ns=int(options.job_seconds * 1_000_000_000),
        rng=random.Random(f"{options.seed}:vertex-job:{sequence}"),  # noqa: S311
    )
    state.cloud.jobs.add(job)
    return HttpReply.json(render_job(job, "JOB_STATE_PENDING"))


def _job(state: State, call: Call) -> VertexJob:
    project, location, job_id = call.params[0], call.params[1], call.params[2]
    if not job_id.isdigit():
        raise invalid_argument(f"Invalid BatchPredictionJob id: {job_id}.")
    job = state.cloud.jobs.find(project_number(project), location, job_id)
    if job is None:
        raise not_found(
            f"BatchPredictionJob `projects/{project}/locations/{location}/"
            f"batchPredictionJobs/{job_id}` not found."
        )
    return job


def _observe(state: State, job: VertexJob) -> str:
    return observe(job, state.clock.now(), state.options, state.cloud.storage)


def get_job(state: State, call: Call) -> HttpReply:
    """`GET .../batchPredictionJobs/{id}`: the job as it is now."""
    job = _job(state, call)
    return HttpReply.json(render_job(job, _observe(state, job)))


def _matches(job: dict[str, Any], terms: list[tuple[str, str, str]]) -> bool:
    for name, operator, value in terms:
        if name.startswith("labels."):
            actual = (job.get("labels") or {}).get(name.removeprefix("labels."))
        else:
            actual = job.get({"display_name": "displayName"}.get(name, name))
        if (str(actual) == value) != (operator == "="):
            return False
    return True


def _filter_terms(text: str) -> list[tuple[str, str, str]]:
    terms = []
    for part in re.split(r"\s+AND\s+", text.strip()) if text.strip() else []:
        match = _FILTER_TERM.fullmatch(part)
        if match is None or not (
            match.group(1) in ("state", "display_name", "displayName")
            or match.group(1).startswith("labels.")
        ):
            raise invalid_argument(f"Unsupported filter: {text}")
        terms.append((match.group(1), match.group(2), match.group(3).strip('"')))
    return terms


def list_jobs(state: State, call: Call) -> HttpReply:
    """`GET .../batchPredictionJobs?pageSize=&pageToken=&filter=`: newest first."""
    query = call.request.query
    try:
        size = int(query.get("pageSize") or _DEFAULT_PAGE_SIZE)
    except ValueError as exc:
        raise invalid_argument("Invalid value for pageSize.") from exc
    size = min(size, _MAX_PAGE_SIZE) if size > 0 else _DEFAULT_PAGE_SIZE
    terms = _filter_terms(query.get("filter", ""))
    project, location = project_number(call.params[0]), call.params[1]
    now = state.clock.now()
    rendered = []
    for job in state.cloud.jobs.all(project, location):
        resource = render_job(job, observe(job, now, state.options, state.cloud.storage))
        if _matches(resource, terms):
            rendered.append((job, resource))
    by_job = {id(job): resource for job, resource in rendered}
    jobs, token = state.cloud.jobs.page([job for job, _ in rendered], size, query.get("pageToken"))
    answer: dict[str, Any] = {}
    if jobs:
        answer["batchPredictionJobs"] = [by_job[id(job)] for job in jobs]
    if token:
        answer["nextPageToken"] = token
    return HttpReply.json(answer)


def cancel_job(state: State, call: Call) -> HttpReply:
    """`POST .../batchPredictionJobs/{id}:cancel`: answers `{}`; an ended job gets 400."""
    job = _job(state, call)
    if not cancel(job, state.clock.now(), state.options, state.cloud.storage):
        raise ApiError(
            400,
            f"Cannot cancel BatchPredictionJob {job.name} in state {job.state}.",
            status="FAILED_PRECONDITION",
        )
    return HttpReply.json({})


def delete_job(state: State, call: Call) -> HttpReply:
    """`DELETE .../batchPredictionJobs/{id}`: forgets an ended job; answers an Operation."""
    job = _job(state, call)
    job_state = _observe(state, job)
    if job_state not in ENDED:
        raise ApiError(
            400,
            f"BatchPredictionJob {job.name} is in state {job_state} and cannot be deleted. "
            "Only jobs that already finished can be deleted.",
            status="FAILED_PRECONDITION",
        )
    state.cloud.jobs.remove(job)
    now = state.clock.now()
    version = call.version
    operation = f"projects/{job.project}/locations/{job.location}/operations/"
    return HttpReply.json(
        {
            "name": operation + _numeric_id(state, "vertex-operation"),
            "metadata": {
                "@type": f"type.googleapis.com/google.cloud.aiplatform.{version}."
                "DeleteOperationMetadata",
                "genericMetadata": {"createTime": vertex_time(now), "updateTime": vertex_time(now)},
            },
            "done": True,
            "response": {"@type": "type.googleapis.com/google.protobuf.Empty"},
        }
    )
