"""The Gemini Developer API backend: jobs at `batches/*`, inputs through the Files API.

Inline jobs carry their requests in the create call (`{"request": ..., "metadata": {"key"}}`
items); larger ones upload a JSONL file (`{"key", "request"}` lines) first. Results come back
inline under `metadata.output.inlinedResponses` or as a results file (`responsesFile`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from langchain_gemini_batch._client import GeminiClient, batch_path
from langchain_gemini_batch.batch._jobs import job_info, results_location
from langchain_gemini_batch.batch._plan import BatchLimits, JobChunk
from langchain_gemini_batch.batch._results import iter_file_items, iter_file_lines
from langchain_gemini_batch.batch.backends.base import Backend, RemoteJob, ResultSource
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.batch.journal import Journal, endpoint_id

__all__ = ["GeminiApiBackend", "gemini_api_engine"]


def _remote(raw: Mapping[str, Any]) -> RemoteJob:
    return RemoteJob(info=job_info(raw), raw=raw)


class GeminiApiBackend(Backend):
    """Batch jobs on the Gemini Developer API (`generativelanguage.googleapis.com`).

    Args:
        client: The package's google-genai client wrapper.
    """

    kind = "gemini-api"

    def __init__(self, client: GeminiClient) -> None:
        self.client = client

    @property
    def endpoint(self) -> str:
        """`gemini-api:<base URL>` (`google` for Google's own endpoint)."""
        return endpoint_id(self.kind, self.client.effective_base_url())

    def job_name(self, batch_id_part: str) -> str:
        """`batches/<id>` for a bare id or a full name."""
        return batch_path(batch_id_part)

    async def upload(self, path: Path, display_name: str, fingerprint: str) -> str:
        """Upload the JSONL file with the Files API; its `files/...` name."""
        del fingerprint
        return await self.client.upload_jsonl(path, display_name)

    async def create(
        self, model: str, codec: Codec, chunk: JobChunk, input_file: str | None, display_name: str
    ) -> RemoteJob:
        """`POST models/{model}:{codec.method}`, sent once (no automatic retry)."""
        source: dict[str, Any]
        if input_file is not None:
            source = {"fileName": input_file}
        else:
            source = {"requests": {"requests": chunk.inline_requests()}}
        body = {"inputConfig": source, "displayName": display_name}
        return _remote(await self.client.create_batch(model, body, method=codec.method))

    async def get(self, name: str) -> RemoteJob:
        """`GET batches/{id}` (the raw Operation, `batchStats` and `error` included)."""
        return _remote(await self.client.get_batch(name))

    async def pages(self, page_size: int) -> AsyncIterator[list[RemoteJob]]:
        """`GET batches?pageSize=...`, following `nextPageToken`."""
        token: str | None = None
        while True:
            page = await self.client.list_batches(page_size, token)
            yield [_remote(op) for op in page.get("operations") or []]
            token = page.get("nextPageToken")
            if not token:
                return

    async def cancel(self, name: str) -> None:
        """`POST batches/{id}:cancel`."""
        await self.client.cancel_batch(name)

    async def delete(self, name: str) -> None:
        """`DELETE batches/{id}`."""
        await self.client.delete_batch(name)

    async def delete_file(self, name: str) -> None:
        """`DELETE files/{id}`."""
        await self.client.delete_file(name)

    def input_file(self, job: RemoteJob) -> str | None:
        """`metadata.inputConfig.fileName`."""
        config = (job.raw.get("metadata") or {}).get("inputConfig") or {}
        name = config.get("fileName") or config.get("file_name")
        return str(name) if name else None

    def results(self, job: RemoteJob) -> ResultSource | None:
        """Inline items, or the `responsesFile`, of a finished job."""
        location = results_location(job.raw)
        if location is None:
            return None
        kind, where = location
        return ResultSource(items=where) if kind == "inline" else ResultSource(file=where)

    async def download(self, file: str, destination: Path) -> None:
        """Stream the results file to `destination`."""
        await self.client.download_to(file, destination)

    def iter_file_items(self, path: Path) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
        """`(key, line)` for each line of a results file (decoded in blocks)."""
        return iter_file_items(path)

    def iter_file_lines(
        self, path: Path
    ) -> Iterator[tuple[str | None, Mapping[str, Any], bytes | None]]:
        """`(key, item, line)`: each item is its line of Google's results file, decoded."""
        return iter_file_lines(path)


def gemini_api_engine(
    client: GeminiClient, *, journal: Journal | None, limits: BatchLimits
) -> BatchEngine:
    """The batch engine of an invoker on the Gemini Developer API (generation or embeddings)."""
    return BatchEngine(
        GeminiApiBackend(client), journal=journal, limits=limits, max_retries=client.max_retries
    )
