"""`ChatGeminiBatch(vertexai=True, ...)`: chain.abatch and online calls on Vertex AI (emulator)."""

from __future__ import annotations

import pytest
from google.auth.credentials import AnonymousCredentials
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_gemini_batch import ChatGeminiBatch
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.vertex.support import LOCATION, MODEL, PROJECT, STAGING, actions, staged_inputs


def vertex_chat(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> ChatGeminiBatch:
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)  # base_url serves storage too
    return ChatGeminiBatch(
        model=MODEL,
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        base_url=server.base_url,
        gcs_staging_uri=STAGING,
        batch_poll_interval=0,
        batch_poll_max_interval=0,
    )


async def test_chain_abatch_runs_as_one_vertex_job(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompt = ChatPromptTemplate.from_template("Tell me about {topic}")
    chain = prompt | vertex_chat(server, monkeypatch) | StrOutputParser()
    topics = [f"topic {i}" for i in range(12)]
    answers = await chain.abatch([{"topic": t} for t in topics])
    assert answers == [f"Echo: Tell me about {t}" for t in topics]
    counted = actions(server)
    assert counted["batchPredictionJobs.create"] == 1
    assert counted["publishers.models.generateContent"] == 0
    assert staged_inputs(server) == []  # the staged requests were deleted once read
    # the same work again reattaches through the journal: no second job
    assert await chain.abatch([{"topic": t} for t in topics]) == answers
    assert actions(server)["batchPredictionJobs.create"] == 1


async def test_online_calls_go_to_vertex_generate_content(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = await vertex_chat(server, monkeypatch).ainvoke("hello")
    assert reply.content == "Echo: hello"
    assert actions(server)["publishers.models.generateContent"] == 1
