"""The request builder's contract: our body is what the PUBLIC SDK call sends.

The same conversation and settings go through `client.aio.models.generate_content` (the SDK's
public API, no private converter) and through this package (`GoogleLMInvoker.invoke` online and
`batch.create` inline); the emulator logs every body and all three must match, so an SDK
release that changes its wire format fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from google import genai
from google.genai import types

from langchain_gemini_batch import (
    Attachment,
    GoogleLMInvoker,
    Message,
    Thinking,
    ToolCall,
    ToolResult,
)
from langchain_gemini_batch.schema import LMInput
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL

pytestmark = pytest.mark.emulator

PNG = b"\x89PNG\r\n\x1a\n\xfb\xff\xfe"  # bytes whose base64 differs between alphabets

CONVERSATION: list[Message] = [
    Message.system("Be brief."),
    Message.user(
        [
            "Look:",
            Attachment.from_bytes(PNG, "image/png"),
            Attachment.from_url("https://x.test/a.pdf", "application/pdf"),
        ]
    ),
    Message.assistant(
        [
            Thinking(thinking="plan", signature=b"\xfbs1"),
            ToolCall(id="c1", name="lookup", args={"q": "x"}, signature=b"\xffs2"),
        ]
    ),
    Message.user([ToolResult(id="c1", output="found"), ToolResult(id="c1", output={"n": 1})]),
]
SDK_CONTENTS = [
    types.Content(
        role="user",
        parts=[
            types.Part(text="Look:"),
            types.Part(inline_data=types.Blob(mime_type="image/png", data=PNG)),
            types.Part(
                file_data=types.FileData(
                    mime_type="application/pdf", file_uri="https://x.test/a.pdf"
                )
            ),
        ],
    ),
    types.Content(
        role="model",
        parts=[
            types.Part(text="plan", thought=True, thought_signature=b"\xfbs1"),
            types.Part(
                function_call=types.FunctionCall(id="c1", name="lookup", args={"q": "x"}),
                thought_signature=b"\xffs2",
            ),
        ],
    ),
    types.Content(
        role="user",
        parts=[
            types.Part(
                function_response=types.FunctionResponse(
                    id="c1", name="lookup", response={"output": "found"}
                )
            ),
            types.Part(
                function_response=types.FunctionResponse(id="c1", name="lookup", response={"n": 1})
            ),
        ],
    ),
]

SETTINGS: dict[str, dict[str, Any]] = {
    "none": {},
    "sampling": {"temperature": 0.1, "top_p": 0.9, "top_k": 20, "max_output_tokens": 64, "seed": 3},
    "stop and candidates": {"stop_sequences": ["END"], "candidate_count": 2},
    "tools and tool_config": {
        "tools": [
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="lookup",
                        description="Look up.",
                        parameters_json_schema={
                            "type": "object",
                            "properties": {"q": {"type": "string"}},
                        },
                    )
                ]
            ),
            types.Tool(google_search=types.GoogleSearch()),
        ],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
    },
    "structured": {
        "response_mime_type": "application/json",
        "response_json_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    },
    "thinking": {"thinking_config": {"include_thoughts": True, "thinking_budget": 128}},
    "safety and labels": {
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
        "labels": {"team": "a"},
        "cached_content": "cachedContents/x",
    },
    "logprobs and media": {
        "response_logprobs": True,
        "logprobs": 2,
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "presence_penalty": 0.5,
    },
}


async def _sdk_body(server: EmulatorServer, settings: dict[str, Any]) -> dict[str, Any]:
    client = genai.Client(
        api_key="k",
        http_options=types.HttpOptions(base_url=server.base_url, api_version="v1beta"),
    )
    config = types.GenerateContentConfig(system_instruction="Be brief.", **settings)
    server.clear_requests()
    async with client.aio as aclient:
        await aclient.models.generate_content(model=MODEL, contents=SDK_CONTENTS, config=config)
    client.close()
    [request] = server.requests
    return dict(request.body)


async def _our_bodies(
    server: EmulatorServer, lm_input: LMInput, settings: dict[str, Any]
) -> list[Any]:
    invoker = GoogleLMInvoker(MODEL, "k", base_url=server.base_url, max_retries=0)
    server.clear_requests()
    await invoker.invoke(lm_input, settings)
    await invoker.batch.create({"only": lm_input}, settings)
    online = next(r.body for r in server.requests if r.action == "generateContent")
    create = next(r.body for r in server.requests if r.action == "batchGenerateContent")
    [item] = create["batch"]["inputConfig"]["requests"]["requests"]
    return [online, item["request"]]


def _without_empty_config(body: dict[str, Any]) -> dict[str, Any]:
    # The public API can only take the system instruction inside a config object, and any
    # config object puts `generationConfig: {}` on the wire; ours reads it from the messages.
    return {k: v for k, v in body.items() if not (k == "generationConfig" and v == {})}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=list(SETTINGS))
async def test_online_and_batch_bodies_are_what_the_public_sdk_sends(
    server: EmulatorServer, settings: dict[str, Any]
) -> None:
    expected = await _sdk_body(server, settings)
    online, batch = await _our_bodies(server, CONVERSATION, settings)
    if not settings:
        expected = _without_empty_config(expected)
    assert online == expected
    assert batch == expected


async def test_settings_without_generation_fields_send_an_empty_config(
    server: EmulatorServer,
) -> None:
    settings = {"labels": {"a": "b"}}
    expected = await _sdk_body(server, settings)
    assert expected["generationConfig"] == {}
    online, batch = await _our_bodies(server, CONVERSATION, settings)
    assert online == batch == expected


async def test_a_string_prompt_is_what_the_public_sdk_sends(server: EmulatorServer) -> None:
    client = genai.Client(
        api_key="k",
        http_options=types.HttpOptions(base_url=server.base_url, api_version="v1beta"),
    )
    async with client.aio as aclient:
        await aclient.models.generate_content(model=MODEL, contents="Hello there")
    client.close()
    [request] = server.requests
    online, batch = await _our_bodies(server, "Hello there", {})
    assert online == batch == request.body
