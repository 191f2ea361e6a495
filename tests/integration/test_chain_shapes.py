"""Every chain shape reaches the Batch API: single calls pooled into shared jobs (issue 10).

Each test counts the batch jobs (`batchGenerateContent` answered 200) and the online calls
(`generateContent`) the emulator saw, and checks every answer reached its own input.
"""

from __future__ import annotations

import asyncio
import logging
import operator
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.exceptions import ModelError
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from langchain_gemini_batch import ChatGeminiBatch, RequestFailedError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.conftest import API_KEY

N = 20


def pooled(server: EmulatorServer, **options: Any) -> ChatGeminiBatch:
    settings: dict[str, Any] = {
        "model": "gemini-2.5-flash",
        "api_key": API_KEY,
        "base_url": server.base_url,
        "batch_poll_interval": 0.01,
        "batch_poll_max_interval": 0.05,
        "invoke_via_batch": True,
        "batch_pool_wait": 0.3,
        **options,
    }
    return ChatGeminiBatch(**settings)


def jobs(server: EmulatorServer) -> int:
    return server.count("batchGenerateContent", status=200)


def online(server: EmulatorServer) -> int:
    return server.count("generateContent")


PROMPT = ChatPromptTemplate.from_template("Tell me about {topic}")
INPUTS = [{"topic": f"topic {i}"} for i in range(N)]


def answer(topic: str) -> str:
    return f"Echo: Tell me about {topic}"


async def test_passthrough_assign_is_one_job(server: EmulatorServer) -> None:
    chain = RunnablePassthrough.assign(answer=PROMPT | pooled(server) | StrOutputParser())
    outputs = await chain.abatch(INPUTS)
    assert jobs(server) == 1
    assert online(server) == 0
    assert [o["answer"] for o in outputs] == [answer(i["topic"]) for i in INPUTS]


async def test_runnable_parallel_is_one_job(server: EmulatorServer) -> None:
    model = pooled(server)
    other = ChatPromptTemplate.from_template("Summarise {topic}")
    chain = RunnableParallel(a=PROMPT | model | StrOutputParser(), b=other | model)
    outputs = await chain.abatch(INPUTS)
    assert jobs(server) == 1  # 40 calls, one job
    assert online(server) == 0
    for item, output in zip(INPUTS, outputs, strict=True):
        assert output["a"] == answer(item["topic"])
        assert output["b"].content == f"Echo: Summarise {item['topic']}"


def test_runnable_parallel_sync_is_one_job(server: EmulatorServer) -> None:
    model = pooled(server)
    chain = RunnableParallel(a=PROMPT | model | StrOutputParser())
    # The threads of a sync batch share the pool; LangChain runs at most `max_concurrency`
    # of them at once (default: its thread pool's size), so let every input be in flight.
    outputs = chain.batch(INPUTS, config={"max_concurrency": N})
    assert jobs(server) == 1
    assert [o["a"] for o in outputs] == [answer(i["topic"]) for i in INPUTS]


async def test_a_dict_step_is_one_job(server: EmulatorServer) -> None:
    model = pooled(server)
    chain = {"text": PROMPT | model | StrOutputParser()} | RunnableLambda(lambda d: d["text"])
    outputs = await chain.abatch(INPUTS)
    assert jobs(server) == 1
    assert outputs == [answer(i["topic"]) for i in INPUTS]


async def test_fifty_concurrent_ainvokes_are_one_job(server: EmulatorServer) -> None:
    model = pooled(server)
    replies = await asyncio.gather(*(model.ainvoke(f"question {i}") for i in range(50)))
    assert jobs(server) == 1
    assert [r.content for r in replies] == [f"Echo: question {i}" for i in range(50)]
    assert all(r.response_metadata["is_batch"] for r in replies)


class State(TypedDict):
    topics: list[str]
    answers: Annotated[list[str], operator.add]


class Task(TypedDict):
    topic: str


async def test_langgraph_send_fan_out_is_one_job(server: EmulatorServer) -> None:
    model = pooled(server)

    async def write(task: Task) -> dict[str, list[str]]:
        reply = await model.ainvoke(f"Write about {task['topic']}")
        return {"answers": [str(reply.content)]}

    def fan_out(state: State) -> list[Send]:
        return [Send("write", {"topic": t}) for t in state["topics"]]

    graph = StateGraph(State)
    graph.add_node("write", write, input_schema=Task)  # type: ignore[call-overload]
    graph.add_conditional_edges(START, fan_out, ["write"])
    graph.add_edge("write", END)
    topics = [f"t{i}" for i in range(N)]
    result = await graph.compile().ainvoke({"topics": topics, "answers": []})
    assert jobs(server) == 1
    assert sorted(result["answers"]) == sorted(f"Echo: Write about {t}" for t in topics)


async def test_a_pool_smaller_than_the_burst(server: EmulatorServer) -> None:
    model = pooled(server, batch_pool_size=8)
    replies = await model.abatch([[("human", f"q{i}")] for i in range(N)])  # abatch: one job
    assert jobs(server) == 1
    await asyncio.gather(*(model.ainvoke(f"p{i}") for i in range(N)))  # pooled: 8 + 8 + 4
    assert jobs(server) == 1 + 3
    assert len(replies) == N


async def test_a_request_failing_in_a_pool_fails_only_its_caller() -> None:
    with EmulatorServer(job_seconds=0, fail_fraction=0.3, seed=5) as server:
        model = pooled(server)
        outcomes = await asyncio.gather(
            *(model.ainvoke(f"q{i}") for i in range(N)), return_exceptions=True
        )
        failures = [o for o in outcomes if isinstance(o, RequestFailedError)]
        assert 0 < len(failures) < N
        assert all(isinstance(f, ModelError) for f in failures)  # LangChain's taxonomy too
        for i, outcome in enumerate(outcomes):
            if not isinstance(outcome, BaseException):
                assert outcome.content == f"Echo: q{i}"
        assert jobs(server) == 1
        # with_retry resubmits only the failures, pooled again into one more job
        server.options.fail_fraction = 0.0
        retried = await asyncio.gather(
            *(
                model.with_retry(stop_after_attempt=2).ainvoke(f"q{i}")
                for i, o in enumerate(outcomes)
                if isinstance(o, RequestFailedError)
            )
        )
        assert len(retried) == len(failures)
        assert jobs(server) == 2


async def test_a_cancelled_caller_leaves_the_pool(server: EmulatorServer) -> None:
    model = pooled(server, batch_pool_wait=0.5)
    tasks = [asyncio.create_task(model.ainvoke(f"c{i}")) for i in range(5)]
    await asyncio.sleep(0.1)
    tasks[2].cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[2], asyncio.CancelledError)
    (create,) = [r for r in server.requests if r.action == "batchGenerateContent"]
    assert isinstance(create.body, dict)
    assert len(create.body["batch"]["inputConfig"]["requests"]["requests"]) == 4


async def test_without_pooling_a_burst_of_online_calls_warns_once(
    server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    model = pooled(server, invoke_via_batch=False)
    chain = RunnableParallel(a=PROMPT | model, b=PROMPT | model)
    with caplog.at_level(logging.WARNING, logger="langchain_gemini_batch"):
        await chain.abatch(INPUTS)
        await chain.abatch(INPUTS)
    warnings = [r for r in caplog.records if "invoke_via_batch=True" in r.getMessage()]
    assert len(warnings) == 1
    assert "full price" in warnings[0].getMessage()
    assert online(server) == 2 * 2 * N
    assert jobs(server) == 0


def test_a_sync_batch_of_online_calls_warns_too(
    server: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    model = pooled(server, invoke_via_batch=False)
    chain = RunnablePassthrough.assign(answer=PROMPT | model | StrOutputParser())
    with caplog.at_level(logging.WARNING, logger="langchain_gemini_batch"):
        chain.batch(INPUTS)  # LangChain's thread pool: a handful at once, 20 within seconds
    assert sum("invoke_via_batch=True" in r.getMessage() for r in caplog.records) == 1
    assert online(server) == N
