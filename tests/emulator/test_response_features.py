"""Response parity: thought signatures, grounding, code execution, logprobs, blocked prompts."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from google import genai
from google.genai import types
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer, generate_response
from tests.emulator.support import MODEL, make_client, raw_request, results_by_key

pytestmark = pytest.mark.emulator

WEATHER = types.FunctionDeclaration(
    name="get_weather",
    parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)
FORCED = types.ToolConfig(
    function_calling_config=types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode.ANY)
)


def _signature(model: str, body: object, label: str) -> bytes:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"{model}\n{text}\n{label}".encode()).digest()
    return b"emulator-thought-signature\x00" + digest


def _call_config(**thinking: object) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])],
        tool_config=FORCED,
        thinking_config=types.ThinkingConfig(**thinking) if thinking else None,
    )


def test_function_calls_of_a_thinking_model_carry_a_thought_signature(
    server: EmulatorServer, client: genai.Client
) -> None:
    response = client.models.generate_content(
        model=MODEL, contents="weather in Paris", config=_call_config(thinking_budget=128)
    )
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    (part,) = response.candidates[0].content.parts or []
    assert part.function_call is not None
    assert part.function_call.name == "get_weather"
    assert part.thought_signature == _signature(MODEL, server.requests[-1].body, "call:0")
    raw = json.loads(raw_request(client, "post", f"models/{MODEL}:generateContent",
                                 server.requests[-1].body))  # fmt: skip
    signed = raw["candidates"][0]["content"]["parts"][0]
    assert base64.b64decode(signed["thoughtSignature"]) == part.thought_signature
    assert raw["usageMetadata"]["thoughtsTokenCount"] > 0


@pytest.mark.parametrize(
    ("model", "thinking"),
    [("gemini-2.0-flash", {"thinking_budget": 128}), (MODEL, {}), (MODEL, {"thinking_budget": 0})],
)
def test_no_signature_without_thinking_or_on_a_non_thinking_model(
    client: genai.Client, model: str, thinking: dict[str, object]
) -> None:
    response = client.models.generate_content(
        model=model, contents="weather", config=_call_config(**thinking)
    )
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    (part,) = response.candidates[0].content.parts or []
    assert part.function_call is not None
    assert part.thought_signature is None


async def test_included_thoughts_sign_the_answer_text_also_when_streamed(
    server: EmulatorServer, aclient: AsyncClient
) -> None:
    config = types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(include_thoughts=True)
    )
    response = await aclient.models.generate_content(
        model="gemini-3-pro-preview", contents="why", config=config
    )
    assert response.text == "Echo: why"
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    thought, answer = response.candidates[0].content.parts or []
    assert (thought.thought, thought.thought_signature) == (True, None)
    expected = _signature("gemini-3-pro-preview", server.requests[-1].body, "text")
    assert answer.thought_signature == expected
    stream = await aclient.models.generate_content_stream(
        model="gemini-3-pro-preview", contents="why", config=config
    )
    signed = []
    async for chunk in stream:
        for candidate in chunk.candidates or []:
            parts = candidate.content.parts if candidate.content else None
            signed += [part.thought_signature for part in parts or [] if part.thought_signature]
    assert signed == [expected]


def test_google_search_grounds_the_answer_in_utf8_byte_segments(client: genai.Client) -> None:
    config = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
    response = client.models.generate_content(
        model=MODEL, contents="wetter in Köln heute", config=config
    )
    assert response.text == "Echo: wetter in Köln heute"
    assert response.candidates is not None
    metadata = response.candidates[0].grounding_metadata
    assert metadata is not None
    assert metadata.web_search_queries == ["wetter in Köln heute"]
    chunks = metadata.grounding_chunks or []
    assert [c.web.title for c in chunks if c.web] == ["example.com", "example.org"]
    assert all(
        c.web
        and (c.web.uri or "").startswith(
            "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
        )
        for c in chunks
    )
    encoded = response.text.encode()
    supports = metadata.grounding_supports or []
    assert [s.grounding_chunk_indices for s in supports] == [[0], [1]]
    first, second = (s.segment for s in supports)
    assert first is not None
    assert second is not None
    assert first.start_index is None  # zero, omitted on the wire
    assert encoded[: first.end_index].decode() == first.text
    assert encoded[second.start_index : second.end_index].decode() == second.text
    assert second.end_index == len(encoded) != len(response.text)
    assert metadata.search_entry_point is not None


def test_code_execution_runs_print_of_the_prompt(client: genai.Client) -> None:
    config = types.GenerateContentConfig(
        tools=[types.Tool(code_execution=types.ToolCodeExecution())]
    )
    response = client.models.generate_content(model=MODEL, contents="hi 2", config=config)
    assert response.executable_code == 'print("hi 2")\n'
    assert response.code_execution_result == "hi 2\n"
    assert response.candidates is not None
    assert response.candidates[0].content is not None
    parts = response.candidates[0].content.parts or []
    assert parts[0].executable_code is not None
    assert parts[0].executable_code.language == types.Language.PYTHON
    assert parts[1].code_execution_result is not None
    assert parts[1].code_execution_result.outcome == types.Outcome.OUTCOME_OK
    assert parts[2].text == "Echo: hi 2"
    usage = response.usage_metadata
    assert usage is not None
    assert usage.candidates_token_count == -(-len('print("hi 2")\nhi 2\nEcho: hi 2') // 4)


def test_logprobs_describe_the_answer_tokens(client: genai.Client) -> None:
    config = types.GenerateContentConfig(response_logprobs=True, logprobs=3)
    response = client.models.generate_content(model=MODEL, contents="tokens", config=config)
    assert response.candidates is not None
    candidate = response.candidates[0]
    result = candidate.logprobs_result
    assert result is not None
    chosen = result.chosen_candidates or []
    assert "".join(c.token or "" for c in chosen) == "Echo: tokens"
    values = [c.log_probability or 0.0 for c in chosen]
    assert all(-0.5 <= v <= -0.05 for v in values)
    assert candidate.avg_logprobs == pytest.approx(sum(values) / len(values), abs=1e-6)
    assert result.log_probability_sum == pytest.approx(sum(values), abs=1e-6)
    top = result.top_candidates or []
    assert len(top) == len(chosen)
    for position, choice in zip(top, chosen, strict=True):
        entries = position.candidates or []
        assert len(entries) == 3
        assert entries[0] == choice
        probabilities = [e.log_probability or 0.0 for e in entries]
        assert probabilities == sorted(probabilities, reverse=True)
    plain = client.models.generate_content(
        model=MODEL, contents="tokens", config={"response_logprobs": True}
    )
    assert plain.candidates is not None
    assert plain.candidates[0].logprobs_result is not None
    assert plain.candidates[0].logprobs_result.top_candidates is None


def test_a_blocked_prompt_gets_prompt_feedback_and_no_candidates(client: genai.Client) -> None:
    response = client.models.generate_content(model=MODEL, contents="say [[blocked]] things")
    assert response.candidates is None
    assert response.text is None
    feedback = response.prompt_feedback
    assert feedback is not None
    assert feedback.block_reason == types.BlockedReason.SAFETY
    ratings = {r.category: r.probability for r in feedback.safety_ratings or []}
    assert ratings[types.HarmCategory.HARM_CATEGORY_DANGEROUS_CONTENT] == (
        types.HarmProbability.HIGH
    )
    assert len(ratings) == 4
    usage = response.usage_metadata
    assert usage is not None
    assert usage.total_token_count == usage.prompt_token_count
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="[[blocked]]"))
    assert len(chunks) == 1
    assert chunks[0].prompt_feedback is not None


def test_plain_answers_carry_no_extra_fields(client: genai.Client) -> None:
    body = json.loads(
        raw_request(
            client,
            "post",
            f"models/{MODEL}:generateContent",
            {"contents": [{"parts": [{"text": "plain"}], "role": "user"}]},
        )
    )
    assert list(body) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
    assert body["candidates"] == [
        {
            "content": {"parts": [{"text": "Echo: plain"}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ]


def test_features_work_inside_a_batch(server: EmulatorServer) -> None:
    search = types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())])
    requests = [
        types.InlinedRequest(contents="find cats", metadata={"key": "search"}, config=search),
        types.InlinedRequest(contents="[[blocked]] x", metadata={"key": "blocked"}),
    ]
    with make_client(server) as client:
        job = client.batches.create(model=MODEL, src=requests)
        assert job.name is not None
        results = results_by_key(client.batches.get(name=job.name))
    found = results["search"].response
    assert found is not None
    assert found.candidates is not None
    assert found.candidates[0].grounding_metadata is not None
    blocked = results["blocked"]
    assert blocked.error is None
    assert blocked.response is not None
    assert blocked.response.prompt_feedback is not None
    expected = generate_response(
        {"contents": [{"parts": [{"text": "[[blocked]] x"}], "role": "user"}]}, model=MODEL
    )
    assert blocked.response.response_id == expected["responseId"]
