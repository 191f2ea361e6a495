"""Single calls stay online (generateContent / streamGenerateContent) unless asked otherwise."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.support import MODEL, Recorder, expected_answer

pytestmark = pytest.mark.emulator


async def test_ainvoke_and_invoke_are_online(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    recorder = Recorder()
    message = await llm.ainvoke("hello", {"callbacks": [recorder]})
    assert message.content == expected_answer("hello")
    assert message.response_metadata["is_batch"] is False
    assert message.id == f"lc_run--{recorder.start_ids[0]}-0"
    assert llm.invoke("sync hello").content == expected_answer("sync hello")
    assert server.count("generateContent") == 2
    assert server.count("batchGenerateContent") == 0


async def test_stop_reaches_gemini_as_stop_sequences(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    message = await llm.ainvoke("one, two", stop=[","])
    assert message.content == "Echo: one"
    [request] = [r for r in server.requests if r.action == "generateContent"]
    assert request.body["generationConfig"] == {
        "stopSequences": [","],
        "temperature": 0.7,
        "candidateCount": 1,
    }


async def test_astream_yields_chunks_ending_with_last(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    recorder = Recorder()
    chunks = [c async for c in llm.astream("stream me please", {"callbacks": [recorder]})]
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len(chunks) > 2
    assert chunks[-1].chunk_position == "last"
    assert all(c.chunk_position is None for c in chunks[:-1])
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.content == expected_answer("stream me please")
    assert total.response_metadata["model_name"] == MODEL
    assert total.response_metadata["finish_reason"] == "STOP"
    assert total.usage_metadata is not None
    assert total.usage_metadata["total_tokens"] > 0
    assert len(recorder.ends) == 1
    assert server.count("streamGenerateContent") == 1


def test_sync_stream_and_streamed_tool_calls(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(model=MODEL, api_key="k", base_url=server.base_url)

    def get_weather(city: str) -> str:
        """Get the weather."""
        return city

    chunks: list[AIMessageChunk] = []
    for chunk in llm.bind_tools([get_weather], tool_choice="any").stream("Rome"):
        assert isinstance(chunk, AIMessageChunk)
        chunks.append(chunk)
    assert chunks[-1].chunk_position == "last"
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [("get_weather", {"city": "Rome"})]


def test_streaming_true_routes_invoke_through_stream(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(model=MODEL, api_key="k", base_url=server.base_url, streaming=True)
    assert llm.invoke("hi").content == expected_answer("hi")
    assert server.count("streamGenerateContent") == 1


async def test_invoke_via_batch_sends_a_job_of_one(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(
        model=MODEL,
        api_key="k",
        base_url=server.base_url,
        batch_poll_interval=0,
        invoke_via_batch=True,
    )
    message = await llm.ainvoke("by batch")
    assert isinstance(message, AIMessage)
    assert message.content == expected_answer("by batch")
    assert message.response_metadata["is_batch"] is True
    assert server.count("batchGenerateContent") == 1
    assert server.count("generateContent") == 0
