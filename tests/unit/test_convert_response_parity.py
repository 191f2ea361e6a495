"""Response parity: the same Gemini response body becomes the same `AIMessage`.

Each canned body (camelCase, as Google sends it) goes through langchain-google-genai 4.4.3's
own path (the SDK parses it as `generate_content` does, `_response_to_result` converts it and
`BaseChatModel` merges the generation info, as for `invoke`) and through ours (the batch
result reader's `response_to_output`, then `output_to_message`). Content, content blocks
(LangChain's v1 view, citations included), tool calls, `additional_kwargs`, usage and every
response-metadata key langchain-google-genai sets must match; IDs langchain-google-genai
draws at random are compared by position.
"""

from __future__ import annotations

import base64
import copy
import io
import wave
from typing import Any

import pytest
from google.genai import models as sdk_models
from google.genai import types
from langchain_core.messages import AIMessage
from langchain_google_genai.chat_models import _response_to_result

from langchain_gemini_batch.convert.google_response import response_to_output
from langchain_gemini_batch.errors import RequestFailedError
from langchain_gemini_batch.langchain.output import blocked_message, output_to_message
from langchain_gemini_batch.schema import LMOutput

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:langchain_google_genai.chat_models")

SIG = base64.b64encode(b"\xfb\xef\xff-sig-1").decode()
SIG2 = base64.b64encode(b"sig-2").decode()
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n-img").decode()
PCM = base64.b64encode(b"\x00\x01" * 50).decode()
OUR_KEYS = frozenset(
    {
        "is_batch",
        "cost",
        "batch_job",
        "request_key",
        "response_id",
        "usage_details",
        "avg_logprobs",
        "logprobs_result",
        "citation_metadata",
        "url_context_metadata",
        "finish_message",
    }
)
"""Keys ChatGeminiBatch adds to what langchain-google-genai reports."""

USAGE = {"promptTokenCount": 12, "candidatesTokenCount": 5, "totalTokenCount": 17}
SAFETY = [
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "LOW", "blocked": False},
]
GROUNDING = {
    "webSearchQueries": ["euro 2024 winner"],
    "searchEntryPoint": {"renderedContent": "<div>search</div>"},
    "groundingChunks": [{"web": {"uri": "https://uefa.test/euro", "title": "uefa.test"}}],
    "groundingSupports": [
        {
            "segment": {"startIndex": 0, "endIndex": 24, "text": "Spain won the Euro 2024."},
            "groundingChunkIndices": [0],
            "confidenceScores": [0.97],
        }
    ],
}


def body(
    *parts: dict[str, Any],
    model: str = "gemini-2.5-flash",
    usage: dict[str, Any] | None = USAGE,
    **candidate: Any,
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "candidates": [
            {"content": {"parts": list(parts), "role": "model"}, "finishReason": "STOP", "index": 0}
            | candidate
        ],
        "modelVersion": model,
        "responseId": "resp-1",
    }
    if usage is not None:
        response["usageMetadata"] = usage
    return response


CALL = {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "days": 2.0}}}

BODIES: dict[str, dict[str, Any]] = {
    "text": body({"text": "Hello!"}),
    "text with trailing newlines": body({"text": "Hello!\n\n"}),
    "two text parts": body({"text": "Hel"}, {"text": "lo"}),
    "empty text part dropped": body({"text": ""}, {"text": "x"}),
    "thinking and text": body(
        {"text": "Let me think", "thought": True, "thoughtSignature": SIG},
        {"text": "Answer"},
        usage={**USAGE, "thoughtsTokenCount": 7, "totalTokenCount": 24},
    ),
    "signed text (gemini 3)": body(
        {"text": "Hi", "thoughtSignature": SIG}, model="gemini-3-pro-preview"
    ),
    "plain text on gemini 3": body({"text": "Hi"}, model="gemini-3-flash-preview"),
    "signature-only trailing part": body({"text": "Hi"}, {"text": "", "thoughtSignature": SIG}),
    "function call with id and signature": body(
        {
            "functionCall": {"id": "fc-1", "name": "get_weather", "args": {"city": "Oslo"}},
            "thoughtSignature": SIG,
        }
    ),
    "function call without id": body(CALL),
    "text then two calls": body(
        {"text": "Checking."},
        CALL,
        {"functionCall": {"name": "get_time", "args": {}}, "thoughtSignature": SIG2},
    ),
    "code execution": body(
        {"executableCode": {"language": "PYTHON", "code": "print(1 + 1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2\n"}},
        {"text": "The answer is 2."},
    ),
    "failed code execution": body(
        {"executableCode": {"language": "PYTHON", "code": "1/0"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "ZeroDivisionError"}},
    ),
    "server tool call and result": body(
        {
            "toolCall": {"id": "t1", "toolType": "GOOGLE_SEARCH_WEB", "args": {"q": "x"}},
            "thoughtSignature": SIG,
        },
        {"toolResponse": {"id": "t1", "toolType": "GOOGLE_SEARCH_WEB", "response": {"n": 1}}},
        {"text": "Found it."},
        model="gemini-3-pro-preview",
    ),
    "server tool without type": body(
        {"toolCall": {"args": {}}}, {"toolResponse": {"response": {}}}
    ),
    "image with signature": body(
        {"text": "Here:"},
        {"inlineData": {"mimeType": "image/png", "data": PNG}, "thoughtSignature": SIG},
    ),
    "audio": body({"inlineData": {"mimeType": "audio/L16;rate=24000", "data": PCM}}),
    "pdf inline is dropped": body(
        {"inlineData": {"mimeType": "application/pdf", "data": PNG}}, {"text": "x"}
    ),
    "grounding": body({"text": "Spain won the Euro 2024."}, groundingMetadata=GROUNDING),
    "grounding without lists": body(
        {"text": "x"}, groundingMetadata={"searchEntryPoint": {"renderedContent": "y"}}
    ),
    "safety ratings": body({"text": "ok"}, safetyRatings=SAFETY),
    "blocked candidate": body(
        finishReason="SAFETY", finishMessage="Blocked for safety.", safetyRatings=SAFETY
    ),
    "prohibited content on gemini 3": body(
        finishReason="PROHIBITED_CONTENT", model="gemini-3-flash-preview"
    ),
    "max tokens with no content": body(finishReason="MAX_TOKENS"),
    "malformed function call": body(
        finishReason="MALFORMED_FUNCTION_CALL", finishMessage="Malformed function call: x"
    ),
    "prompt feedback beside a candidate": body({"text": "ok"})
    | {"promptFeedback": {"safetyRatings": SAFETY}},
    "usage with cache and tool-use prompt": body(
        {"text": "x"},
        usage={
            "promptTokenCount": 100,
            "cachedContentTokenCount": 60,
            "candidatesTokenCount": 4,
            "toolUsePromptTokenCount": 9,
            "thoughtsTokenCount": 3,
            "totalTokenCount": 116,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 100}],
        },
    ),
    "no usage": body({"text": "x"}, usage=None),
    "zero usage": body({"text": "x"}, usage={"totalTokenCount": 0}),
    "logprobs": body(
        {"text": "Yes"},
        avgLogprobs=-0.12,
        logprobsResult={
            "topCandidates": [{"candidates": [{"token": "Yes", "logProbability": -0.1}]}],
            "chosenCandidates": [{"token": "Yes", "logProbability": -0.1}],
        },
    ),
    "citations": body(
        {"text": "quoted"},
        citationMetadata={
            "citationSources": [{"startIndex": 0, "endIndex": 6, "uri": "https://x.test"}]
        },
    ),
    "two candidates": {
        **body({"text": "first"}),
        "candidates": [
            {
                "content": {"parts": [{"text": "first"}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            },
            {
                "content": {"parts": [{"text": "second"}], "role": "model"},
                "finishReason": "STOP",
                "index": 1,
            },
        ],
    },
}


def lcgg_message(raw: dict[str, Any]) -> AIMessage:
    """What `ChatGoogleGenerativeAI.invoke` returns for this response body."""
    # The SDK's own response parsing, as `generate_content` runs it (test-only private use).
    parsed = types.GenerateContentResponse._from_response(
        response=sdk_models._GenerateContentResponse_from_mldev(copy.deepcopy(raw)), kwargs={}
    )
    result = _response_to_result(parsed)
    generation = result.generations[0]
    message = generation.message
    assert isinstance(message, AIMessage)
    metadata = {**(generation.generation_info or {}), **message.response_metadata}
    if len(result.generations) == 1 and result.llm_output is not None:
        metadata = {**result.llm_output, **metadata}
    message.response_metadata = metadata
    return message


def our_message(raw: dict[str, Any]) -> AIMessage:
    result = response_to_output(copy.deepcopy(raw), request_id="7", batch_job="batches/j1")
    if isinstance(result, RequestFailedError):
        return blocked_message(result, batch=True)
    assert isinstance(result, LMOutput)
    return output_to_message(result, model="gemini-2.5-flash", batch=True)


class _Ids:
    """Renames IDs by order of first appearance, so random and derived IDs compare."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        return self.names.setdefault(value, f"<id {len(self.names)}>")


def _renamed(value: Any, ids: _Ids) -> Any:
    """Blocks with their (random or derived) `id`s renamed, nested ones included."""
    if isinstance(value, list):
        return [_renamed(v, ids) for v in value]
    if not isinstance(value, dict):
        return value
    renamed = {k: _renamed(v, ids) for k, v in value.items()}
    for key in ("id", "tool_call_id"):
        if renamed.get(key):
            renamed[key] = ids(str(renamed[key]))
    return renamed


def comparable(message: AIMessage) -> dict[str, Any]:
    ids = _Ids()
    # Our extra keys are left out before LangChain's v1 view is computed from the message.
    metadata = {k: v for k, v in message.response_metadata.items() if k not in OUR_KEYS}
    message = message.model_copy(update={"response_metadata": metadata})
    content = _renamed(copy.deepcopy(message.content), ids)
    calls = [{**call, "id": ids(call["id"] or "")} for call in message.tool_calls]
    extra = copy.deepcopy(message.additional_kwargs)
    signatures = extra.get("__gemini_function_call_thought_signatures__")
    if signatures:
        extra["__gemini_function_call_thought_signatures__"] = {
            ids(k): v for k, v in signatures.items()
        }
    return {
        "content": content,
        "content_blocks": _renamed(copy.deepcopy(message.content_blocks), ids),
        "tool_calls": calls,
        "invalid_tool_calls": message.invalid_tool_calls,
        "additional_kwargs": extra,
        "usage_metadata": message.usage_metadata,
        "response_metadata": metadata,
        "text": message.text,
    }


@pytest.mark.parametrize("raw", BODIES.values(), ids=list(BODIES))
def test_the_message_is_the_one_langchain_google_genai_makes(raw: dict[str, Any]) -> None:
    assert comparable(our_message(raw)) == comparable(lcgg_message(raw))


def test_a_blocked_prompt_is_an_empty_message_with_prompt_feedback() -> None:
    raw = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": SAFETY},
        "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8},
        "modelVersion": "gemini-2.5-flash",
    }
    ours = our_message(raw)
    assert comparable(ours) == comparable(lcgg_message(raw))
    assert ours.content == ""
    assert ours.response_metadata["prompt_feedback"]["block_reason"] == "SAFETY"
    assert (ours.response_metadata["batch_job"], ours.response_metadata["request_key"]) == (
        "batches/j1",
        "7",
    )


def test_our_keys_are_kept_and_documented() -> None:
    metadata = our_message(BODIES["logprobs"]).response_metadata
    assert metadata["avg_logprobs"] == -0.12
    assert metadata["logprobs_result"]["chosenCandidates"][0]["token"] == "Yes"
    assert metadata["usage_details"] == USAGE
    assert (metadata["response_id"], metadata["is_batch"]) == ("resp-1", True)
    # google-genai 3.6.1 drops `finishMessage` from Developer API responses, so
    # langchain-google-genai never reports it; ours keeps it (and LangChain's refusal block
    # then carries Google's message).
    malformed = our_message(BODIES["malformed function call"]).response_metadata
    assert malformed["finish_message"] == "Malformed function call: x"
    blocked = our_message(BODIES["blocked candidate"])
    assert blocked.content_blocks == [
        {"type": "refusal", "refusal": "Blocked for safety.", "extras": {"finish_reason": "SAFETY"}}
    ]
    cited = our_message(BODIES["citations"]).response_metadata
    assert cited["citation_metadata"]["citationSources"][0]["uri"] == "https://x.test"


def test_audio_becomes_a_wav_file() -> None:
    audio = our_message(BODIES["audio"]).additional_kwargs["audio"]
    with wave.open(io.BytesIO(audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 24000)
        assert wav.readframes(100) == b"\x00\x01" * 50


def test_ids_google_does_not_send_are_stable() -> None:
    first, second = (
        our_message(BODIES["function call without id"]),
        our_message(BODIES["function call without id"]),
    )
    assert first.tool_calls == second.tool_calls
    assert first.tool_calls[0]["args"] == {"city": "Paris", "days": 2}  # integer-like floats
