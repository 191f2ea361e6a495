"""The plain data passed between the HTTP layer, the dispatcher and the endpoint handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.testing.emulator._clock import Clock, IdFactory
from langchain_gemini_batch.testing.emulator._cloud_state import CloudState
from langchain_gemini_batch.testing.emulator._files import FileStore
from langchain_gemini_batch.testing.emulator._jobs import JobStore
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._wire import dumps

__all__ = [
    "JSON_TYPE",
    "Call",
    "EmulatorCounts",
    "HttpReply",
    "HttpRequest",
    "LoggedRequest",
    "State",
]

JSON_TYPE = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request, as the HTTP layer read it.

    Attributes:
        method: `GET`, `POST`, `DELETE`, ...
        path: The URL path, percent-decoded.
        query: Query parameters (the last value of each).
        headers: Headers, names lower-cased.
        body: The raw body.
        public_base: `http://host:port` as the client addressed the emulator.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    public_base: str


@dataclass(frozen=True)
class HttpReply:
    """One HTTP answer: always sent with `Content-Length`.

    `delay_seconds` and `drop` come from a planned fault: the HTTP layer waits that long before
    answering, and with `drop` closes the connection instead of answering.
    """

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    delay_seconds: float = 0.0
    drop: bool = False

    @classmethod
    def json(cls, value: object) -> HttpReply:
        """A 200 answer with `value` encoded as JSON."""
        return cls(200, dumps(value).encode())

    @classmethod
    def text(cls, text: str) -> HttpReply:
        """A 200 answer whose body is already-encoded JSON text."""
        return cls(200, text.encode())


@dataclass(frozen=True)
class Call:
    """A request matched to an endpoint.

    Attributes:
        request: The HTTP request.
        action: The endpoint's name, e.g. `batchGenerateContent` or `batches.get`.
        version: `v1beta` or `v1`.
        params: Path parameters (model kind and id, batch id, file id).
        body: The parsed JSON body, or `None` when empty.
    """

    request: HttpRequest
    action: str
    version: str
    params: tuple[str, ...]
    body: Any


@dataclass(frozen=True)
class LoggedRequest:
    """One entry of the emulator's request log (never holds the API key).

    Attributes:
        method: HTTP method.
        path: URL path.
        query: Query parameters without `key`.
        body: The parsed JSON body, or `None` (empty, not JSON, or upload data).
        action: The endpoint's name (`""` when no endpoint matched).
        status: The HTTP status answered; `0` when an injected `drop` closed the connection
            without an answer (whether or not the work was done).
        dropped: Whether an injected fault closed the connection without an answer.
        delay_seconds: How long an injected fault held the answer back.
    """

    method: str
    path: str
    query: dict[str, str]
    body: Any
    action: str
    status: int
    dropped: bool = False
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class EmulatorCounts:
    """What the emulator holds right now (`EmulatorServer.counts()`).

    Attributes:
        jobs: Batch jobs not deleted (generation and embedding jobs).
        jobs_by_state: Those jobs by `BATCH_STATE_*` (states with no job are left out).
        files: Files in the Files API store (uploaded and generated results files).
        uploaded_files: Of those, files uploaded by clients.
        generated_files: Of those, results files written by finished file jobs.
        open_uploads: Resumable upload sessions started but neither finalized nor cancelled
            (e.g. a client killed mid-upload).
    """

    jobs: int
    jobs_by_state: dict[str, int]
    files: int
    uploaded_files: int
    generated_files: int
    open_uploads: int


@dataclass
class State:
    """Everything the endpoint handlers read and change (always under the emulator's lock)."""

    options: EmulatorOptions
    clock: Clock
    ids: IdFactory
    files: FileStore
    jobs: JobStore = field(default_factory=JobStore)
    cloud: CloudState = field(default_factory=CloudState)  # Vertex AI jobs, Cloud Storage
