"""`LMOutput` to `AIMessage` (pure functions, no I/O)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage

from langchain_gemini_batch.langchain.messages import to_gemini_contents
from langchain_gemini_batch.langchain.output import (
    SIGNATURES_KEY,
    StreamChunks,
    output_to_message,
)
from langchain_gemini_batch.schema import (
    LMOutput,
    LMOutputItem,
    Thinking,
    TokenUsage,
    ToolCall,
)

# --- outputs back ---


def make_output(*items: LMOutputItem, batch_job: str | None = None) -> LMOutput:
    metadata: dict[str, Any] = {"model_version": "gemini-2.5-flash-001", "response_id": "r1"}
    if batch_job:
        metadata.update(batch_job=batch_job, request_id="3")
    return LMOutput(
        outputs=list(items),
        token_usage=TokenUsage(
            input_tokens=10, output_tokens=7, thinking_tokens=4, cached_tokens=2
        ),
        finish_details={"finish_reason": "STOP"},
        metadata=metadata,
    )


def test_output_to_message_text_usage_and_batch_metadata() -> None:
    output = make_output(LMOutputItem(type="text", output="Hi"), batch_job="batches/j1")
    message = output_to_message(output, model="gemini-2.5-flash", batch=True)
    assert message.content == "Hi"
    assert message.usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 7,
        "total_tokens": 17,
        "input_token_details": {"cache_read": 2},
        "output_token_details": {"reasoning": 4},
    }
    assert message.response_metadata == {
        "finish_reason": "STOP",
        "model_name": "gemini-2.5-flash-001",
        "model_provider": "google_genai",
        "safety_ratings": [],
        "response_id": "r1",
        "is_batch": True,
        "batch_job": "batches/j1",
        "request_key": "3",
    }


def test_output_to_message_model_name_falls_back_to_the_model() -> None:
    output = LMOutput(outputs=[LMOutputItem(type="text", output="x")])
    message = output_to_message(output, model="gemini-2.5-pro")
    assert message.response_metadata["model_name"] == "gemini-2.5-pro"
    assert message.response_metadata["is_batch"] is False
    assert "batch_job" not in message.response_metadata
    assert message.usage_metadata is None


def test_output_to_message_thoughts_tool_calls_and_signatures() -> None:
    output = make_output(
        LMOutputItem(type="thinking", output=Thinking(thinking="hmm", signature=b"s1")),
        LMOutputItem(type="text", output="Let me check."),
        LMOutputItem(
            type="tool_call",
            output=ToolCall(id="c9", name="weather", args={"city": "Oslo"}, signature=b"s2"),
        ),
    )
    message = output_to_message(output, model="m")
    assert message.content == [
        {"type": "thinking", "thinking": "hmm", "signature": base64.b64encode(b"s1").decode()},
        {"type": "text", "text": "Let me check."},
    ]
    assert message.text == "Let me check."
    assert message.tool_calls == [
        {"name": "weather", "args": {"city": "Oslo"}, "id": "c9", "type": "tool_call"}
    ]
    assert message.additional_kwargs == {
        "function_call": {"name": "weather", "arguments": '{"city": "Oslo"}'},
        SIGNATURES_KEY: {"c9": base64.b64encode(b"s2").decode()},
    }
    # LangChain's google_genai translator reads these blocks
    assert [b["type"] for b in message.content_blocks] == ["reasoning", "text", "tool_call"]
    # and the next turn sends the signatures back
    back = to_gemini_contents([HumanMessage("q"), message], model="gemini-2.5-flash")
    call = back.contents[1]["parts"][-1]
    assert call["functionCall"] == {"args": {"city": "Oslo"}, "name": "weather"}
    assert base64.urlsafe_b64decode(call["thoughtSignature"]) == b"s2"


def test_stream_chunks_add_up_with_usage_deltas_and_a_last_chunk() -> None:
    chunks = StreamChunks("gemini-2.5-flash")
    first = LMOutput(
        outputs=[LMOutputItem(type="text", output="Hel")],
        token_usage=TokenUsage(input_tokens=5, output_tokens=1),
    )
    second = LMOutput(
        outputs=[
            LMOutputItem(type="text", output="lo"),
            LMOutputItem(type="tool_call", output=ToolCall(id="a", name="f", args={"x": 1})),
        ],
        token_usage=TokenUsage(input_tokens=5, output_tokens=4),
        finish_details={"finish_reason": "STOP"},
        metadata={"model_version": "gemini-2.5-flash"},
    )
    parts = [chunks.chunk(first), chunks.chunk(second), chunks.last()]
    assert parts[-1].chunk_position == "last"
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    assert isinstance(total, AIMessageChunk)
    assert total.content == "Hello"
    assert total.usage_metadata is not None
    assert (total.usage_metadata["input_tokens"], total.usage_metadata["output_tokens"]) == (5, 4)
    assert total.tool_calls == [{"name": "f", "args": {"x": 1}, "id": "a", "type": "tool_call"}]
    assert total.response_metadata["finish_reason"] == "STOP"
    assert total.response_metadata["model_name"] == "gemini-2.5-flash"
    assert total.response_metadata["model_provider"] == "google_genai"


def test_plain_text_messages_are_the_messages_validation_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plain text answers skip `AIMessage` validation; the result must be the same message."""
    from langchain_core.load import dumpd

    from langchain_gemini_batch.batch._costing import AnswerPricer
    from langchain_gemini_batch.langchain import output as output_module

    text = LMOutputItem(type="text", output="Hello!\n")
    outputs = [
        make_output(text),
        make_output(text, batch_job="batches/b"),
        make_output(LMOutputItem(type="text", output="")),
        LMOutput(outputs=[text], metadata={"usage_metadata": {"totalTokenCount": 3}}),
        make_output(text, LMOutputItem(type="text", output=" more")),
    ]
    priced = make_output(text, batch_job="batches/b")
    priced.metadata["cost"] = AnswerPricer("gemini-2.5-flash").metadata(priced.token_usage)
    outputs.append(priced)
    for output in outputs:
        for batch in (False, True):
            fast = output_to_message(output, model="gemini-2.5-flash", batch=batch)
            with monkeypatch.context() as patch:
                patch.setattr(output_module, "_plain_fields_set", lambda: None)
                validated = output_to_message(output, model="gemini-2.5-flash", batch=batch)
            assert fast == validated
            assert fast.model_fields_set == validated.model_fields_set
            assert fast.model_dump() == validated.model_dump()
            assert dumpd(fast) == dumpd(validated)
            assert fast.content_blocks == validated.content_blocks
