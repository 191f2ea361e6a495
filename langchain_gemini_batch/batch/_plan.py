"""Planning a submission: validate every request, encode it once, cut the work into jobs.

Each request becomes one JSONL line (`{"key": ..., "request": ...}`). Lines stay in memory
while the job is small enough to send inline; past `inline_max_bytes` they spill to a temporary
file that is later uploaded with the Files API, so a large batch is never held twice in memory.
A job is closed and a new one started when the next line would pass `max_requests_per_job` or
`max_bytes_per_job`. Nothing is sent until every request has been validated.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.schema import LMInput

__all__ = ["BatchLimits", "JobChunk", "plan_jobs"]

GOOGLE_INLINE_LIMIT = 20_000_000
DICT_CACHE_BYTES = 1_000_000
"""Keep built request dicts for the first this-many JSONL bytes of a job (the inline fast path);
later lines are re-parsed only if the job stays inline, so file-mode batches never hold more."""
GOOGLE_FILE_LIMIT = 2_000_000_000


@dataclass(frozen=True)
class BatchLimits:
    """How a batch is cut into jobs.

    Attributes:
        inline_max_bytes: Jobs whose JSONL is at most this size are sent inline in the create
            call; larger ones are uploaded as a file. Google's inline cap is 20 MB per call.
        max_requests_per_job: Start a new job after this many requests (`None`: no limit).
        max_bytes_per_job: Start a new job before its JSONL passes this size (Google: 2 GB).
        max_concurrent_jobs: Jobs of one `invoke` running at once; `create` refuses to submit
            more than this many at a time (Google allows 100 per project).
    """

    inline_max_bytes: int = 4_000_000
    max_requests_per_job: int | None = None
    max_bytes_per_job: int = 1_900_000_000
    max_concurrent_jobs: int = 100

    def __post_init__(self) -> None:
        if not 0 <= self.inline_max_bytes <= GOOGLE_INLINE_LIMIT - 1_000_000:
            raise ValueError("inline_max_bytes must be between 0 and 19,000,000")
        if not 0 < self.max_bytes_per_job <= GOOGLE_FILE_LIMIT:
            raise ValueError("max_bytes_per_job must be between 1 and 2,000,000,000")
        if self.max_requests_per_job is not None and self.max_requests_per_job < 1:
            raise ValueError("max_requests_per_job must be at least 1")
        if self.max_concurrent_jobs < 1:
            raise ValueError("max_concurrent_jobs must be at least 1")


@dataclass
class JobChunk:
    """The requests of one job, as JSONL lines in memory or in a temporary file."""

    keys: list[str] = field(default_factory=list)
    size: int = 0
    lines: list[bytes] | None = field(default_factory=list)
    requests: list[dict[str, Any]] | None = field(default_factory=list)
    file: IO[bytes] | None = None
    folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def inline(self) -> bool:
        """Whether the job is sent inline (its lines never spilled to a file)."""
        return self.file is None

    def add(self, key: str, request: dict[str, Any], line: bytes, inline_max_bytes: int) -> None:
        """Add one request: its wire dict (kept while the job can go inline) and JSONL line."""
        self.keys.append(key)
        self.size += len(line)
        if self.file is None and self.size > inline_max_bytes:
            # A fixed file name: the SDK sends it in the upload headers, and recordings must
            # not change from run to run.
            self.folder = tempfile.TemporaryDirectory(prefix="gemini-batch-")
            self.file = (Path(self.folder.name) / "requests.jsonl").open("w+b")
            self.file.writelines(self.lines or [])
            self.lines = self.requests = None
        if self.file is not None:
            self.file.write(line)
        else:
            assert self.lines is not None
            assert self.requests is not None
            self.lines.append(line)
            if self.size <= DICT_CACHE_BYTES:
                self.requests.append({"request": request, "metadata": {"key": key}})

    def inline_requests(self) -> list[dict[str, Any]]:
        """The inline `requests` items: `{"request": ..., "metadata": {"key": ...}}`."""
        assert self.requests is not None, "a file job has no inline requests"
        assert self.lines is not None
        items = self.requests
        for line in self.lines[len(items) :]:
            decoded = json.loads(line)
            items.append({"request": decoded["request"], "metadata": {"key": decoded["key"]}})
        return items

    def path(self) -> Path:
        """The spilled file, flushed (only for file jobs)."""
        assert self.file is not None
        self.file.flush()
        return Path(self.file.name)

    def close(self) -> None:
        """Delete the temporary file, if any."""
        if self.file is not None:
            self.file.close()
        if self.folder is not None:
            self.folder.cleanup()


def _pairs(
    requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
) -> Iterator[tuple[str, LMInput]]:
    if isinstance(requests, Mapping):
        yield from requests.items()
        return
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
        raise InvalidRequestError(
            f"requests must be a mapping of request ID to input, or (id, input) pairs; "
            f"got {type(requests).__name__}"
        )
    for index, pair in enumerate(requests):
        # A list of prompts is not pairs: each two-letter string would unpack as one.
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidRequestError(
                f"requests item {index} is not an (id, input) pair but a "
                f"{type(pair).__name__}; pass {{id: input}} or [(id, input), ...] "
                "(e.g. {str(i): p for i, p in enumerate(prompts)})"
            )
        yield pair[0], pair[1]


def plan_jobs(
    requests: Mapping[str, LMInput] | Iterable[tuple[str, LMInput]],
    builder: RequestBuilder,
    limits: BatchLimits,
    *,
    invalid: dict[str, InvalidRequestError] | None = None,
) -> list[JobChunk]:
    """Validate and encode every request, cutting them into jobs.

    Args:
        requests: Request ID to input, as a mapping or as `(id, input)` pairs.
        builder: Builds each wire request.
        limits: Where to cut.
        invalid: When given, a request whose input is invalid is recorded here under its ID
            and left out, instead of failing the whole batch (ID problems still raise).

    Returns:
        The jobs' chunks, in order (none when every input was set aside); the caller closes
        them.

    Raises:
        InvalidRequestError: The batch is empty, an ID is empty, not a string or repeated, or
            an input is invalid (the error names the request ID).
    """
    chunks: list[JobChunk] = [JobChunk()]
    seen: set[str] = set()
    try:
        for request_id, lm_input in _pairs(requests):
            if not isinstance(request_id, str) or not request_id.strip():
                raise InvalidRequestError(
                    f"request IDs must be non-empty strings, got {request_id!r}"
                )
            if request_id in seen:
                raise InvalidRequestError("duplicate request ID", request_id=request_id)
            seen.add(request_id)
            try:
                request = builder.build(request_id, lm_input)
                line = builder.encode_line(request_id, request)
                if len(line) > limits.max_bytes_per_job:
                    raise InvalidRequestError(
                        f"the encoded request is {len(line):,} bytes, over the per-job limit "
                        f"of {limits.max_bytes_per_job:,}",
                        request_id=request_id,
                    )
            except InvalidRequestError as error:
                if invalid is None:
                    raise
                invalid[request_id] = error
                continue
            chunk = chunks[-1]
            full = (
                limits.max_requests_per_job is not None
                and len(chunk.keys) >= limits.max_requests_per_job
            ) or chunk.size + len(line) > limits.max_bytes_per_job
            if full and chunk.keys:
                chunks.append(chunk := JobChunk())
            chunk.add(request_id, request, line, limits.inline_max_bytes)
        if not seen:
            raise InvalidRequestError("the batch holds no requests")
        if not chunks[-1].keys:  # every input was set aside as invalid
            chunks.pop().close()
    except BaseException:
        for chunk in chunks:
            chunk.close()
        raise
    return chunks
