"""The backend interface: the few calls the batch engine makes to a platform.

A backend knows where jobs run (the Gemini Developer API through the Files API; Vertex AI
batch prediction through Cloud Storage) and speaks its wire format; it knows nothing of
journals, waiting policies or request kinds (the codec says which create method to call).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_gemini_batch.batch._plan import JobChunk
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import BatchJobInfo

__all__ = ["Backend", "RemoteJob", "ResultSource"]


@dataclass(frozen=True)
class RemoteJob:
    """One job as the platform described it.

    Attributes:
        info: The typed summary.
        raw: The platform's own body (kept for reading results).
    """

    info: BatchJobInfo
    raw: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The job's name."""
        return self.info.name


@dataclass(frozen=True)
class ResultSource:
    """Where a finished job's results are: inline items, or a file to download.

    Attributes:
        items: The inline result items (`None` for file results).
        file: The results file's name (`None` for inline results).
    """

    items: list[Mapping[str, Any]] | None = None
    file: str | None = None


class Backend(ABC):
    """A platform that runs batch jobs."""

    kind: str
    """The backend's name in journal records (`gemini-api`, `vertex`)."""
    inline_allowed: bool = True
    """Whether small jobs may carry their requests in the create call (Vertex AI: never)."""
    max_requests_per_job: int | None = None
    """The platform's cap on requests per job, applied over `BatchLimits` (`None`: none)."""
    max_bytes_per_job: int | None = None
    """The platform's cap on one job's input size in bytes (`None`: `BatchLimits` decides)."""

    def wire_key(self, request_id: str) -> str:
        """The key a request carries in the job's input (default: its ID).

        A backend that encodes it decodes it again in `iter_file_items`.
        """
        return request_id

    def check_request(self, request_id: str, request: dict[str, Any]) -> None:
        """Raise `InvalidRequestError` for a request the platform would refuse (default: none).

        Args:
            request_id: The request's ID (named in the error).
            request: The wire request.
        """
        del request_id, request

    def check_source(self, source: str, destination: str) -> None:
        """Refuse a job on the caller's own data unless the backend can run one.

        Raises:
            InvalidRequestError: This backend cannot (default) or the URIs are invalid.
        """
        del source, destination
        raise InvalidRequestError(
            "jobs on your own input (create_from_source) need Vertex AI: "
            "GoogleLMInvoker(..., vertexai=True, project=..., location=...)"
        )

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """Where this backend's jobs live (backend and base URL), for journal records."""

    @abstractmethod
    def job_name(self, batch_id_part: str) -> str:
        """A full job name from one part of a batch ID (a bare id or a full name)."""

    def preflight(self) -> None:
        """Refuse, before anything is sent, a configuration that cannot run batches.

        Raises:
            InvalidRequestError: What is missing (e.g. Vertex AI's staging location).
        """
        return  # nothing to check by default

    @abstractmethod
    async def upload(self, path: Path, display_name: str, fingerprint: str) -> str:
        """Upload a chunk's JSONL file (`fingerprint`: the chunk's); the stored name."""

    @abstractmethod
    async def create(
        self, model: str, codec: Codec, chunk: JobChunk, input_file: str | None, display_name: str
    ) -> RemoteJob:
        """Send ONE create request (never retried here: a retry could create a second job)."""

    @abstractmethod
    async def get(self, name: str) -> RemoteJob:
        """The job now (idempotent; transient failures retried by the client)."""

    @abstractmethod
    def pages(self, page_size: int) -> AsyncIterator[list[RemoteJob]]:
        """Every job of the account, a page at a time."""

    @abstractmethod
    async def cancel(self, name: str) -> None:
        """Ask the platform to cancel the job."""

    @abstractmethod
    async def delete(self, name: str) -> None:
        """Delete the job."""

    @abstractmethod
    async def delete_file(self, name: str) -> None:
        """Delete an input file this package uploaded."""

    @abstractmethod
    def input_file(self, job: RemoteJob) -> str | None:
        """The uploaded input file a job reads (`None` for inline jobs)."""

    @abstractmethod
    def results(self, job: RemoteJob) -> ResultSource | None:
        """Where the finished job's results are (`None` when it has none)."""

    @abstractmethod
    async def download(self, file: str, destination: Path) -> None:
        """Download a results file to `destination` (one attempt; the engine retries)."""

    @abstractmethod
    def iter_file_items(self, path: Path) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
        """`(key, item)` for each result in a downloaded results file."""

    def iter_file_lines(
        self, path: Path
    ) -> Iterator[tuple[str | None, Mapping[str, Any], bytes | None]]:
        """`(key, item, line)` for each result in a downloaded results file.

        `line` is the item's JSON as the file has it, when the item is that line unchanged (a
        Gemini API results line); else `None` (the default).
        """
        for key, item in self.iter_file_items(path):
            yield key, item, None

    def iter_inline_items(
        self, items: list[Mapping[str, Any]]
    ) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
        """`(key, item)` for each inline result item (key `None` when missing)."""
        for item in items:
            metadata = item.get("metadata") or {}
            yield metadata.get("key"), item
