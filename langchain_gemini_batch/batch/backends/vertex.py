"""The Vertex AI backend: batch prediction jobs, inputs staged in Cloud Storage.

Vertex refuses inline requests, so every job is a file job: the chunk's JSONL is written to
`<gcs_staging_uri>/<chunk fingerprint>/requests.jsonl` with google-cloud-storage, and the job
(`projects/{p}/locations/{l}/batchPredictionJobs/{id}`) is created through google-genai's public
`batches.create` with `src` that object and `dest` `<gcs_staging_uri>/<fingerprint>/output`,
sent exactly once (the SDK's retries off for that call). Vertex writes
`<dest>/prediction-model-<createTime>/predictions*.jsonl`; each line echoes the input line's
`key` (`"id:<request ID>"`, see `_vertex_jobs`). Once a job's results are read, the staged input
is deleted; the output objects are left to the caller (bucket lifecycle rules suit them).

Jobs on the caller's own data (`create_from_source`) read a `gs://` JSONL file or a `bq://`
table and write to a `gs://` prefix or a `bq://` dataset/table; their input is never deleted.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from google.genai import types

from langchain_gemini_batch._client import GeminiClient
from langchain_gemini_batch.batch._plan import JobChunk
from langchain_gemini_batch.batch._results import iter_file_items
from langchain_gemini_batch.batch.backends import _bigquery, _vertex_jobs
from langchain_gemini_batch.batch.backends._gcs import CloudStorage, join_uri, parse_gs_uri
from langchain_gemini_batch.batch.backends.base import Backend, RemoteJob, ResultSource
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.journal import endpoint_id
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import BatchStatus

__all__ = ["STAGING_ENV", "VertexBackend"]

STAGING_ENV = "GEMINI_BATCH_GCS_STAGING_URI"
INPUT_NAME = "requests.jsonl"
_JOB_NAME = re.compile(r"projects/[^/]+/locations/[^/]+/batchPredictionJobs/[^/]+")
_BQ = re.compile(r"bq://[A-Za-z0-9_.:-]+\.[A-Za-z0-9_]+(\.[A-Za-z0-9_$-]+)?")
_MAX_DEPTH = 15
_MAX_SIZES = 10_000  # request counts of jobs created by this process (progress totals)
_PREDICTIONS = re.compile(r"(^|/)predictions[^/]*\.jsonl$")


def _check_value(request_id: str, value: object, path: str, depth: int) -> None:
    """Vertex imports JSONL like a BigQuery load: what it cannot load fails the whole job."""
    if depth > _MAX_DEPTH:
        raise InvalidRequestError(
            f"Vertex AI batch input nests deeper than {_MAX_DEPTH} levels at {path}",
            request_id=request_id,
        )
    if isinstance(value, dict):
        if not value:
            raise InvalidRequestError(
                f"Vertex AI batch input cannot hold an empty object (at {path}): Vertex "
                "imports JSONL like a BigQuery load and fails the whole job (code 3); drop "
                "the empty field",
                request_id=request_id,
            )
        for key, item in value.items():
            if not key or key.startswith("$") or any(c.isspace() for c in key):
                raise InvalidRequestError(
                    f"Vertex AI batch input cannot hold the key {key!r} (at {path}): keys "
                    "must be BigQuery column names, or the whole job fails (code 3); inline "
                    "JSON-schema $defs/$ref before sending",
                    request_id=request_id,
                )
            _check_value(request_id, item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(request_id, item, f"{path}[]", depth + 1)


class VertexBackend(Backend):
    """Batch prediction jobs on Vertex AI (see the module docstring).

    Args:
        client: The package's google-genai client wrapper, in Vertex AI mode.
        storage: Cloud Storage calls (staging, results, cleanup).
        staging_uri: `gs://bucket/prefix` for inputs and outputs (`None`: only jobs on the
            caller's own data can be created).
    """

    kind = "vertex"
    inline_allowed = False
    max_requests_per_job = 200_000
    max_bytes_per_job = 1_000_000_000

    def __init__(
        self, client: GeminiClient, storage: CloudStorage, staging_uri: str | None
    ) -> None:
        if staging_uri is not None:
            bucket, prefix = parse_gs_uri(staging_uri)
            staging_uri = join_uri(f"gs://{bucket}", prefix) if prefix else f"gs://{bucket}"
        self.client = client
        self.storage = storage
        self.staging_uri = staging_uri
        self._sizes: dict[str, int] = {}

    @property
    def endpoint(self) -> str:
        """`vertex:<base URL>/projects/<p>/locations/<l>` (`google` for Google's endpoint)."""
        client = self.client
        where = f"{client.effective_base_url() or 'google'}".rstrip("/")
        return endpoint_id(
            self.kind,
            f"{where}/projects/{client.vertex_project}/locations/{client.vertex_location}",
        )

    def job_name(self, batch_id_part: str) -> str:
        """The full job name for a full name or an all-digit id."""
        if _JOB_NAME.fullmatch(batch_id_part):
            return batch_id_part
        if batch_id_part.isdigit():
            return (
                f"projects/{self.client.vertex_project}/locations/"
                f"{self.client.vertex_location}/batchPredictionJobs/{batch_id_part}"
            )
        raise ValueError(
            f"not a Vertex AI batch job: {batch_id_part!r} (expected projects/.../locations/"
            ".../batchPredictionJobs/<id> or the numeric id)"
        )

    def wire_key(self, request_id: str) -> str:
        """`id:<request ID>` (see `_vertex_jobs.wire_key`)."""
        return _vertex_jobs.wire_key(request_id)

    def check_request(self, request_id: str, request: dict[str, Any]) -> None:
        """Refuse what Vertex's import cannot load: empty objects, `$`-keys, deep nesting."""
        _check_value(request_id, request, "request", 1)

    def check_source(self, source: str, destination: str) -> None:
        """`gs://....jsonl` or `bq://project.dataset.table` in; `gs://` or `bq://` out."""
        if source.startswith("gs://"):
            parse_gs_uri(source)
        elif not _BQ.fullmatch(source) or source.removeprefix("bq://").count(".") < 2:
            raise InvalidRequestError(
                f"source must be gs://bucket/file.jsonl or bq://project.dataset.table, "
                f"got {source!r}"
            )
        if destination.startswith("gs://"):
            parse_gs_uri(destination)
        elif not _BQ.fullmatch(destination):
            raise InvalidRequestError(
                "destination must be gs://bucket/prefix or bq://project.dataset[.table], "
                f"got {destination!r}"
            )

    def preflight(self) -> None:
        """Batches on Vertex AI need the staging location (`gcs_staging_uri`)."""
        self._staging()

    def _staging(self) -> str:
        if self.staging_uri is None:
            raise InvalidRequestError(
                "Vertex AI batches stage their requests in Cloud Storage: pass "
                f"gcs_staging_uri='gs://bucket/prefix' or set {STAGING_ENV}"
            )
        return self.staging_uri

    async def upload(self, path: Path, display_name: str, fingerprint: str) -> str:
        """Write the JSONL to `<staging>/<fingerprint>/requests.jsonl`; its `gs://` URI."""
        del display_name
        uri = join_uri(self._staging(), fingerprint, INPUT_NAME)
        await self.storage.upload(path, uri)
        return uri

    async def create(
        self, model: str, codec: Codec, chunk: JobChunk, input_file: str | None, display_name: str
    ) -> RemoteJob:
        """`POST .../batchPredictionJobs` through `batches.create`, sent once."""
        del codec
        if chunk.source is not None:
            source, destination = chunk.source, str(chunk.destination)
        elif input_file is not None:
            source = input_file
            destination = join_uri(self._staging(), chunk.fingerprint, "output")
        else:
            raise InvalidRequestError("Vertex AI refuses inline requests; nothing was staged")
        config = types.CreateBatchJobConfig(
            display_name=display_name,
            dest=destination,
            http_options=types.HttpOptions(retry_options=types.HttpRetryOptions(attempts=1)),
        )
        job = await self.client.sdk.aio.batches.create(model=model, src=source, config=config)
        if chunk.count:
            self._sizes[str(job.name)] = chunk.count
            while len(self._sizes) > _MAX_SIZES:
                self._sizes.pop(next(iter(self._sizes)))
        return self._remote(job)

    def _remote(self, job: types.BatchJob) -> RemoteJob:
        return _vertex_jobs.remote_job(job, known_total=self._sizes.get(str(job.name)))

    async def get(self, name: str) -> RemoteJob:
        """`GET .../batchPredictionJobs/{id}`."""
        return self._remote(await self.client.sdk.aio.batches.get(name=name))

    async def pages(self, page_size: int) -> AsyncIterator[list[RemoteJob]]:
        """`GET .../batchPredictionJobs?pageSize=...`, following `nextPageToken`."""
        pager = await self.client.sdk.aio.batches.list(config={"page_size": page_size})
        while True:
            yield [self._remote(job) for job in pager.page]
            try:
                await pager.next_page()
            except IndexError:
                return

    async def cancel(self, name: str) -> None:
        """`POST .../batchPredictionJobs/{id}:cancel`."""
        await self.client.sdk.aio.batches.cancel(name=name)

    async def delete(self, name: str) -> None:
        """`DELETE .../batchPredictionJobs/{id}` (Vertex deletes ended jobs only)."""
        await self.client.sdk.aio.batches.delete(name=name)
        self._sizes.pop(name, None)

    async def delete_file(self, name: str) -> None:
        """Delete a staged input object."""
        await self.storage.delete(name)

    def input_file(self, job: RemoteJob) -> str | None:
        """The staged input this package wrote for the job (never the caller's own data)."""
        if self.staging_uri is None:
            return None
        for uri in _vertex_jobs.gcs_input(job.raw):
            if uri.startswith(self.staging_uri + "/") and uri.endswith("/" + INPUT_NAME):
                return uri
        return None

    def results(self, job: RemoteJob) -> ResultSource | None:
        """The output directory (`gs://`) or table (`bq://`) of a finished job."""
        if job.info.status is not BatchStatus.FINISHED:
            return None
        where = _vertex_jobs.output_location(job.raw)
        return ResultSource(file=where) if where else None

    async def download(self, file: str, destination: Path) -> None:
        """Every `predictions*.jsonl` under the directory (or a table's rows) into one file."""
        if file.startswith("bq://"):
            await _bigquery.write_table(
                file,
                destination,
                project=self.client.vertex_project,
                credentials=self.storage.credentials,
            )
            return
        listed = await self.storage.list_uris(file.rstrip("/") + "/")
        uris = [uri for uri in listed if _PREDICTIONS.search(uri)]
        await self.storage.download_all(uris, destination)

    def iter_file_items(self, path: Path) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
        """`(request ID, result item)` for each output line."""
        for key, line in iter_file_items(path):
            yield _vertex_jobs.request_id_of(key), _vertex_jobs.result_item(line)
