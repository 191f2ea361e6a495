"""The dispatcher: routes a request, checks size and API key, injects faults, logs the call.

Every request is handled under one lock, after the `latency` sleep; in deterministic mode the
virtual clock advances by one second per request before it is handled.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import re
import threading
import time
from collections.abc import Callable

from langchain_gemini_batch.testing.emulator import (
    _batch_api,
    _cloud,
    _content_api,
    _embed_api,
    _file_api,
    _model_api,
)
from langchain_gemini_batch.testing.emulator._clock import Clock, IdFactory
from langchain_gemini_batch.testing.emulator._faults import Fault, FaultPlan, parse_fault
from langchain_gemini_batch.testing.emulator._files import FileStore
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._state import (
    Call,
    EmulatorCounts,
    HttpReply,
    HttpRequest,
    LoggedRequest,
    State,
)
from langchain_gemini_batch.testing.emulator._strict_json import loads_strict
from langchain_gemini_batch.testing.emulator._wire import (
    ApiError,
    dumps,
    http_error,
    invalid_argument,
    invalid_key,
    missing_key,
    not_found,
)

__all__ = ["UPLOAD_CHUNK", "GeminiApi"]

_logger = logging.getLogger(__name__)

Handler = Callable[[State, Call], HttpReply]
UPLOAD_CHUNK = "files.uploadChunk"
_VERSION = r"/(v1beta|v1)"
_MODEL = r"/(models|tunedModels)/([^/:]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    (method, re.compile(pattern), action, handler)
    for method, pattern, action, handler in [
        ("POST", rf"{_VERSION}{_MODEL}:generateContent", "generateContent",
         _content_api.generate_content),
        ("POST", rf"{_VERSION}{_MODEL}:streamGenerateContent", "streamGenerateContent",
         _content_api.stream_generate_content),
        ("POST", rf"{_VERSION}{_MODEL}:countTokens", "countTokens", _content_api.count_tokens),
        ("POST", rf"{_VERSION}{_MODEL}:batchGenerateContent", "batchGenerateContent",
         _batch_api.create_batch),
        ("POST", rf"{_VERSION}{_MODEL}:embedContent", "embedContent", _embed_api.embed_content),
        ("POST", rf"{_VERSION}{_MODEL}:batchEmbedContents", "batchEmbedContents",
         _embed_api.batch_embed_contents),
        ("POST", rf"{_VERSION}{_MODEL}:asyncBatchEmbedContent", "asyncBatchEmbedContent",
         _embed_api.async_batch_embed_content),
        ("GET", rf"{_VERSION}/models", "models.list", _model_api.list_models),
        ("GET", rf"{_VERSION}/tunedModels", "tunedModels.list", _model_api.list_tuned_models),
        ("GET", rf"{_VERSION}{_MODEL}", "models.get", _model_api.get_model),
        ("GET", rf"{_VERSION}/batches", "batches.list", _batch_api.list_batches),
        ("GET", rf"{_VERSION}/batches/([^/:]+)", "batches.get", _batch_api.get_batch),
        ("DELETE", rf"{_VERSION}/batches/([^/:]+)", "batches.delete", _batch_api.delete_batch),
        ("POST", rf"{_VERSION}/batches/([^/:]+):cancel", "batches.cancel",
         _batch_api.cancel_batch),
        ("GET", rf"{_VERSION}/files", "files.list", _file_api.list_files),
        ("GET", rf"{_VERSION}/files/([^/:]+)", "files.get", _file_api.get_file),
        ("DELETE", rf"{_VERSION}/files/([^/:]+)", "files.delete", _file_api.delete_file),
        ("GET", rf"(?:/download)?{_VERSION}/files/([^/:]+):download", "files.download",
         _file_api.download_file),
        ("POST", rf"/upload{_VERSION}/files", "files.upload", _file_api.upload_start),
    ]
]  # fmt: skip
_ROUTES += _cloud.ROUTES  # Vertex AI and Cloud Storage (see `_cloud`)


def _route(request: HttpRequest) -> tuple[str, str, tuple[str, ...], Handler] | None:
    """Finds the endpoint: `(action, version, path params, handler)`."""
    for method, pattern, action, handler in _ROUTES:
        match = pattern.fullmatch(request.path)
        if match is None or method != request.method:
            continue
        version, *params = match.groups()
        if action == "files.upload" and "upload_id" in request.query:
            return UPLOAD_CHUNK, version, (), _file_api.upload_chunk
        return action, version, tuple(params), handler
    return None


class GeminiApi:
    """Answers HTTP requests as the Gemini API does; thread-safe.

    Args:
        options: The emulator options (read on every request, so they may change between calls).
    """

    def __init__(self, options: EmulatorOptions) -> None:
        self._lock = threading.RLock()
        clock = Clock(virtual=options.deterministic)
        ids = IdFactory(deterministic=options.deterministic, seed=options.seed)
        self.state = State(options=options, clock=clock, ids=ids, files=FileStore(ids))
        self._log: list[LoggedRequest] = []
        self._faults = FaultPlan()
        for spec in options.inject:
            self._faults.add(parse_fault(spec))
        self._http_rng = random.Random(options.seed)  # noqa: S311

    @property
    def options(self) -> EmulatorOptions:
        """The live options."""
        return self.state.options

    @options.setter
    def options(self, options: EmulatorOptions) -> None:
        with self._lock:
            self.state.options = options

    def requests(self) -> list[LoggedRequest]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        """Empties the request log."""
        with self._lock:
            self._log.clear()

    def plan(self, fault: Fault) -> None:
        """Plans a fault (see `_faults`)."""
        with self._lock:
            self._faults.add(fault)

    def pending_faults(self) -> list[Fault]:
        """The planned faults that have not fired yet."""
        with self._lock:
            return self._faults.pending()

    def clear_faults(self) -> None:
        """Forgets every planned fault."""
        with self._lock:
            self._faults.clear()

    def counts(self) -> EmulatorCounts:
        """Jobs by state, stored files and open uploads (jobs are advanced as a get would)."""
        with self._lock:
            return _batch_api.count_everything(self.state)

    def handle(self, request: HttpRequest) -> HttpReply:
        """Answers one request (never raises).

        Args:
            request: The HTTP request.
        """
        if self.options.latency:
            time.sleep(self.options.latency)
        with self._lock:
            self.state.clock.tick()
            action, body, reply, fault = "", None, None, None
            try:
                found = _route(request)
                if found is None:
                    raise not_found(f"The requested URL {request.path} was not found.")
                action, version, params, handler = found
                fault = self._fault(request, action)
                if fault is not None and fault.status is not None:
                    raise http_error(fault.status, self.options.retry_delay_seconds)
                body = self._admit(request, action)
                if fault is not None and fault.drop == "before":
                    reply = HttpReply(0, b"")
                else:
                    reply = handler(self.state, Call(request, action, version, params, body))
            except ApiError as raised:
                error = _cloud.restyle(action, raised)
                headers = (("X-Goog-Upload-Status", "final"),) if action == UPLOAD_CHUNK else ()
                reply = HttpReply(error.code, dumps(error.body()).encode(), headers=headers)
            except Exception:
                _logger.exception("the Gemini API emulator failed on %s", action or "a request")
                internal = ApiError(500, "Internal error encountered.")
                reply = HttpReply(500, dumps(internal.body()).encode())
            if fault is not None:
                reply = dataclasses.replace(
                    reply, delay_seconds=fault.delay, drop=fault.drop is not None
                )
            query = {k: v for k, v in request.query.items() if k != "key"}
            self._log.append(
                LoggedRequest(
                    request.method,
                    request.path,
                    query,
                    body,
                    action,
                    0 if reply.drop else reply.status,
                    dropped=reply.drop,
                    delay_seconds=reply.delay_seconds,
                )
            )
            return reply

    def _fault(self, request: HttpRequest, action: str) -> Fault | None:
        """Checks size and key, then counts the call against the planned faults."""
        if action in _cloud.ACTIONS:  # Vertex AI and Cloud Storage: their own auth
            _cloud.authenticate(request, action)
            return self._faults.take(action, any_call=True)
        if action == UPLOAD_CHUNK:
            return self._faults.take(action, any_call=False)
        options = self.options
        if len(request.body) > options.inline_limit_bytes:
            raise invalid_argument(
                f"Request payload size exceeds the limit: {options.inline_limit_bytes} bytes."
            )
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not key:
            raise missing_key()
        if options.api_key is not None and key != options.api_key:
            raise invalid_key()
        return self._faults.take(action, any_call=True)

    def _admit(self, request: HttpRequest, action: str) -> object:
        """Applies `http_error_rate`; returns the parsed JSON body (None for upload data)."""
        if action in _cloud.ACTIONS:
            return _cloud.parse_body(request, action)
        if action == UPLOAD_CHUNK:
            return None
        options = self.options
        if options.http_error_rate and self._http_rng.random() < options.http_error_rate:
            code = self._http_rng.choice(options.http_error_codes)
            raise http_error(code, options.retry_delay_seconds)
        if not request.body.strip():
            return None
        return loads_strict(request.body)
