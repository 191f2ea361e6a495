"""Planning a submission: validate every request, encode it once, cut the work into jobs.

Each request becomes one JSONL line (`{"key": ..., "request": ...}`). Lines stay in memory
while the job is small enough to send inline; past `inline_max_bytes` they spill to a temporary
file that is later uploaded with the Files API, so a large batch is never held twice in memory.
A codec whose results are much larger than its requests (embeddings: a vector per text) says
so with `result_bytes`, and those bytes count towards `inline_max_bytes` too, so a job whose
inline answer would be huge goes by file. A job is closed and a new one started when the next
line would pass `max_requests_per_job` or `max_bytes_per_job`. Nothing is sent until every
request has been validated.

Memory does not grow with the number of requests: each job keeps its request IDs in a
compressed `IdLog` (spilled to disk past a megabyte) with their `KeyDigest`, and repeated IDs
are found with `HashBuckets` (64-bit hashes, spilled to disk) once every request was read; only
then is the input walked again, to name the repeated ID.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from langchain_gemini_batch.batch._keys import IdLog, key_hash
from langchain_gemini_batch.batch._repeats import HashBuckets
from langchain_gemini_batch.batch._spool import SpoolFile
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.errors import InvalidRequestError

__all__ = ["BatchLimits", "JobChunk", "Plan", "SizedResults", "limits_within", "plan_jobs"]

GOOGLE_INLINE_LIMIT = 20_000_000
DICT_CACHE_BYTES = 1_000_000
"""Keep built request dicts for the first this-many JSONL bytes of a job (the inline fast path);
later lines are re-parsed only if the job stays inline, so file-mode batches never hold more."""
GOOGLE_FILE_LIMIT = 2_000_000_000


@runtime_checkable
class SizedResults(Protocol):
    """A codec whose inline results weigh more than its requests (e.g. embeddings)."""

    result_bytes: int
    """Estimated JSON bytes of one result, counted towards `inline_max_bytes`."""


@dataclass(frozen=True)
class BatchLimits:
    """How a batch is cut into jobs.

    Attributes:
        inline_max_bytes: Jobs whose JSONL is at most this size are sent inline in the create
            call; larger ones are uploaded as a file. Google's inline cap is 20 MB per call.
            For embeddings the expected vectors count too (their inline answer is large).
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


def limits_within(
    limits: BatchLimits,
    *,
    inline_allowed: bool,
    max_requests: int | None,
    max_bytes: int | None,
) -> BatchLimits:
    """`limits` within a platform's own: its per-job caps, and no inline jobs if it refuses them.

    Without inline jobs every job is a file job (`inline_max_bytes=0`).
    """
    changes: dict[str, Any] = {}
    if not inline_allowed:
        changes["inline_max_bytes"] = 0
    if max_requests is not None:
        current = limits.max_requests_per_job
        changes["max_requests_per_job"] = min(current or max_requests, max_requests)
    if max_bytes is not None:
        changes["max_bytes_per_job"] = min(limits.max_bytes_per_job, max_bytes)
    return dataclasses.replace(limits, **changes) if changes else limits


@dataclass
class JobChunk:
    """The requests of one job, as JSONL lines in memory or in a private temporary file.

    Attributes:
        codec: The request kind (builds inline items).
        ids: The request IDs, in order, compressed (with their `KeyDigest`).
        size: Bytes of JSONL so far.
        hasher: SHA-256 of the job's work: the codec's seed, then every line.
        source: The caller's own input (`gs://...` or `bq://...`) for a job made from it
            (`create_from_source`); such a chunk holds no requests.
        destination: Where such a job writes its results.
        keep_ids: Whether `ids` outlives the chunk (a job record without a journal holds it).
    """

    codec: Codec
    seed: bytes = b""
    ids: IdLog = field(default_factory=IdLog)
    size: int = 0
    lines: list[bytes] | None = field(default_factory=list)
    requests: list[dict[str, Any]] | None = field(default_factory=list)
    spool: SpoolFile | None = None
    hasher: Any = None
    source: str | None = None
    destination: str | None = None
    result_bytes: int = field(default=0, init=False)
    keep_ids: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.hasher = hashlib.sha256(self.seed)
        self.result_bytes = self.codec.result_bytes if isinstance(self.codec, SizedResults) else 0
        if self.source is not None:
            self.hasher.update(json.dumps(["source", self.source, self.destination]).encode())

    @property
    def count(self) -> int:
        """How many requests the job holds."""
        return self.ids.count

    @property
    def inline(self) -> bool:
        """Whether the job is sent inline (its lines never spilled to a file)."""
        return self.spool is None

    @property
    def fingerprint(self) -> str:
        """The hex SHA-256 of the job's work (model, kind, settings and every request)."""
        return str(self.hasher.hexdigest())

    def add(
        self,
        key: str,
        request: dict[str, Any],
        line: bytes,
        inline_max_bytes: int,
        hashed: int | None = None,
    ) -> None:
        """Add one request: its ID (and `key_hash`), wire dict and JSONL line.

        The wire dict is kept while the job can still go inline.
        """
        self.ids.append(key, hashed)
        self.size += len(line)
        self.hasher.update(line)
        inline_size = self.size + self.ids.count * self.result_bytes
        if self.spool is None and inline_size > inline_max_bytes:
            # A fixed file name: the SDK sends it in the upload headers, and recordings must
            # not change from run to run.
            self.spool = SpoolFile("requests.jsonl")
            self.spool.handle.writelines(self.lines or [])
            self.lines = self.requests = None
        if self.spool is not None:
            self.spool.handle.write(line)
        else:
            assert self.lines is not None
            assert self.requests is not None
            self.lines.append(line)
            if self.size <= DICT_CACHE_BYTES:
                self.requests.append(self.codec.inline_item(key, request))

    def inline_requests(self) -> list[dict[str, Any]]:
        """The inline `requests` items (e.g. `{"request": ..., "metadata": {"key": ...}}`)."""
        assert self.requests is not None, "a file job has no inline requests"
        assert self.lines is not None
        items = self.requests
        for line in self.lines[len(items) :]:
            decoded = json.loads(line)
            items.append(self.codec.inline_item(decoded["key"], decoded["request"]))
        return items

    def path(self) -> Path:
        """The spilled file, flushed (only for file jobs)."""
        assert self.spool is not None
        self.spool.handle.flush()
        return self.spool.path

    def drop_requests(self) -> None:
        """Delete the spilled requests (they are with the platform now); the IDs stay."""
        if self.spool is not None:
            self.spool.close()
        self.lines = self.requests = None

    def close(self) -> None:
        """Delete the temporary files, if any (safe to call twice); `ids` too unless kept."""
        if self.spool is not None:
            self.spool.close()
        if not self.keep_ids:
            self.ids.close()


class Plan:
    """The jobs a batch will be sent as (chunks hold the encoded requests until closed).

    Attributes:
        chunks: One per job, in order.
        work_fingerprint: SHA-256 over every job's fingerprint.
        invalid: Requests set aside as invalid (with `skip_invalid`), by ID.
    """

    def __init__(self, chunks: list[JobChunk], invalid: dict[str, InvalidRequestError]) -> None:
        self.chunks = chunks
        self.invalid = invalid
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk.fingerprint.encode())
        self.work_fingerprint = digest.hexdigest()

    def close(self) -> None:
        """Delete every spilled file."""
        for chunk in self.chunks:
            chunk.close()

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pairs(requests: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    if isinstance(requests, Mapping):
        yield from requests.items()
        return
    if isinstance(requests, (str, bytes)) or not isinstance(requests, Iterable):
        raise InvalidRequestError(
            f"requests must be a mapping of request ID to input, or (id, input) pairs; got "
            f"{type(requests).__name__}"
        )
    for position, pair in enumerate(requests):
        is_pair = isinstance(pair, (tuple, list)) and len(pair) == 2
        if isinstance(pair, (str, bytes)) or not is_pair:
            raise InvalidRequestError(
                f"requests must be a mapping of request ID to input, or (id, input) pairs; "
                f"item {position} is {type(pair).__name__} {_short(pair)} (for a list of "
                "prompts, number them: {str(i): p for i, p in enumerate(prompts)})"
            )
        yield pair


def _check_id(request_id: object) -> str:
    if type(request_id) is str and request_id.strip():
        if request_id.isascii():
            return request_id
        try:
            request_id.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidRequestError(
                f"request ID {request_id!r} holds a lone surrogate, which is not valid Unicode"
            ) from None
        return request_id
    if isinstance(request_id, str) and request_id.strip():
        return _check_id(str(request_id))
    raise InvalidRequestError(f"request IDs must be non-empty strings, got {request_id!r}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def plan_jobs(
    requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
    codec: Codec,
    limits: BatchLimits,
    *,
    seed: bytes = b"",
    invalid: dict[str, InvalidRequestError] | None = None,
    wire_key: Callable[[str], str] | None = None,
    check: Callable[[str, dict[str, Any]], None] | None = None,
) -> list[JobChunk]:
    """Validate and encode every request, cutting them into jobs.

    Args:
        requests: Request ID to input, as a mapping or as `(id, input)` pairs.
        codec: Builds and encodes each wire request.
        limits: Where to cut.
        seed: Starts every job's fingerprint (the model, kind and settings).
        invalid: When given, a request whose input is invalid is recorded here under its ID
            and left out, instead of failing the whole batch (ID problems still raise).
        wire_key: The key each line carries for a request ID (default: the ID itself).
        check: The backend's own check of each wire request (raises `InvalidRequestError`).

    Returns:
        The jobs' chunks, in order (none when every input was set aside); the caller closes
        them.

    Raises:
        InvalidRequestError: The batch is empty, an ID is empty, not a string or repeated, or
            an input is invalid (the error names the request ID; for a repeated ID, found
            once every request was read, `position` is its 0-based place in `requests`).
    """
    chunks: list[JobChunk] = [JobChunk(codec, seed)]
    set_aside: list[tuple[int, str]] = []
    hashes = HashBuckets()
    position = -1
    per_job = limits.max_requests_per_job
    max_bytes = limits.max_bytes_per_job
    inline_max = limits.inline_max_bytes
    try:
        for position, (raw_id, item) in enumerate(_pairs(requests)):
            request_id = _check_id(raw_id)
            hashed = key_hash(request_id)
            hashes.add(hashed)
            try:
                request = codec.build(request_id, item)
                if check is not None:
                    check(request_id, request)
                key = wire_key(request_id) if wire_key is not None else request_id
                line = codec.encode_line(key, request)
                if len(line) > max_bytes:
                    raise InvalidRequestError(
                        f"the encoded request is {len(line):,} bytes, over the per-job limit "
                        f"of {max_bytes:,}",
                        request_id=request_id,
                    )
            except InvalidRequestError as error:
                if invalid is None:
                    raise
                invalid[request_id] = error
                set_aside.append((position, request_id))
                continue
            chunk = chunks[-1]
            full = (per_job is not None and chunk.ids.count >= per_job) or chunk.size + len(
                line
            ) > max_bytes
            if full and chunk.ids.count:
                chunks.append(chunk := JobChunk(codec, seed))
            chunk.add(request_id, request, line, inline_max, hashed)
        if position < 0:
            raise InvalidRequestError("the batch holds no requests")
        _refuse_repeats(chunks, set_aside, hashes.repeated())
        if not chunks[-1].ids.count:  # every input was set aside as invalid
            chunks.pop().close()
    except BaseException:
        for chunk in chunks:
            chunk.close()
        raise
    finally:
        hashes.close()
    return chunks


def _refuse_repeats(
    chunks: list[JobChunk], set_aside: list[tuple[int, str]], hashes: set[int]
) -> None:
    """Raise for the first repeated ID, if the hashes say there may be one (the slow pass)."""
    if not hashes:
        return
    seen: set[str] = set()
    for position, request_id in _in_order(chunks, set_aside):
        if key_hash(request_id) not in hashes:
            continue
        if request_id in seen:
            error = InvalidRequestError("duplicate request ID", request_id=request_id)
            error.position = position
            raise error
        seen.add(request_id)


def _in_order(
    chunks: list[JobChunk], set_aside: list[tuple[int, str]]
) -> Iterator[tuple[int, str]]:
    """`(position, ID)` of every request read, the set-aside ones in their places."""
    aside = iter(set_aside)
    following = next(aside, None)
    position = 0
    for chunk in chunks:
        for request_id in chunk.ids:
            while following is not None and following[0] == position:
                yield following
                position += 1
                following = next(aside, None)
            yield position, request_id
            position += 1
    while following is not None:
        yield following
        following = next(aside, None)
