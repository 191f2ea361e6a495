"""Values Google refuses: strict JSON, ranges, function names, schemas (online, inline, file)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from google import genai
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, jsonl, raw_get, raw_request

pytestmark = pytest.mark.emulator

GENERATE = f"models/{MODEL}:generateContent"
CREATE = f"models/{MODEL}:batchGenerateContent"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def _refused(call: Any) -> errors.ClientError:
    with pytest.raises(errors.ClientError) as caught:
        call()
    assert caught.value.code == 400
    assert caught.value.status == "INVALID_ARGUMENT"
    return caught.value


def _fields(error: errors.ClientError) -> list[str]:
    (detail,) = error.details["error"]["details"]
    assert detail["@type"] == BAD_REQUEST
    return [v.get("field", "") for v in detail["fieldViolations"]]


def _ask(**body: Any) -> dict[str, Any]:
    return {"contents": [{"parts": [{"text": "hi"}], "role": "user"}], **body}


def test_nan_from_the_sdk_is_an_unexpected_token(
    server: EmulatorServer, client: genai.Client
) -> None:
    error = _refused(
        lambda: client.models.generate_content(
            model=MODEL, contents="hi", config={"temperature": float("nan")}
        )
    )
    assert error.message is not None
    head, excerpt, caret = error.message.split("\n")
    assert head == "Invalid JSON payload received. Unexpected token."
    assert excerpt[caret.index("^") :].startswith("NaN")
    assert set(caret[:-1]) <= {" "}
    assert [r.status for r in server.requests] == [400]


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN"])
def test_non_finite_literals_are_refused_in_a_batch_create(
    server: EmulatorServer, client: genai.Client, literal: str
) -> None:
    body = (
        '{"batch": {"inputConfig": {"requests": {"requests": [{"request": {"contents": '
        '[{"parts": [{"text": "a"}]}], "generationConfig": {"topP": ' + literal + "}}}]}}}}"
    )
    error = _refused(lambda: client._api_client.request("post", CREATE, json.loads(body)))
    assert error.message is not None
    assert error.message.startswith("Invalid JSON payload received. Unexpected token.\n")
    assert server.counts().jobs == 0


def test_lone_surrogate_is_refused_but_a_real_pair_is_not(client: genai.Client) -> None:
    error = _refused(lambda: client.models.generate_content(model=MODEL, contents="a \ud800 b"))
    assert error.message is not None
    _, excerpt, caret = error.message.split("\n")
    assert excerpt[caret.index("^") :].startswith("\\ud800")
    assert client.models.generate_content(model=MODEL, contents="smile 😀").text == (
        "Echo: smile 😀"
    )


def test_escaped_backslash_before_u_is_plain_text(client: genai.Client) -> None:
    assert client.models.generate_content(model=MODEL, contents="\\ud800").text == ("Echo: \\ud800")


def test_out_of_range_sampling_values_are_all_named(
    server: EmulatorServer, client: genai.Client
) -> None:
    config = types.GenerateContentConfig(temperature=2.5, top_p=1.5, top_k=0, candidate_count=9)
    error = _refused(
        lambda: client.models.generate_content(model=MODEL, contents="hi", config=config)
    )
    assert error.message == (
        "* GenerateContentRequest.generation_config.temperature: temperature must be in the "
        "range [0.0, 2.0].\n"
        "* GenerateContentRequest.generation_config.top_p: top_p must be in the range "
        "[0.0, 1.0].\n"
        "* GenerateContentRequest.generation_config.top_k: top_k must be positive.\n"
        "* GenerateContentRequest.generation_config.candidate_count: candidate_count must be "
        "in the range [1, 8].\n"
    )
    assert _fields(error) == [
        "generation_config.temperature",
        "generation_config.top_p",
        "generation_config.top_k",
        "generation_config.candidate_count",
    ]
    limits = types.GenerateContentConfig(temperature=2.0, top_p=1.0, top_k=1, candidate_count=8)
    assert client.models.generate_content(model=MODEL, contents="hi", config=limits).text


@pytest.mark.parametrize("tokens", [0, -5])
def test_max_output_tokens_must_be_positive(client: genai.Client, tokens: int) -> None:
    error = _refused(
        lambda: client.models.generate_content(
            model=MODEL, contents="hi", config={"max_output_tokens": tokens}
        )
    )
    assert error.message == (
        "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must "
        "be positive.\n"
    )


def test_wrong_json_types_get_googles_proto_message(client: genai.Client) -> None:
    config = {"maxOutputTokens": 1.5, "temperature": "hot", "seed": 3812238859}
    error = _refused(lambda: raw_request(client, "post", GENERATE, _ask(generationConfig=config)))
    assert error.message == (
        "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), 1.5\n"
        "Invalid value at 'generation_config.seed' (TYPE_INT32), 3812238859\n"
        "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""
    )
    numeric_strings = {"maxOutputTokens": "64", "temperature": "0.5", "topK": 2.0}
    assert raw_request(client, "post", GENERATE, _ask(generationConfig=numeric_strings))


def test_function_names_follow_googles_rule(client: genai.Client) -> None:
    def tool(*names: str) -> list[types.Tool]:
        return [
            types.Tool(function_declarations=[types.FunctionDeclaration(name=n) for n in names])
        ]

    error = _refused(
        lambda: client.models.generate_content(
            model=MODEL,
            contents="hi",
            config=types.GenerateContentConfig(
                tools=tool("ok_name", "1starts_with_digit", "has space", "x" * 129)
            ),
        )
    )
    assert _fields(error) == [f"tools[0].function_declarations[{i}].name" for i in (1, 2, 3)]
    assert error.message is not None
    assert error.message.startswith(
        "* GenerateContentRequest.tools[0].function_declarations[1].name: Invalid function "
        "name. Must start with a letter or an underscore."
    )
    good = tool("_private", "ns:tool.v1-x", "y" * 128)
    config = types.GenerateContentConfig(tools=good)
    assert client.models.generate_content(model=MODEL, contents="hi", config=config)


def test_response_schema_type_and_fields_are_checked(client: genai.Client) -> None:
    schema = {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}, "b": {"type": "FOO", "additionalPropertiez": 1}},
    }
    config = {"responseMimeType": "application/json", "responseSchema": schema}
    error = _refused(lambda: raw_request(client, "post", GENERATE, _ask(generationConfig=config)))
    assert error.message == (
        'Invalid JSON payload received. Unknown name "additionalPropertiez" at '
        "'generation_config.response_schema.properties[1].value': Cannot find field.\n"
        "Invalid value at 'generation_config.response_schema.properties[1].value.type' "
        '(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "FOO"'
    )
    not_object = {"responseMimeType": "application/json", "responseSchema": "OBJECT"}
    error = _refused(
        lambda: raw_request(client, "post", GENERATE, _ask(generationConfig=not_object))
    )
    assert _fields(error) == ["generation_config.response_schema"]
    lower = {"responseMimeType": "application/json", "responseSchema": {"type": "string"}}
    assert raw_request(client, "post", GENERATE, _ask(generationConfig=lower))


@pytest.mark.parametrize(
    "schema", ["a string", {"type": "text"}, {"type": "object", "properties": {"x": {"type": 5}}}]
)
def test_response_json_schema_is_checked(client: genai.Client, schema: object) -> None:
    error = _refused(
        lambda: client.models.generate_content(
            model=MODEL,
            contents="hi",
            config={"response_mime_type": "application/json", "response_json_schema": schema},
        )
    )
    assert _fields(error) == ["generation_config.response_json_schema"]


def test_json_schema_words_in_values_are_not_types(client: genai.Client) -> None:
    schema = {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": ["x"], "default": {"type": "odd"}}},
    }
    response = client.models.generate_content(
        model=MODEL,
        contents="hi",
        config={"response_mime_type": "application/json", "response_json_schema": schema},
    )
    assert json.loads(response.text or "") == {"type": "x"}


def test_stream_and_count_tokens_validate_too(client: genai.Client) -> None:
    _refused(
        lambda: list(
            client.models.generate_content_stream(
                model=MODEL, contents="hi", config={"temperature": -1}
            )
        )
    )
    body = {
        "generateContentRequest": {
            "model": f"models/{MODEL}",
            **_ask(generationConfig={"topK": -3}),
        }
    }
    error = _refused(lambda: raw_request(client, "post", f"models/{MODEL}:countTokens", body))
    assert error.message == (
        "* CountTokensRequest.generate_content_request.generation_config.top_k: top_k must be "
        "positive.\n"
    )


def test_a_bad_inline_request_refuses_the_whole_create(
    server: EmulatorServer, client: genai.Client
) -> None:
    requests = [types.InlinedRequest(contents=f"q{i}", metadata={"key": f"r{i}"}) for i in range(5)]
    requests[3] = types.InlinedRequest(
        contents="q3", metadata={"key": "r3"}, config={"max_output_tokens": 0}
    )
    error = _refused(lambda: client.batches.create(model=MODEL, src=requests))
    path = "batch.input_config.requests.requests[3].request.generation_config.max_output_tokens"
    assert error.message == (
        f"* BatchGenerateContentRequest.{path}: max_output_tokens must be positive.\n"
    )
    assert _fields(error) == [path]
    assert server.counts().jobs == 0


def test_bad_lines_in_a_file_become_their_requests_errors(
    server: EmulatorServer, client: genai.Client
) -> None:
    def line(key: str, **config: Any) -> dict[str, Any]:
        request: dict[str, Any] = {"contents": [{"parts": [{"text": key}]}]}
        if config:
            request["generationConfig"] = config
        return {"key": key, "request": request}

    data = jsonl([line("good"), line("hot", temperature=5)])
    data += (
        b'{"key": "nan", "request": {"contents": [{"parts": [{"text": "x"}]}], '
        b'"generationConfig": {"topP": NaN}}}\n'
    )
    uploaded = client.files.upload(file=io.BytesIO(data), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    job = client.batches.create(model=MODEL, src=uploaded.name)
    assert job.name is not None
    body = raw_get(client, job.name)
    assert body["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert body["metadata"]["batchStats"] == {
        "requestCount": "3",
        "successfulRequestCount": "1",
        "failedRequestCount": "2",
    }
    results = client.files.download(file=body["metadata"]["output"]["responsesFile"])
    lines = [json.loads(text) for text in results.decode().splitlines()]
    assert "response" in lines[0]
    assert lines[1] == {
        "error": {
            "code": 3,
            "message": "* GenerateContentRequest.generation_config.temperature: temperature "
            "must be in the range [0.0, 2.0].\n",
        },
        "key": "hot",
    }
    assert lines[2]["error"]["code"] == 3
    assert lines[2]["error"]["message"].startswith("Invalid JSON payload received. Unexpected")
    assert "key" not in lines[2]  # the line could not be read, so neither could its key
