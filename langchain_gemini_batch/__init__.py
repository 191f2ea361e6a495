"""Send LangChain `chain.abatch()` through the Google Gemini Batch API, at half the price.

Every public name is importable from here; modules load on first use (PEP 562), so
`import langchain_gemini_batch` and the `gemini-batch` command line start quickly and only the
parts a program touches are imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_gemini_batch.batch._plan import (
        BatchLimits,
    )
    from langchain_gemini_batch.batch.base import (
        BatchOperations,
        PollingPolicy,
    )
    from langchain_gemini_batch.batch.embed_codec import (
        EmbedInput,
    )
    from langchain_gemini_batch.batch.files import (
        InputFileError,
        PromptFile,
        RequestFile,
        ResultsWritten,
    )
    from langchain_gemini_batch.batch.google import (
        GoogleBatchOperations,
    )
    from langchain_gemini_batch.batch.google_embed import (
        GoogleEmbeddingBatchOperations,
    )
    from langchain_gemini_batch.batch.journal import (
        JobRecord,
        Journal,
    )
    from langchain_gemini_batch.chat_models import (
        ChatGeminiBatch,
    )
    from langchain_gemini_batch.em_invoker import (
        GoogleEMInvoker,
    )
    from langchain_gemini_batch.embeddings import (
        GeminiBatchEmbeddings,
    )
    from langchain_gemini_batch.errors import (
        BackendNotSupportedError,
        BatchJobError,
        BatchNotFinishedError,
        BatchPollError,
        BatchTimeoutError,
        BatchWaitError,
        EmbeddingsFailedError,
        GeminiAPIError,
        GeminiBatchError,
        IncompleteBatchError,
        InvalidRequestError,
        MissingApiKeyError,
        RequestFailedError,
        ResultMismatchError,
        UnknownParameterError,
    )
    from langchain_gemini_batch.invoker import (
        GoogleLMInvoker,
    )
    from langchain_gemini_batch.pricing import (
        DEFAULT_PRICES,
        PRICES_AS_OF,
        Cost,
        CostEstimate,
        ModelPrice,
        PriceTable,
        cost_of,
        estimate_batch_cost,
    )
    from langchain_gemini_batch.progress import (
        PROGRESS_EVENT,
        ProgressBar,
    )
    from langchain_gemini_batch.schema import (
        Attachment,
        BatchJobInfo,
        BatchStatus,
        GeminiContents,
        LMInput,
        LMOutput,
        LMOutputItem,
        Message,
        MessageContent,
        MessageRole,
        RequestCounts,
        Thinking,
        TokenUsage,
        ToolCall,
        ToolResult,
    )

_MODULES: dict[str, str] = {
    "BatchLimits": "langchain_gemini_batch.batch._plan",
    "BatchOperations": "langchain_gemini_batch.batch.base",
    "PollingPolicy": "langchain_gemini_batch.batch.base",
    "GoogleBatchOperations": "langchain_gemini_batch.batch.google",
    "GoogleEmbeddingBatchOperations": "langchain_gemini_batch.batch.google_embed",
    "JobRecord": "langchain_gemini_batch.batch.journal",
    "Journal": "langchain_gemini_batch.batch.journal",
    "InputFileError": "langchain_gemini_batch.batch.files",
    "PromptFile": "langchain_gemini_batch.batch.files",
    "RequestFile": "langchain_gemini_batch.batch.files",
    "ResultsWritten": "langchain_gemini_batch.batch.files",
    "EmbedInput": "langchain_gemini_batch.batch.embed_codec",
    "ChatGeminiBatch": "langchain_gemini_batch.chat_models",
    "GeminiBatchEmbeddings": "langchain_gemini_batch.embeddings",
    "GoogleEMInvoker": "langchain_gemini_batch.em_invoker",
    "BackendNotSupportedError": "langchain_gemini_batch.errors",
    "BatchJobError": "langchain_gemini_batch.errors",
    "BatchNotFinishedError": "langchain_gemini_batch.errors",
    "BatchPollError": "langchain_gemini_batch.errors",
    "BatchTimeoutError": "langchain_gemini_batch.errors",
    "BatchWaitError": "langchain_gemini_batch.errors",
    "EmbeddingsFailedError": "langchain_gemini_batch.errors",
    "GeminiAPIError": "langchain_gemini_batch.errors",
    "GeminiBatchError": "langchain_gemini_batch.errors",
    "IncompleteBatchError": "langchain_gemini_batch.errors",
    "InvalidRequestError": "langchain_gemini_batch.errors",
    "MissingApiKeyError": "langchain_gemini_batch.errors",
    "RequestFailedError": "langchain_gemini_batch.errors",
    "ResultMismatchError": "langchain_gemini_batch.errors",
    "UnknownParameterError": "langchain_gemini_batch.errors",
    "GoogleLMInvoker": "langchain_gemini_batch.invoker",
    "Cost": "langchain_gemini_batch.pricing",
    "CostEstimate": "langchain_gemini_batch.pricing",
    "DEFAULT_PRICES": "langchain_gemini_batch.pricing",
    "ModelPrice": "langchain_gemini_batch.pricing",
    "PRICES_AS_OF": "langchain_gemini_batch.pricing",
    "PriceTable": "langchain_gemini_batch.pricing",
    "cost_of": "langchain_gemini_batch.pricing",
    "estimate_batch_cost": "langchain_gemini_batch.pricing",
    "PROGRESS_EVENT": "langchain_gemini_batch.progress",
    "ProgressBar": "langchain_gemini_batch.progress",
    "Attachment": "langchain_gemini_batch.schema",
    "BatchJobInfo": "langchain_gemini_batch.schema",
    "BatchStatus": "langchain_gemini_batch.schema",
    "GeminiContents": "langchain_gemini_batch.schema",
    "LMInput": "langchain_gemini_batch.schema",
    "LMOutput": "langchain_gemini_batch.schema",
    "LMOutputItem": "langchain_gemini_batch.schema",
    "Message": "langchain_gemini_batch.schema",
    "MessageContent": "langchain_gemini_batch.schema",
    "MessageRole": "langchain_gemini_batch.schema",
    "RequestCounts": "langchain_gemini_batch.schema",
    "Thinking": "langchain_gemini_batch.schema",
    "TokenUsage": "langchain_gemini_batch.schema",
    "ToolCall": "langchain_gemini_batch.schema",
    "ToolResult": "langchain_gemini_batch.schema",
}

__all__ = [
    "DEFAULT_PRICES",
    "PRICES_AS_OF",
    "PROGRESS_EVENT",
    "Attachment",
    "BackendNotSupportedError",
    "BatchJobError",
    "BatchJobInfo",
    "BatchLimits",
    "BatchNotFinishedError",
    "BatchOperations",
    "BatchPollError",
    "BatchStatus",
    "BatchTimeoutError",
    "BatchWaitError",
    "ChatGeminiBatch",
    "Cost",
    "CostEstimate",
    "EmbedInput",
    "EmbeddingsFailedError",
    "GeminiAPIError",
    "GeminiBatchEmbeddings",
    "GeminiBatchError",
    "GeminiContents",
    "GoogleBatchOperations",
    "GoogleEMInvoker",
    "GoogleEmbeddingBatchOperations",
    "GoogleLMInvoker",
    "IncompleteBatchError",
    "InputFileError",
    "InvalidRequestError",
    "JobRecord",
    "Journal",
    "LMInput",
    "LMOutput",
    "LMOutputItem",
    "Message",
    "MessageContent",
    "MessageRole",
    "MissingApiKeyError",
    "ModelPrice",
    "PollingPolicy",
    "PriceTable",
    "ProgressBar",
    "PromptFile",
    "RequestCounts",
    "RequestFailedError",
    "RequestFile",
    "ResultMismatchError",
    "ResultsWritten",
    "Thinking",
    "TokenUsage",
    "ToolCall",
    "ToolResult",
    "UnknownParameterError",
    "cost_of",
    "estimate_batch_cost",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'langchain_gemini_batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
