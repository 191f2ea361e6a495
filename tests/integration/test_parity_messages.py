"""Input parity: every conversation becomes the same `contents` and `systemInstruction`.

Each conversation goes through `ChatGoogleGenerativeAI.invoke` (langchain-google-genai 4.4.3)
and through `ChatGeminiBatch.batch`; the bodies the emulator logged are compared: multimodal
human messages in each block form LangChain knows, tool calls and tool results holding text,
JSON, images or PDFs, thought signatures carried in history, replies of other providers.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.parity_support import batch_wire, lcgg_wire, online_wire

pytestmark = pytest.mark.emulator

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n\xfb\xff-image-bytes").decode()
PDF = base64.b64encode(b"%PDF-1.4 \xfe\xff fake").decode()
WAV = base64.b64encode(b"RIFF\x00\x00WAVEfmt ").decode()
SIG = base64.b64encode(b"\xfa\xfbsignature-bytes").decode()
SIG2 = base64.b64encode(b"other-signature").decode()
FILE_URI = "https://generativelanguage.googleapis.com/v1beta/files/abc123"


def calls(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "args": {"q": n, "n": 1}, "id": f"call-{n}"} for n in names]


def human(*blocks: Any) -> HumanMessage:
    return HumanMessage(content=list(blocks))


Q = HumanMessage("What now?")

CONVERSATIONS: dict[str, list[BaseMessage]] = {
    "text": [HumanMessage("Hi")],
    "system first": [SystemMessage("Be brief."), HumanMessage("Hi")],
    "system blocks": [SystemMessage(content=["A.", {"type": "text", "text": "B."}]), Q],
    "later system appended": [SystemMessage("A"), Q, SystemMessage("B"), Q],
    "system not first is dropped": [Q, SystemMessage("late")],
    "multi turn": [Q, AIMessage("Fine."), HumanMessage("And then?")],
    "empty human left out": [HumanMessage(""), Q],
    "empty ai turn": [Q, AIMessage(""), Q],
    "text blocks": [human({"type": "text", "text": "a"}, "b", {"type": "text", "text": ""})],
    "v1 image base64": [human("see", {"type": "image", "base64": PNG, "mime_type": "image/png"})],
    "v1 file pdf": [human({"type": "file", "base64": PDF, "mime_type": "application/pdf"})],
    "v1 audio": [human({"type": "audio", "base64": WAV, "mime_type": "audio/wav"})],
    "v1 file_id": [human({"type": "file", "file_id": FILE_URI, "mime_type": "application/pdf"})],
    "v1 file_id no mime": [human({"type": "file", "file_id": FILE_URI})],
    "v1 image files url": [human({"type": "image", "url": FILE_URI, "mime_type": "image/png"})],
    "v1 gs url": [human({"type": "image", "url": "gs://b/cat.png", "mime_type": "image/png"})],
    "v1 youtube": [human({"type": "video", "url": "https://www.youtube.com/watch?v=x1"})],
    "v0 base64": [
        human({"type": "image", "source_type": "base64", "data": PNG, "mime_type": "image/png"})
    ],
    "openai image_url data": [
        human({"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}})
    ],
    "openai image_url str": [
        human({"type": "image_url", "image_url": f"data:image/png;base64,{PNG}"})
    ],
    "image_url gs": [human({"type": "image_url", "image_url": {"url": "gs://b/dog.jpg"}})],
    "openai file data": [
        human(
            {
                "type": "file",
                "file": {"filename": "a.pdf", "file_data": f"data:application/pdf;base64,{PDF}"},
            }
        )
    ],
    "openai input_audio": [
        human({"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}})
    ],
    "genai media data": [human({"type": "media", "data": PNG, "mime_type": "image/png"})],
    "genai media bytes": [
        human({"type": "media", "data": base64.b64decode(PNG), "mime_type": "image/png"})
    ],
    "genai media video": [
        human(
            {
                "type": "media",
                "file_uri": FILE_URI,
                "mime_type": "video/mp4",
                "video_metadata": {"start_offset": "1s", "end_offset": "5s", "fps": 2},
            }
        )
    ],
    "media resolution gemini 2.5 ignored": [
        human(
            {"type": "image", "base64": PNG, "mime_type": "image/png", "media_resolution": "high"}
        )
    ],
    "cachePoint ignored": [human("x", {"cachePoint": {"type": "default"}})],
    "tool call and text result": [
        Q,
        AIMessage("", tool_calls=calls("lookup")),
        ToolMessage("sunny", tool_call_id="call-lookup"),
    ],
    "json object result": [
        Q,
        AIMessage("Checking.", tool_calls=calls("lookup")),
        ToolMessage('{"temp": 21, "sky": "clear"}', tool_call_id="call-lookup", name="lookup"),
    ],
    "json list and number results": [
        Q,
        AIMessage("", tool_calls=calls("a", "b")),
        ToolMessage("[1, 2]", tool_call_id="call-a"),
        ToolMessage("42", tool_call_id="call-b"),
    ],
    "results out of order and unanswered call": [
        Q,
        AIMessage("", tool_calls=calls("a", "b", "c")),
        ToolMessage("B", tool_call_id="call-b"),
        ToolMessage("A", tool_call_id="call-a"),
        ToolMessage("stray", tool_call_id="call-zzz"),
    ],
    "list content result": [
        Q,
        AIMessage("", tool_calls=calls("a")),
        ToolMessage([{"type": "text", "text": "part 1"}, "part 2"], tool_call_id="call-a"),
    ],
    "image beside the result": [
        Q,
        AIMessage("", tool_calls=calls("shot")),
        ToolMessage(
            [
                {"type": "text", "text": "here"},
                {"type": "image", "base64": PNG, "mime_type": "image/png"},
            ],
            tool_call_id="call-shot",
        ),
    ],
    "pdf beside the result": [
        Q,
        AIMessage("", tool_calls=calls("doc")),
        ToolMessage(
            [{"type": "file", "base64": PDF, "mime_type": "application/pdf"}],
            tool_call_id="call-doc",
        ),
    ],
    "openai image beside the result": [
        Q,
        AIMessage("", tool_calls=calls("shot")),
        ToolMessage(
            [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}],
            tool_call_id="call-shot",
        ),
    ],
    "error status result": [
        Q,
        AIMessage("", tool_calls=calls("a")),
        ToolMessage("boom", tool_call_id="call-a", status="error"),
    ],
    "function message": [
        Q,
        AIMessage("", additional_kwargs={"function_call": {"name": "f", "arguments": '{"x": 1}'}}),
        FunctionMessage(content="done", name="f"),
    ],
    "signatures in additional_kwargs": [
        Q,
        AIMessage(
            [
                {"type": "thinking", "thinking": "plan", "signature": SIG},
                {"type": "text", "text": "calling"},
            ],
            tool_calls=calls("a", "b"),
            additional_kwargs={"__gemini_function_call_thought_signatures__": {"call-a": SIG2}},
            response_metadata={"model_provider": "google_genai"},
        ),
        ToolMessage("1", tool_call_id="call-a"),
        ToolMessage("2", tool_call_id="call-b"),
    ],
    "text signature in extras": [
        Q,
        AIMessage(
            [{"type": "text", "text": "hello", "extras": {"signature": SIG}}],
            response_metadata={"model_provider": "google_genai"},
        ),
        Q,
    ],
    "signature-only text block": [
        Q,
        AIMessage(
            [
                {"type": "text", "text": "", "extras": {"signature": SIG}},
                {"type": "text", "text": "x"},
            ],
            response_metadata={"model_provider": "google_genai"},
        ),
        Q,
    ],
    "function_call_signature blocks": [
        Q,
        AIMessage(
            [{"type": "function_call_signature", "signature": SIG, "index": 1}],
            tool_calls=calls("a", "b"),
            response_metadata={"model_provider": "google_genai"},
        ),
        ToolMessage("1", tool_call_id="call-a"),
    ],
    "v1 output replayed": [
        Q,
        AIMessage(
            [
                {"type": "reasoning", "reasoning": "think", "extras": {"signature": SIG}},
                {"type": "text", "text": "answer", "extras": {"signature": SIG2}},
                {"type": "image", "base64": PNG, "mime_type": "image/png"},
                {"type": "tool_call", "name": "a", "args": {"q": "a", "n": 1}, "id": "call-a"},
            ],
            tool_calls=calls("a"),
            response_metadata={"model_provider": "google_genai", "output_version": "v1"},
        ),
        ToolMessage("ok", tool_call_id="call-a"),
    ],
    "v1 unsigned reasoning dropped": [
        Q,
        AIMessage(
            [{"type": "reasoning", "reasoning": "t"}, {"type": "text", "text": "a"}],
            response_metadata={"model_provider": "google_genai", "output_version": "v1"},
        ),
        Q,
    ],
    "code execution in history": [
        Q,
        AIMessage(
            [
                {"type": "executable_code", "executable_code": "print(1)", "language": "PYTHON"},
                {"type": "code_execution_result", "code_execution_result": "1", "outcome": 1},
                {"type": "text", "text": "It printed 1."},
            ],
            response_metadata={"model_provider": "google_genai"},
        ),
        Q,
    ],
    "server tool blocks in history": [
        Q,
        AIMessage(
            [
                {
                    "type": "server_tool_call",
                    "name": "code_interpreter",
                    "id": "x1",
                    "args": {"code": "1+1", "language": "python"},
                },
                {
                    "type": "server_tool_result",
                    "tool_call_id": "x1",
                    "status": "success",
                    "output": "2",
                    "extras": {"block_type": "code_execution_result", "outcome": "OUTCOME_OK"},
                },
            ],
            response_metadata={"model_provider": "google_genai"},
        ),
        Q,
    ],
    "anthropic reply replayed": [
        Q,
        AIMessage(
            [
                {"type": "thinking", "thinking": "claude thoughts", "signature": "anthropic-sig"},
                {"type": "text", "text": "Sure."},
                {"type": "tool_use", "id": "toolu_1", "name": "a", "input": {"q": "a"}},
            ],
            tool_calls=[{"name": "a", "args": {"q": "a"}, "id": "toolu_1"}],
            response_metadata={"model_provider": "anthropic"},
        ),
        ToolMessage("done", tool_call_id="toolu_1"),
    ],
    "openai reply replayed": [
        Q,
        AIMessage(
            "Hello from GPT",
            response_metadata={"model_provider": "openai"},
        ),
        Q,
    ],
    "reply without provider": [
        Q,
        AIMessage([{"type": "thinking", "thinking": "t", "signature": SIG}, "hi"]),
        Q,
    ],
    "gs reference in ai history dropped": [
        Q,
        AIMessage(
            [{"type": "media", "file_uri": "gs://b/x.png", "mime_type": "image/png"}, "see"],
            response_metadata={"model_provider": "google_genai"},
        ),
        Q,
    ],
    "named messages": [HumanMessage("hi", name="ada"), AIMessage("yo", name="bot"), Q],
}

GEMINI_3 = {
    "gemini 3 unsigned call gets the bypass signature": [
        Q,
        AIMessage("", tool_calls=calls("a", "b")),
        ToolMessage("1", tool_call_id="call-a"),
        ToolMessage("2", tool_call_id="call-b"),
    ],
    "gemini 3 signed call kept": [
        Q,
        AIMessage(
            "",
            tool_calls=calls("a"),
            additional_kwargs={"__gemini_function_call_thought_signatures__": {"call-a": SIG}},
        ),
        ToolMessage("1", tool_call_id="call-a"),
    ],
    "gemini 3 earlier turns untouched": [
        Q,
        AIMessage("", tool_calls=calls("a")),
        ToolMessage("1", tool_call_id="call-a"),
        AIMessage("done"),
        HumanMessage("next"),
        AIMessage("", tool_calls=calls("b")),
        ToolMessage("2", tool_call_id="call-b"),
    ],
    "gemini 3 per-part media resolution": [
        human(
            {
                "type": "image",
                "base64": PNG,
                "mime_type": "image/png",
                "media_resolution": "MEDIA_RESOLUTION_HIGH",
            }
        )
    ],
    "gemini 3 list content reply replayed": [
        Q,
        AIMessage(
            [{"type": "text", "text": "a"}], response_metadata={"model_provider": "google_genai"}
        ),
        Q,
    ],
}


@pytest.mark.parametrize("messages", CONVERSATIONS.values(), ids=list(CONVERSATIONS))
def test_conversations_become_the_same_contents(
    server: EmulatorServer, messages: list[BaseMessage]
) -> None:
    expected = lcgg_wire(server, {}, messages)
    assert "contents" in expected
    assert batch_wire(server, {}, messages) == expected
    assert online_wire(server, {}, messages) == expected


@pytest.mark.parametrize("messages", GEMINI_3.values(), ids=list(GEMINI_3))
def test_gemini_3_rules_are_the_same(server: EmulatorServer, messages: list[BaseMessage]) -> None:
    settings = {"model": "gemini-3-flash-preview"}
    expected = lcgg_wire(server, settings, messages)
    assert batch_wire(server, settings, messages) == expected


def test_an_int_outcome_in_extras_is_sent(server: EmulatorServer) -> None:
    # langchain-google-genai 4.4.3 raises AttributeError on `extras.outcome` given as the int
    # its own v0 blocks use; ChatGeminiBatch maps it as it does the block's own `outcome`.
    result = {
        "type": "server_tool_result",
        "tool_call_id": "x1",
        "output": "2",
        "extras": {"block_type": "code_execution_result", "outcome": 1},
    }
    messages = [Q, AIMessage([result], response_metadata={"model_provider": "google_genai"}), Q]
    parts = batch_wire(server, {}, messages)["contents"][1]["parts"]
    assert parts == [{"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2"}}]


def test_our_batch_reply_replays_as_langchain_google_genais_would(server: EmulatorServer) -> None:
    # A reply of ChatGeminiBatch, sent back in the next turn, is the same request as the
    # reply langchain-google-genai made of the same response.
    from tests.integration.parity_support import lcgg_model, our_model

    settings = {"thinking_budget": 64, "include_thoughts": True}
    first = [HumanMessage("Think about tides.")]
    lcgg_reply = lcgg_model(server, **settings).invoke(first)
    [our_reply] = our_model(server, **settings).batch([first])
    history_lcgg = [*first, lcgg_reply, HumanMessage("More.")]
    history_ours = [*first, our_reply, HumanMessage("More.")]
    assert batch_wire(server, settings, history_ours) == lcgg_wire(server, settings, history_lcgg)
