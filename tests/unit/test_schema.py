import base64

import pytest
from pydantic import ValidationError

from langchain_gemini_batch import (
    Attachment,
    LMOutput,
    LMOutputItem,
    Message,
    MessageRole,
    Thinking,
    TokenUsage,
    ToolCall,
)


def test_message_constructors() -> None:
    assert Message.system("be brief").role is MessageRole.SYSTEM
    user = Message.user(["look", Attachment.from_bytes(b"x", "image/png")])
    assert user.role is MessageRole.USER
    assert len(user.contents) == 2
    assert Message.assistant("ok").contents == ["ok"]


def test_attachment_sources() -> None:
    data = Attachment.from_base64(base64.b64encode(b"abc").decode(), "text/plain")
    assert data.data == b"abc"
    url = Attachment.from_url("https://example.com/a.pdf")
    assert url.mime_type == "application/pdf"
    assert Attachment.from_data_url("data:image/png;base64,YWJj").data == b"abc"
    with pytest.raises(ValueError, match="base64"):
        Attachment.from_base64("not base64!!", "text/plain")
    with pytest.raises(ValueError, match="MIME"):
        Attachment.from_url("https://example.com/noext")
    with pytest.raises(ValidationError, match="exactly one"):
        Attachment(mime_type="image/png")
    assert "3 bytes" in repr(data)


def test_attachment_from_path(tmp_path) -> None:
    path = tmp_path / "pic.png"
    path.write_bytes(b"\x89PNG")
    attachment = Attachment.from_path(path)
    assert attachment.mime_type == "image/png"
    assert attachment.filename == "pic.png"


def test_lmoutput_properties() -> None:
    call = ToolCall(id="c1", name="f", args={"x": 1})
    output = LMOutput(
        outputs=[
            LMOutputItem(type="thinking", output=Thinking(thinking="hmm")),
            LMOutputItem(type="text", output="Hello "),
            LMOutputItem(type="text", output="world"),
            LMOutputItem(type="tool_call", output=call),
            LMOutputItem(type="structured", output={"a": 1}),
        ]
    )
    assert output.text == "Hello world"
    assert output.texts == ["Hello ", "world"]
    assert output.tool_calls == [call]
    assert output.thinkings[0].thinking == "hmm"
    assert output.structured_output == {"a": 1}
    assert output.attachments == []
    assert LMOutput().structured_output is None
    assert "Hello world" in repr(output)


def test_token_usage_adds_up() -> None:
    a = TokenUsage(input_tokens=3, output_tokens=5, thinking_tokens=2, cached_tokens=1)
    b = TokenUsage(input_tokens=1, output_tokens=1)
    total = a + b
    assert (total.input_tokens, total.output_tokens, total.thinking_tokens) == (4, 6, 2)
    assert total.total_tokens == 10
