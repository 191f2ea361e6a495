"""Send LangChain `chain.abatch()` through the Google Gemini Batch API, at half the price."""

from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.batch.base import BatchOperations, PollingPolicy
from langchain_gemini_batch.batch.google import GoogleBatchOperations
from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.errors import (
    BatchJobError,
    BatchNotFinishedError,
    BatchTimeoutError,
    GeminiBatchError,
    InvalidRequestError,
    RequestFailedError,
    ResultMismatchError,
    UnknownParameterError,
)
from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.schema import (
    Attachment,
    BatchStatus,
    LMInput,
    LMOutput,
    LMOutputItem,
    Message,
    MessageContent,
    MessageRole,
    Thinking,
    TokenUsage,
    ToolCall,
    ToolResult,
)

__all__ = [
    "Attachment",
    "BatchJobError",
    "BatchLimits",
    "BatchNotFinishedError",
    "BatchOperations",
    "BatchStatus",
    "BatchTimeoutError",
    "ChatGeminiBatch",
    "GeminiBatchError",
    "GoogleBatchOperations",
    "GoogleLMInvoker",
    "InvalidRequestError",
    "LMInput",
    "LMOutput",
    "LMOutputItem",
    "Message",
    "MessageContent",
    "MessageRole",
    "PollingPolicy",
    "RequestFailedError",
    "ResultMismatchError",
    "Thinking",
    "TokenUsage",
    "ToolCall",
    "ToolResult",
    "UnknownParameterError",
]
