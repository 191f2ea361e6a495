"""The public surface is `__all__`, pinned here; everything else is private."""

import pytest

import langchain_gemini_batch
from langchain_gemini_batch import BatchJobError, BatchNotFinishedError
from tests.unit.fake_google import FakeGoogle, operation

EXPECTED = [
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
    "DEFAULT_PRICES",
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
    "PRICES_AS_OF",
    "PROGRESS_EVENT",
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


def test_all_is_pinned_and_importable() -> None:
    assert sorted(langchain_gemini_batch.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(langchain_gemini_batch, name) is not None


async def test_retrieving_too_early_says_so(google: FakeGoogle) -> None:
    google.on("GET", r"/batches/job1$", operation(state="BATCH_STATE_PENDING"))
    invoker = google.invoker()
    with pytest.raises(BatchNotFinishedError, match="has not finished yet") as caught:
        await invoker.batch.retrieve("batches/job1")
    assert not isinstance(caught.value, BatchJobError)  # it has not ended: not a job error
    assert caught.value.state == "JOB_STATE_PENDING"
    assert "ended" not in str(caught.value)
