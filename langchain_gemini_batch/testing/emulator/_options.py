"""The emulator's options: one mutable dataclass, the same names as the CLI switches."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict, cast

from langchain_gemini_batch.errors import UnknownParameterError
from langchain_gemini_batch.testing.emulator._faults import parse_fault
from langchain_gemini_batch.testing.emulator._wire import rpc_code

__all__ = ["JOB_OUTCOMES", "EmulatorOptions", "EmulatorOptionsDict", "JobOutcome", "make_options"]

JobOutcome = Literal["succeeded", "failed", "cancelled", "expired", "partially_succeeded"]
JOB_OUTCOMES: tuple[JobOutcome, ...] = (
    "succeeded",
    "failed",
    "cancelled",
    "expired",
    "partially_succeeded",  # Vertex AI's JOB_STATE_PARTIALLY_SUCCEEDED; Gemini API jobs succeed
)
HTTP_ERROR_CODES = frozenset({400, 403, 404, 429, 500, 503, 504})
_MODEL_NAME = re.compile(r"(?:(?:models|tunedModels)/)?[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class EmulatorOptions:
    """Everything that shapes the emulator's behaviour; each field is also a CLI switch.

    The object is mutable: a test may change a field between two calls (for example turn on
    `fail_fraction` after creating a job; per-request faults and `job_outcome` are applied when
    a job finishes). `host`, `port`, `deterministic` and `seed` are read once, at start.

    Attributes:
        host: Interface to bind (`--host`); keep `127.0.0.1` for tests.
        port: Port to bind (`--port`); `0` picks a free port.
        api_key: When set (`--api-key K`), the one key accepted; any other key gets Google's
            400 `API_KEY_INVALID`. When `None`, any non-empty key is accepted.
        job_seconds: Seconds from create to the end of a job (`--job-seconds N`): the first
            third PENDING, then RUNNING, then SUCCEEDED (or `job_outcome`). While RUNNING the
            requests are processed at a steady rate, so `batchStats` (successful, failed and
            pending counts, int64 strings, zeros omitted) move with the elapsed fraction of
            the run; on the virtual clock (`deterministic`) the sequence is reproducible. `0`
            means the job has ended by the first `get`.
        max_running_jobs: Unfinished jobs allowed at once; one more create gets 429.
        inline_limit_bytes: Largest JSON request body accepted; larger gets Google's 400
            `Request payload size exceeds the limit`.
        deterministic: Virtual clock (2026-01-01T00:00:00Z, +1 s per request) and seeded ids,
            for byte-identical cassettes.
        seed: Seed of every random choice (ids in deterministic mode, shuffles, failures,
            HTTP errors).
        shuffle_results: Return inline results and JSONL lines in a shuffled order.
        drop_metadata: Leave `metadata` off inline results and `key` off JSONL lines.
        fail_keys: Request keys (`metadata.key` or JSONL `key`) whose result is an error: a set
            (each gets `fail_code`) or a mapping from key to its google.rpc.Code, e.g.
            `{"a": 8, "b": 3}` (a `None` code means `fail_code`).
        fail_fraction: Fraction (0..1) of requests, chosen at random, whose result is an error
            (with `fail_code`).
        fail_code: The google.rpc.Code (1-16) of those per-request errors, default 13 INTERNAL.
            The error is a bare Status `{"code": 8, "message": "Resource has been exhausted
            (e.g. check quota)."}` with Google's standard message for the code (no `status`
            name, no `details`, as real per-request errors carry).
        job_outcome: How jobs end: `succeeded`, or `failed` (with a top-level `error`),
            `cancelled`, `expired` (no results); `partially_succeeded` ends Vertex AI jobs
            JOB_STATE_PARTIALLY_SUCCEEDED (Gemini API jobs succeed). Vertex AI jobs: see
            `_vertex_jobs`.
        http_error_rate: Fraction (0..1) of API calls answered with an HTTP error instead.
        http_error_codes: The HTTP errors drawn from when `http_error_rate` strikes.
        latency: Seconds to sleep before answering each request.
        retry_delay_seconds: The `RetryInfo.retryDelay` carried by 429 answers.
        extra_models: Model names added to the catalog (`gemini-x`, `models/gemini-x` or
            `tunedModels/x`); a name containing `embedding` is an embedding model. Every other
            unknown model gets Google's 404 (see `_catalog`).
        inject: Faults planned at start, each written as `EmulatorServer.inject`'s keywords:
            `action=batches.get,nth=3,status=503` (see `_faults`); read once, at start. In
            process, prefer `EmulatorServer.inject(...)`, which may be called at any time.
    """

    host: str = "127.0.0.1"
    port: int = 0
    api_key: str | None = None
    job_seconds: float = 3.0
    max_running_jobs: int = 100
    inline_limit_bytes: int = 20 * 1024 * 1024
    deterministic: bool = False
    seed: int = 0
    shuffle_results: bool = False
    drop_metadata: bool = False
    fail_keys: frozenset[str] | Mapping[str, int | None] = field(default_factory=frozenset)
    fail_fraction: float = 0.0
    fail_code: int = 13
    job_outcome: JobOutcome = "succeeded"
    http_error_rate: float = 0.0
    http_error_codes: tuple[int, ...] = (429, 500, 503)
    latency: float = 0.0
    retry_delay_seconds: int = 1
    extra_models: tuple[str, ...] = ()
    inject: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        keys = self.fail_keys
        if isinstance(keys, Mapping):
            self.fail_keys = {str(k): None if c is None else rpc_code(c) for k, c in keys.items()}
        else:
            self.fail_keys = frozenset((keys,) if isinstance(keys, str) else keys)
        extra = self.extra_models
        self.extra_models = (extra,) if isinstance(extra, str) else tuple(extra)
        self.inject = (self.inject,) if isinstance(self.inject, str) else tuple(self.inject)
        self.http_error_codes = tuple(int(code) for code in self.http_error_codes)
        self.validate()

    def validate(self) -> None:
        """Checks every value; called on construction, call it again after editing fields.

        Raises:
            ValueError: A value is out of range, naming the option.
        """
        for name in ("fail_fraction", "http_error_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        for name in ("job_seconds", "latency"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if self.job_outcome not in JOB_OUTCOMES:
            raise ValueError(f"job_outcome must be one of {JOB_OUTCOMES}, got {self.job_outcome!r}")
        unknown = sorted(set(self.http_error_codes) - HTTP_ERROR_CODES)
        if unknown or not self.http_error_codes:
            raise ValueError(
                f"http_error_codes must be a non-empty subset of {sorted(HTTP_ERROR_CODES)}, "
                f"got {list(self.http_error_codes)}"
            )
        if self.max_running_jobs < 1 or self.inline_limit_bytes < 1:
            raise ValueError("max_running_jobs and inline_limit_bytes must be positive")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        if isinstance(self.extra_models, str) or not all(
            isinstance(name, str) and _MODEL_NAME.fullmatch(name) for name in self.extra_models
        ):
            raise ValueError(
                "extra_models must be model names like 'gemini-x', 'models/gemini-x' or "
                f"'tunedModels/x', got {self.extra_models!r}"
            )
        rpc_code(self.fail_code)
        codes = self.fail_keys.values() if isinstance(self.fail_keys, Mapping) else ()
        for code in codes:
            if code is not None:
                rpc_code(code)
        for spec in self.inject:
            parse_fault(spec)
        if self.api_key == "":
            raise ValueError("api_key must be None (any key works) or a non-empty string")


class EmulatorOptionsDict(TypedDict, total=False):
    """Keyword arguments accepted by `EmulatorServer` and `run_emulator` (see `EmulatorOptions`)."""

    host: str
    port: int
    api_key: str | None
    job_seconds: float
    max_running_jobs: int
    inline_limit_bytes: int
    deterministic: bool
    seed: int
    shuffle_results: bool
    drop_metadata: bool
    fail_keys: Iterable[str] | Mapping[str, int | None]
    fail_fraction: float
    fail_code: int
    job_outcome: JobOutcome
    http_error_rate: float
    http_error_codes: Iterable[int]
    latency: float
    retry_delay_seconds: int
    extra_models: Iterable[str]
    inject: Iterable[str]


OPTION_NAMES = tuple(f.name for f in dataclasses.fields(EmulatorOptions))


def make_options(overrides: Mapping[str, object]) -> EmulatorOptions:
    """Builds `EmulatorOptions` from keyword arguments, rejecting unknown names helpfully.

    Args:
        overrides: Option names and values.

    Returns:
        The options.

    Raises:
        UnknownParameterError: A name is not an option; the message suggests the closest one.
    """
    for name in overrides:
        if name not in OPTION_NAMES:
            close = difflib.get_close_matches(name, OPTION_NAMES, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownParameterError(f"unknown emulator option {name!r}{hint}")
    return EmulatorOptions(**cast("dict[str, object]", dict(overrides)))  # type: ignore[arg-type]
