"""LangChain conversations to Gemini contents: the parts langchain-google-genai does not cover.

Parity with langchain-google-genai itself is tested on the wire
(`tests/integration/test_parity_messages.py`); these are the deliberate differences and the
errors, which name the request, the message and the block.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.langchain.messages import SKIP_SIGNATURE, to_gemini_contents
from langchain_gemini_batch.schema import GeminiContents

MODEL = "gemini-2.5-flash"
PNG = base64.b64encode(b"\x89PNG\xfb\xff").decode()


def contents(messages: list[Any], **kwargs: Any) -> GeminiContents:
    return to_gemini_contents(messages, model=kwargs.pop("model", MODEL), **kwargs)


def test_system_instruction_and_contents() -> None:
    result = contents([SystemMessage("Be brief."), HumanMessage("Hi"), AIMessage("Yo")])
    assert result.system_instruction == {"parts": [{"text": "Be brief."}]}
    assert result.contents == [
        {"role": "user", "parts": [{"text": "Hi"}]},
        {"role": "model", "parts": [{"text": "Yo"}]},
    ]


def test_bytes_are_url_safe_base64_as_the_sdk_sends_them() -> None:
    block = {"type": "image", "base64": PNG, "mime_type": "image/png"}
    [content] = contents([HumanMessage(content=[block])]).contents
    assert content["parts"][0]["inlineData"] == {
        "data": base64.urlsafe_b64encode(b"\x89PNG\xfb\xff").decode(),
        "mime_type": "image/png",
    }


def test_chat_messages_with_known_roles_are_accepted() -> None:
    result = contents(
        [ChatMessage(role="system", content="s"), ChatMessage(role="user", content="u")]
    )
    assert result.system_instruction == {"parts": [{"text": "s"}]}
    assert result.contents == [{"role": "user", "parts": [{"text": "u"}]}]


def test_urls_are_sent_by_reference_not_downloaded() -> None:
    block = {"type": "image", "url": "https://example.test/cat.jpg"}
    [content] = contents([HumanMessage(content=[block])]).contents
    assert content["parts"] == [
        {"fileData": {"file_uri": "https://example.test/cat.jpg", "mime_type": "image/jpeg"}}
    ]


def test_gemini_3_bypass_signature_only_in_the_current_turn() -> None:
    call = {"name": "f", "args": {}, "id": "1"}
    history = [
        HumanMessage("a"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("x", tool_call_id="1"),
        HumanMessage("b"),
        AIMessage("", tool_calls=[{**call, "id": "2"}]),
        ToolMessage("y", tool_call_id="2"),
    ]
    result = contents(history, model="gemini-3-pro-preview").contents
    assert "thoughtSignature" not in result[1]["parts"][0]
    assert result[4]["parts"][0]["thoughtSignature"] == SKIP_SIGNATURE
    assert "thoughtSignature" not in contents(history).contents[4]["parts"][0]  # 2.5: none


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        (
            [HumanMessage(content=[{"type": "hologram"}])],
            r"message 0 \(human\): Unrecognized message part type: hologram",
        ),
        ([HumanMessage(content=[{"type": "image", "base64": PNG}])], "needs a mime_type"),
        (
            [HumanMessage(content=[{"type": "media", "data": "@@@", "mime_type": "image/png"}])],
            "Data should be valid base64",
        ),
        ([HumanMessage(content=[{"type": "media", "data": PNG}])], "Missing mime_type"),
        (
            [HumanMessage(content=[{"type": "image_url", "image_url": {"url": "/etc/passwd"}}])],
            "Media string must be",
        ),
        ([RemoveMessage(id="x")], "unsupported message type RemoveMessage"),
        ([ChatMessage(role="critic", content="no")], "unsupported ChatMessage role 'critic'"),
        ([SystemMessage("only a system message")], "has no user or assistant message"),
        ([HumanMessage("")], "has no user or assistant message"),
        (
            [
                HumanMessage("q"),
                AIMessage("", tool_calls=[{"name": "", "args": {}, "id": "1"}]),
                ToolMessage("x", tool_call_id="1"),
            ],
            "function has no name",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:HumanMessage with empty content")
def test_bad_input_is_an_invalid_request_naming_request_and_message(
    messages: list[Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message) as caught:
        to_gemini_contents(messages, model=MODEL, request_id="7")
    assert caught.value.request_id == "7"
    assert str(caught.value).startswith("request '7': ")


def test_fixed_sampling_models_refuse_a_prefilled_model_turn() -> None:
    with pytest.raises(InvalidRequestError, match="does not support model prefilling"):
        contents([HumanMessage("q"), AIMessage("partial")], model="gemini-3.6-flash")


def test_the_builder_sends_gemini_contents_unchanged() -> None:
    native = contents([SystemMessage("S"), HumanMessage("Hi")])
    request = RequestBuilder({"generationConfig": {"temperature": 0.1}}).build("r", native)
    assert request == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "S"}]},
        "generationConfig": {"temperature": 0.1},
    }
    configured = RequestBuilder({"systemInstruction": {"parts": [{"text": "A"}], "role": "user"}})
    merged = configured.build("r", native)
    assert merged["systemInstruction"] == {"parts": [{"text": "A"}, {"text": "S"}], "role": "user"}
    with pytest.raises(InvalidRequestError, match="no user or assistant message"):
        RequestBuilder({}).build("r", GeminiContents(contents=[]))
    with pytest.raises(InvalidRequestError, match=r"contents\[0\] is not a Gemini Content"):
        RequestBuilder({}).build("r", GeminiContents(contents=[{"role": "user"}]))
