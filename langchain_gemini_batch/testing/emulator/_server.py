"""`EmulatorServer` and `run_emulator`: the emulator in-process, for tests and examples."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from langchain_gemini_batch.testing.emulator._api import GeminiApi
from langchain_gemini_batch.testing.emulator._cloud_state import CloudControl
from langchain_gemini_batch.testing.emulator._faults import Drop, Fault
from langchain_gemini_batch.testing.emulator._http import EmulatorHttpServer
from langchain_gemini_batch.testing.emulator._options import (
    EmulatorOptions,
    EmulatorOptionsDict,
    make_options,
)
from langchain_gemini_batch.testing.emulator._state import EmulatorCounts, LoggedRequest

if TYPE_CHECKING:  # typing_extensions: `Unpack` and `Self` are 3.11+ in `typing`
    from typing_extensions import Self, Unpack

__all__ = ["EmulatorServer", "run_emulator"]


class EmulatorServer:
    """The local Gemini API emulator, served from a background thread.

    Point google-genai at `base_url` (env `GOOGLE_GEMINI_BASE_URL`, or
    `HttpOptions(base_url=..., api_version="v1beta")`) and it behaves as Google's batch, files,
    models, generateContent and embedding endpoints do, offline and deterministically.

    Example:
        ```python
        from google import genai
        from google.genai import types

        with EmulatorServer(job_seconds=0) as server:
            client = genai.Client(
                api_key="any-key",
                http_options=types.HttpOptions(base_url=server.base_url, api_version="v1beta"),
            )
            job = client.batches.create(
                model="gemini-2.5-flash",
                src=[{"contents": "hi", "metadata": {"key": "a"}}],
            )
            server.options.fail_fraction = 1.0  # faults may change between calls
            assert server.count("batchGenerateContent") == 1
        ```

    Args:
        **options: `EmulatorOptions` fields (`host`, `port`, `job_seconds`, the fault switches,
            ...); an unknown name raises `UnknownParameterError` naming the closest option.
    """

    def __init__(self, **options: Unpack[EmulatorOptionsDict]) -> None:
        self._api = GeminiApi(make_options(options))
        self._httpd: EmulatorHttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def options(self) -> EmulatorOptions:
        """The live options; edit fields (or assign a new object) between calls."""
        return self._api.options

    @options.setter
    def options(self, options: EmulatorOptions) -> None:
        options.validate()
        self._api.options = options

    @property
    def base_url(self) -> str:
        """`http://host:port` of the running server.

        Raises:
            RuntimeError: The server is not started.
        """
        if self._httpd is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return f"http://{self._httpd.authority}"

    @property
    def port(self) -> int:
        """The bound port (useful with `port=0`)."""
        if self._httpd is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return int(self._httpd.server_address[1])

    def start(self) -> Self:
        """Binds the port and serves from a daemon thread; returns `self`.

        Raises:
            RuntimeError: Already started.
            OSError: The address cannot be bound.
        """
        if self._httpd is not None:
            raise RuntimeError("the emulator is already running")
        self._httpd = EmulatorHttpServer(self.options.host, self.options.port, self._api)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"gemini-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving, closes the port and any open connections; safe to call twice."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def cloud(self) -> CloudControl:
        """The emulated Cloud Storage objects and Vertex AI jobs (list, read, seed buckets)."""
        return CloudControl(self._api.state.cloud, self._api.state.clock.now)

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of every request handled so far, oldest first.

        Each entry has the method, path, query, JSON body, endpoint name and answered status;
        API keys are never recorded.
        """
        return self._api.requests()

    def clear_requests(self) -> None:
        """Empties the request log."""
        self._api.clear_requests()

    def count(self, action: str, *, status: int | None = None) -> int:
        """Counts logged requests to one endpoint.

        Args:
            action: The endpoint: `generateContent`, `streamGenerateContent`, `countTokens`,
                `batchGenerateContent`, `embedContent`, `batchEmbedContents`,
                `asyncBatchEmbedContent`, `models.list`, `models.get`, `tunedModels.list`,
                `batches.get`, `batches.list`, `batches.cancel`, `batches.delete`,
                `files.upload`, `files.uploadChunk`, `files.get`, `files.list`,
                `files.delete` or `files.download` (`""` for a path no endpoint matched);
                Vertex AI and Cloud Storage ones are in `_cloud.ACTIONS`
                (`batchPredictionJobs.create`, `storage.objects.insert`, ...).
            status: Count only answers with this HTTP status (e.g. 200 for jobs really created).
        """
        return sum(
            1
            for entry in self._api.requests()
            if entry.action == action and (status is None or entry.status == status)
        )

    def inject(
        self,
        action: str | None = None,
        *,
        nth: int = 1,
        status: int | None = None,
        drop: Drop | None = None,
        delay: float = 0.0,
    ) -> None:
        """Plans one fault on exactly the `nth` call of `action` from now (see `_faults`).

        Examples:
            ```python
            server.inject("batches.get", nth=3, status=503)  # the third status poll gets a 503
            server.inject("files.download", drop="before")  # the download: connection closed
            server.inject("batchGenerateContent", drop="after")  # job created, no answer
            server.inject("batchGenerateContent", delay=5)  # job created, answer 5 s later
            ```

        Args:
            action: The endpoint, as named in the request log (see `count`); `None` for any
                call except upload data chunks (`files.uploadChunk` must be named).
            nth: Which call, counting from 1 = the next one.
            status: Answer Google's error for this HTTP status (400, 403, 404, 429, 500, 503,
                504) instead of doing the work.
            drop: Close the connection without any answer, `"before"` doing the work or
                `"after"` it.
            delay: Do the work, then wait this many seconds before answering (or dropping).

        Raises:
            ValueError: `nth` < 1, an unknown status, `status` with `drop`, or nothing to do.
        """
        self._api.plan(Fault(action, nth - 1, status=status, drop=drop, delay=delay))

    def inject_errors(self, *codes: int, action: str | None = None) -> None:
        """Answers the next calls with exactly these HTTP errors, in order, then behaves again.

        Example: `server.inject_errors(429, action="batchGenerateContent")` makes the next
        create get a 429 (with `RetryInfo`) and the one after it succeed. Same as one
        `inject(action, status=code)` per code.

        Args:
            *codes: HTTP statuses among 400, 403, 404, 429, 500, 503, 504.
            action: Only calls to this endpoint (see `count`); `None` for any call except upload
                data chunks.
        """
        faults = [Fault(action, 0, status=code) for code in codes]  # validates every code first
        for fault in faults:
            self._api.plan(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """The planned faults that have not fired yet (e.g. to assert all of them fired)."""
        return self._api.pending_faults()

    def clear_faults(self) -> None:
        """Forgets every planned fault that has not fired."""
        self._api.clear_faults()

    def counts(self) -> EmulatorCounts:
        """What the emulator holds now: jobs (total and by `BATCH_STATE_*`), files, open uploads.

        Jobs are advanced to now first, exactly as a `batches.get` would.
        """
        return self._api.counts()


@contextlib.contextmanager
def run_emulator(**options: Unpack[EmulatorOptionsDict]) -> Iterator[str]:
    """Runs an emulator on a free port (unless `port` is given) and yields its base URL.

    Example:
        ```python
        with run_emulator(job_seconds=0) as base_url:
            os.environ["GOOGLE_GEMINI_BASE_URL"] = base_url
            ...
        ```

    Args:
        **options: `EmulatorOptions` fields.

    Yields:
        `http://127.0.0.1:<port>`.
    """
    with EmulatorServer(**options) as server:
        yield server.base_url
