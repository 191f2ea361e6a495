"""`GoogleEmbeddingBatchOperations`: the seed's batch API for embeddings, over the same engine.

The twin of `GoogleBatchOperations`: every call is `EngineOperations`' (planning inline or
file, splitting, the journal and reattach on rerun, careful creates, waiting with progress,
results joined by key, cleanup); only the codec differs (`EmbedCodec`: a text in, a vector
out). Jobs are created with `models/{model}:asyncBatchEmbedContent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_gemini_batch.batch.embed_codec import (
    EmbedCodec,
    EmbedInput,
    EmbedResult,
    embed_settings,
)
from langchain_gemini_batch.batch.engine import BatchEngine
from langchain_gemini_batch.batch.operations import EngineOperations

if TYPE_CHECKING:
    from langchain_gemini_batch.em_invoker import GoogleEMInvoker

__all__ = ["GoogleEmbeddingBatchOperations"]


class GoogleEmbeddingBatchOperations(
    EngineOperations[str | EmbedInput | Mapping[str, Any], EmbedResult]
):
    """Batch operations for `GoogleEMInvoker` (reach them as `invoker.batch`).

    Example:
        ```python
        invoker = GoogleEMInvoker("gemini-embedding-001", output_dimensionality=768)
        batch_id = await invoker.batch.create({"d1": "first text", "d2": "second text"})
        await invoker.batch.wait(batch_id)
        vectors = await invoker.batch.retrieve(batch_id)  # {"d1": [0.01, ...], ...}
        # or all in one: vectors = await invoker.batch.invoke({...})
        ```

    `create`, `invoke`, `status`, `info`, `jobs`, `wait`, `retrieve`, `iter_results`, `list`,
    `cancel` and `delete` are documented on `EngineOperations`. Inputs are texts, `EmbedInput`s
    (a text with a title) or mappings (`text`, `title`, `task_type`,
    `output_dimensionality`); `hyperparameters` are `task_type` and `output_dimensionality`
    over the invoker's; results are `list[float]` or `RequestFailedError`.
    """

    def __init__(self, invoker: GoogleEMInvoker, engine: BatchEngine) -> None:
        super().__init__(engine)
        self._invoker = invoker

    @property
    def _model_name(self) -> str:
        return self._invoker.model_name

    def _codec(self, hyperparameters: Mapping[str, Any] | None = None) -> EmbedCodec:
        return EmbedCodec(embed_settings(self._invoker.settings, hyperparameters))
