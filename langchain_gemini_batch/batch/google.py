"""`GoogleBatchOperations`: the seed's batch API for generation, a thin façade over the engine.

Every call is `EngineOperations`' (shared with the embeddings twin,
`GoogleEmbeddingBatchOperations`); this class only says that requests are `generateContent`
requests built with the invoker's settings (`GenerateCodec`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch.batch._results import BatchResult
from langchain_gemini_batch.batch.base import BatchOperations
from langchain_gemini_batch.batch.codecs import GenerateCodec
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.batch.operations import EngineOperations
from langchain_gemini_batch.schema import LMInput

if TYPE_CHECKING:
    from langchain_gemini_batch.invoker import GoogleLMInvoker

__all__ = ["GoogleBatchOperations"]


class GoogleBatchOperations(EngineOperations[LMInput, BatchResult], BatchOperations):
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
    are `LMOutput` (or `RequestFailedError`).
    """

    def __init__(self, invoker: GoogleLMInvoker, engine: BatchEngine) -> None:
        super().__init__(engine)
        self._invoker = invoker

    @property
    def _model_name(self) -> str:
        return self._invoker.model_name

    def _codec(self, hyperparameters: Mapping[str, Any] | None = None) -> GenerateCodec:
        return GenerateCodec(self._invoker.request_builder(hyperparameters))
