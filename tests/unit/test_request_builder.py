"""The one request builder: validation and settings (no server).

Fidelity to what the public SDK sends is checked on the emulator, in
`tests/emulator/test_request_contract.py`.
"""

from typing import Any

import pytest
from google import genai

from langchain_gemini_batch import (
    Attachment,
    InvalidRequestError,
    Message,
    ToolCall,
    ToolResult,
    UnknownParameterError,
)
from langchain_gemini_batch.convert.google_request import RequestBuilder, to_wire_contents
from langchain_gemini_batch.convert.hyperparameters import build_config_part, merge_hyperparameters


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


def test_unknown_hyperparameter_suggests_only_a_name_meaning_the_same() -> None:
    with pytest.raises(UnknownParameterError, match="did you mean 'max_output_tokens'"):
        merge_hyperparameters(None, {"max_output_token": 5})
    with pytest.raises(UnknownParameterError, match="did you mean 'max_output_tokens'"):
        merge_hyperparameters(None, {"max_tokens": 5})
    with pytest.raises(UnknownParameterError, match="did you mean 'top_k'"):
        merge_hyperparameters(None, {"topK": 5})
    with pytest.raises(UnknownParameterError, match="'display_name'") as caught:
        merge_hyperparameters({"display_name": "x"}, None)
    assert "did you mean" not in str(caught.value)


def test_overrides_win_and_none_removes_a_default() -> None:
    merged = merge_hyperparameters(
        {"temperature": 0.1, "top_k": 3}, {"temperature": 0.9, "top_k": None}
    )
    assert merged == {"temperature": 0.9}


def test_bad_hyperparameter_value_is_an_invalid_request() -> None:
    client = genai.Client(api_key="k")
    with pytest.raises(InvalidRequestError, match="temperature"):
        build_config_part(client, {"temperature": "hot"})
