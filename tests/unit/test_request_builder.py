"""The one request builder: fidelity to the SDK's own converter, validation, settings."""

from typing import Any

import pytest
from google import genai
from google.genai import _common, types
from google.genai import models as sdk_models

from langchain_gemini_batch import (
    Attachment,
    InvalidRequestError,
    Message,
    Thinking,
    ToolCall,
    ToolResult,
    UnknownParameterError,
)
from langchain_gemini_batch.convert.google_request import RequestBuilder, to_wire_contents
from langchain_gemini_batch.convert.hyperparameters import build_config_part, merge_hyperparameters


def sdk_wire(contents: list[types.Content], config: types.GenerateContentConfig | None) -> Any:
    client = genai.Client(api_key="k")
    params = types._GenerateContentParameters(model="m", contents=contents, config=config)
    wire = sdk_models._GenerateContentParameters_to_mldev(client._api_client, params)
    wire.pop("_url")
    return _common.encode_unserializable_types(_common.convert_to_dict(wire))


def test_contents_match_the_sdk_converter() -> None:
    ours = [
        Message.system("Be brief."),
        Message.user(
            [
                "Look:",
                Attachment.from_bytes(b"\x89PNG", "image/png"),
                Attachment.from_url("https://x.test/a.pdf", "application/pdf"),
            ]
        ),
        Message.assistant(
            [
                Thinking(thinking="plan", signature=b"s1"),
                ToolCall(id="c1", name="lookup", args={"q": "x"}, signature=b"s2"),
            ]
        ),
        Message.user([ToolResult(id="c1", output="found"), ToolResult(id="c1", output={"n": 1})]),
    ]
    sdk_contents = [
        types.Content(
            role="user",
            parts=[
                types.Part(text="Look:"),
                types.Part(inline_data=types.Blob(mime_type="image/png", data=b"\x89PNG")),
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
                types.Part(text="plan", thought=True, thought_signature=b"s1"),
                types.Part(
                    function_call=types.FunctionCall(id="c1", name="lookup", args={"q": "x"}),
                    thought_signature=b"s2",
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
                    function_response=types.FunctionResponse(
                        id="c1", name="lookup", response={"n": 1}
                    )
                ),
            ],
        ),
    ]
    config = {"system_instruction": "Be brief.", "temperature": 0.3}
    expected = sdk_wire(sdk_contents, types.GenerateContentConfig(**config))
    client = genai.Client(api_key="k")
    builder = RequestBuilder(build_config_part(client, {"temperature": 0.3}))
    assert builder.build("r1", ours) == expected


def test_full_config_reaches_the_request_as_the_sdk_sends_it() -> None:
    settings: dict[str, Any] = {
        "system_instruction": "SYS",
        "temperature": 0.1,
        "top_p": 0.9,
        "top_k": 20,
        "max_output_tokens": 64,
        "stop_sequences": ["END"],
        "tools": [
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="get_weather", parameters_json_schema={"type": "object"}
                    )
                ]
            )
        ],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "response_mime_type": "application/json",
        "response_json_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
        "thinking_config": {"include_thoughts": True, "thinking_budget": 128},
        "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    }
    client = genai.Client(api_key="k")
    expected = sdk_wire(
        [types.Content(role="user", parts=[types.Part(text="hi")])],
        types.GenerateContentConfig(**settings),
    )
    builder = RequestBuilder(build_config_part(client, settings), structured=True)
    assert builder.build("r", "hi") == expected
    assert expected["generationConfig"]["thinkingConfig"] == {
        "include_thoughts": True,
        "thinking_budget": 128,
    }


def test_request_system_messages_follow_the_configured_instruction() -> None:
    client = genai.Client(api_key="k")
    builder = RequestBuilder(build_config_part(client, {"system_instruction": "A"}))
    wire = builder.build("r", [Message.system("B"), Message.user("hi")])
    assert wire["systemInstruction"] == {"parts": [{"text": "A"}, {"text": "B"}], "role": "user"}


@pytest.mark.parametrize(
    ("lm_input", "message"),
    [
        ("", "empty string"),
        ("   ", "empty string"),
        ([], "empty list"),
        ([Message.user("a"), "b"], "mixes"),
        ([Message.system("only system")], "no user or assistant"),
        ([Message.user([""])], r"message 0 \(user\) is empty"),
        (
            [Message.system([Attachment.from_bytes(b"x", "image/png")]), Message.user("q")],
            "system message may hold text only",
        ),
        ([Message.user([ToolResult(id="zz", output="x")])], "no name"),
        ([42], "unsupported content of type int"),
        (42, "expected a str"),
    ],
)
def test_bad_input_names_the_request(lm_input: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message) as caught:
        to_wire_contents("req-7", lm_input)
    assert caught.value.request_id == "req-7"
    assert "'req-7'" in str(caught.value)


def test_tool_result_name_comes_from_the_call() -> None:
    contents, _ = to_wire_contents(
        "r",
        [
            Message.assistant(ToolCall(id="c9", name="calc", args={})),
            Message.user(ToolResult(id="c9", output=[1, 2])),
        ],
    )
    assert contents[1]["parts"][0]["functionResponse"] == {
        "id": "c9",
        "name": "calc",
        "response": {"output": [1, 2]},
    }


def test_unknown_hyperparameter_suggests_the_closest_name() -> None:
    with pytest.raises(UnknownParameterError, match="did you mean 'max_output_tokens'"):
        merge_hyperparameters(None, {"max_output_token": 5})
    with pytest.raises(UnknownParameterError, match="'display_name'"):
        merge_hyperparameters({"display_name": "x"}, None)


def test_overrides_win_and_none_removes_a_default() -> None:
    merged = merge_hyperparameters(
        {"temperature": 0.1, "top_k": 3}, {"temperature": 0.9, "top_k": None}
    )
    assert merged == {"temperature": 0.9}


def test_bad_hyperparameter_value_is_an_invalid_request() -> None:
    client = genai.Client(api_key="k")
    with pytest.raises(InvalidRequestError, match="temperature"):
        build_config_part(client, {"temperature": "hot"})
