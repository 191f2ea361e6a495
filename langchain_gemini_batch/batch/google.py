"""`GoogleBatchOperations`: the seed's batch API for generation, a thin façade over the engine.

Every seed call is `EngineOperations`' (shared with the embeddings twin,
`GoogleEmbeddingBatchOperations`); this class says that requests are `generateContent`
requests built with the invoker's settings (`GenerateCodec`), and adds what only generation
has: requests in Google's wire form (`create_raw`), Vertex AI jobs on your own input
(`create_from_source`), results written to a file, costs and estimates (`FilesAndCosts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch.batch._google_more import FilesAndCosts
from langchain_gemini_batch.batch._results import BatchResult
from langchain_gemini_batch.batch.base import BatchOperations
from langchain_gemini_batch.batch.codecs import GenerateCodec, RawCodec
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.batch.operations import EngineOperations
from langchain_gemini_batch.schema import LMInput

if TYPE_CHECKING:
    from langchain_gemini_batch.invoker import GoogleLMInvoker

__all__ = ["GoogleBatchOperations"]


class GoogleBatchOperations(FilesAndCosts, EngineOperations[LMInput, BatchResult], BatchOperations):
    """Batch operations for `GoogleLMInvoker` (reach them as `invoker.batch`).

    Example:
        ```python
        invoker = GoogleLMInvoker("gemini-2.5-flash")
        batch_id = await invoker.batch.create({"q1": "Hi!", "q2": "What is 2 + 2?"})
        status = await invoker.batch.status(batch_id)  # BatchStatus.IN_PROGRESS ...
        results = await invoker.batch.retrieve(batch_id)  # {"q1": LMOutput, ...}
        # or all in one: results = await invoker.batch.invoke({...})
        ```

    `create`, `invoke`, `status`, `info`, `jobs`, `wait`, `retrieve`, `iter_results`, `list`,
    `cancel` and `delete` are documented on `EngineOperations`; `hyperparameters` are
    `GenerateContentConfig` fields over the invoker's `default_hyperparameters`, and results
    are `LMOutput` (or `RequestFailedError`). Beside them: `create_raw` (requests in Google's
    wire form, e.g. from a `RequestFile`), `create_from_source` (Vertex AI), `write_results`
    (a batch's results to a JSONL file, streamed), `cost` (what a finished batch cost, at
    batch and online prices) and `estimate` / `estimate_raw` (before sending).
    """

    def __init__(self, invoker: GoogleLMInvoker, engine: BatchEngine) -> None:
        super().__init__(engine)
        self._invoker = invoker

    @property
    def _model_name(self) -> str:
        return self._invoker.model_name

    def _codec(self, hyperparameters: Mapping[str, Any] | None = None) -> GenerateCodec:
        return GenerateCodec(
            self._invoker.request_builder(hyperparameters), model=self._invoker.model_name
        )

    async def create_raw(
        self,
        requests: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
        *,
        display_name: str | None = None,
        resume: bool = True,
        cancel_on_exit: bool = True,
    ) -> str:
        """Create a batch of requests already in Google's wire form (`GenerateContentRequest`).

        For Google's batch JSONL files: `create_raw(RequestFile("requests.jsonl"))` reads the
        file a line at a time, and past `inline_max_bytes` the requests go to a temporary file
        that is uploaded, so memory does not grow with the file. Requests are sent as they are
        (checked only for `contents`); the invoker's settings are not applied to them.

        Args:
            requests: Request ID to request dict, or `(id, request)` pairs.
            display_name: See `create`.
            resume: See `create`.
            cancel_on_exit: See `create`.

        Returns:
            The batch ID.

        Raises:
            InvalidRequestError: A request is not an object with `contents`, an ID is repeated
                (`InputFileError`, naming the line, for a bad line of a `RequestFile`).
        """
        return await self._create(
            requests,
            RawCodec(),
            display_name=display_name,
            resume=resume,
            cancel_on_exit=cancel_on_exit,
        )

    async def create_from_source(
        self,
        source: str,
        destination: str,
        *,
        display_name: str | None = None,
        resume: bool = True,
    ) -> str:
        """Create a Vertex AI batch job on your own input; the package sends no requests.

        `status`, `info`, `wait`, `list`, `cancel` and `delete` work on the batch ID as on any
        other. `retrieve` reads a `gs://` destination's `predictions*.jsonl` and, with
        google-cloud-bigquery installed (`[bigquery]` extra), a `bq://` destination table;
        results are keyed by each row's `key` field or column.

        Example:
            ```python
            batch_id = await invoker.batch.create_from_source(
                "bq://my-project.my_dataset.requests",  # columns: key STRING, request JSON
                destination="bq://my-project.my_dataset.responses",
            )
            ```

        Args:
            source: `gs://bucket/file.jsonl` (lines `{"key": ..., "request": {...}}`) or
                `bq://project.dataset.table` (a `request` JSON column, plus e.g. `key`).
            destination: `gs://bucket/prefix` or `bq://project.dataset[.table]`.
            display_name: The job's display name (the work's fingerprint tag is appended).
            resume: Reattach to a journaled job for the same model, source and destination
                (default) instead of creating another.

        Returns:
            The batch ID (the job's full name).

        Raises:
            InvalidRequestError: Not on Vertex AI, or a URI is malformed; nothing was sent.
        """
        return await self.engine.submit_source(
            self._codec(),
            self._invoker.model_name,
            source,
            destination,
            display_name=display_name,
            resume=resume,
        )
