"""LangChain <-> package schema conversions (pure functions, no I/O)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.messages import messages_to_lm_input
from langchain_gemini_batch.langchain.output import (
    SIGNATURES_KEY,
    StreamChunks,
    output_to_message,
)
from langchain_gemini_batch.schema import (
    Attachment,
    LMOutput,
    LMOutputItem,
    Message,
    MessageRole,
    Thinking,
    TokenUsage,
    ToolCall,
    ToolResult,
)

PNG = b"\x89PNG\r\n\x1a\nfake"
PNG_B64 = base64.b64encode(PNG).decode()


def one_attachment(block: dict[str, Any]) -> Attachment:
    [message] = messages_to_lm_input([HumanMessage(content=[block])])
    [attachment] = message.contents
    assert isinstance(attachment, Attachment)
    return attachment


# --- messages in ---


def test_roles_and_string_content() -> None:
    messages = messages_to_lm_input(
        [SystemMessage("Be brief."), HumanMessage("Hi"), AIMessage("Hello!"), HumanMessage("Bye")]
    )
    assert messages == [
        Message.system("Be brief."),
        Message.user("Hi"),
        Message.assistant("Hello!"),
        Message.user("Bye"),
    ]


def test_text_blocks_and_chat_message_roles() -> None:
    messages = messages_to_lm_input(
        [
            ChatMessage(role="system", content="sys"),
            HumanMessage(content=[{"type": "text", "text": "a"}, "b"]),
            ChatMessage(role="assistant", content="c"),
        ]
    )
    assert [m.role for m in messages] == [
        MessageRole.SYSTEM,
        MessageRole.USER,
        MessageRole.ASSISTANT,
    ]
    assert messages[1].contents == ["a", "b"]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},  # v1 standard
        {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
        {"type": "image_url", "image_url": f"data:image/png;base64,{PNG_B64}"},
        {"type": "media", "data": PNG, "mime_type": "image/png"},  # langchain-google-genai
    ],
    ids=["v1-base64", "v0-base64", "openai-image_url", "image_url-str", "genai-media"],
)
def test_inline_images_in_every_shape(block: dict[str, Any]) -> None:
    attachment = one_attachment(block)
    assert attachment.data == PNG
    assert attachment.mime_type == "image/png"


@pytest.mark.parametrize(
    ("block", "url", "mime"),
    [
        (
            {"type": "image", "url": "https://x.test/cat.jpg"},
            "https://x.test/cat.jpg",
            "image/jpeg",
        ),
        (
            {"type": "image", "source_type": "url", "url": "https://x.test/a.png"},
            "https://x.test/a.png",
            "image/png",
        ),
        (
            {"type": "file", "file_id": "files/abc", "mime_type": "application/pdf"},
            "https://generativelanguage.googleapis.com/v1beta/files/abc",
            "application/pdf",
        ),
        (
            {"type": "file", "url": "gs://bucket/doc.pdf", "mime_type": "application/pdf"},
            "gs://bucket/doc.pdf",
            "application/pdf",
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x.test/dog.webp"}},
            "https://x.test/dog.webp",
            "image/webp",
        ),
    ],
)
def test_url_blocks_are_sent_as_file_data(block: dict[str, Any], url: str, mime: str) -> None:
    attachment = one_attachment(block)
    assert (attachment.url, attachment.mime_type, attachment.data) == (url, mime, None)


def test_files_pdf_in_v1_and_openai_shapes() -> None:
    pdf = base64.b64encode(b"%PDF-1.4").decode()
    v1 = one_attachment({"type": "file", "base64": pdf, "mime_type": "application/pdf"})
    openai = one_attachment(
        {
            "type": "file",
            "file": {"filename": "a.pdf", "file_data": f"data:application/pdf;base64,{pdf}"},
        }
    )
    assert v1.data == openai.data == b"%PDF-1.4"
    assert openai.filename == "a.pdf"
    assert openai.mime_type == "application/pdf"


def test_text_plain_block_becomes_a_text_file() -> None:
    attachment = one_attachment({"type": "text-plain", "text": "hello", "mime_type": "text/plain"})
    assert (attachment.data, attachment.mime_type) == (b"hello", "text/plain")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"type": "hologram", "data": "x"}, "unsupported content block type 'hologram'"),
        ({"type": "image", "base64": "!!!", "mime_type": "image/png"}, "not valid base64"),
        ({"type": "image", "base64": PNG_B64}, "needs mime_type"),
        ({"type": "image", "url": "https://x.test/no-extension"}, "cannot guess the MIME type"),
        ({"type": "image"}, "needs base64 data, a url or a file_id"),
        ({"type": "thinking", "thinking": "hm"}, "unsupported content block type 'thinking'"),
    ],
)
def test_unsupported_blocks_raise_naming_request_message_and_block(
    block: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message) as caught:
        messages_to_lm_input(
            [SystemMessage("s"), HumanMessage(content=["look", block])], request_id="7"
        )
    assert caught.value.request_id == "7"
    assert "request '7': message 1 (human), content block 1" in str(caught.value)


def test_unsupported_message_types_raise() -> None:
    with pytest.raises(InvalidRequestError, match="unsupported message type RemoveMessage"):
        messages_to_lm_input([RemoveMessage(id="x")])
    with pytest.raises(InvalidRequestError, match="role 'critic'"):
        messages_to_lm_input([ChatMessage(role="critic", content="no")])
    with pytest.raises(InvalidRequestError, match="system message may hold text only"):
        messages_to_lm_input(
            [SystemMessage(content=[{"type": "image", "url": "https://x.test/a.png"}])]
        )


def test_tool_round_trip_with_signatures_and_merged_tool_results() -> None:
    signature = base64.b64encode(b"sig").decode()
    ai = AIMessage(
        content=[
            {"type": "thinking", "thinking": "plan", "signature": signature},
            {"type": "text", "text": "calling"},
            {"type": "tool_use", "id": "c1", "name": "add", "input": {"a": 1}},  # Anthropic
        ],
        tool_calls=[
            {"name": "add", "args": {"a": 1}, "id": "c1"},
            {"name": "mul", "args": {"b": 2}, "id": "c2"},
        ],
        additional_kwargs={SIGNATURES_KEY: {"c1": signature}},
    )
    messages = messages_to_lm_input(
        [
            HumanMessage("go"),
            ai,
            ToolMessage('{"sum": 1}', tool_call_id="c1", name="add"),
            ToolMessage("2", tool_call_id="c2"),
            HumanMessage("thanks"),
        ]
    )
    assert messages[1].contents == [
        Thinking(thinking="plan", signature=b"sig"),
        "calling",
        ToolCall(id="c1", name="add", args={"a": 1}, signature=b"sig"),
        ToolCall(id="c2", name="mul", args={"b": 2}),
    ]
    # both results in ONE user turn, as Gemini wants; JSON objects are decoded
    assert messages[2] == Message.user(
        [ToolResult(id="c1", output={"sum": 1}, name="add"), ToolResult(id="c2", output="2")]
    )
    assert messages[3] == Message.user("thanks")


def test_tool_message_error_status_and_list_content() -> None:
    [_, _, result] = messages_to_lm_input(
        [
            HumanMessage("x"),
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "1"}]),
            ToolMessage(
                content=[{"type": "text", "text": "boom"}], tool_call_id="1", status="error"
            ),
        ]
    )
    assert result.contents == [ToolResult(id="1", output={"error": "boom"})]


def test_empty_ai_messages_are_left_out() -> None:
    assert messages_to_lm_input([HumanMessage("a"), AIMessage(""), HumanMessage("b")]) == [
        Message.user("a"),
        Message.user("b"),
    ]


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
    assert message.additional_kwargs == {SIGNATURES_KEY: {"c9": base64.b64encode(b"s2").decode()}}
    # LangChain's google_genai translator reads these blocks
    assert [b["type"] for b in message.content_blocks] == ["reasoning", "text", "tool_call"]
    # and the next turn sends the signatures back
    [_, back] = messages_to_lm_input([HumanMessage("q"), message])
    assert (
        ToolCall(id="c9", name="weather", args={"city": "Oslo"}, signature=b"s2") in back.contents
    )


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
