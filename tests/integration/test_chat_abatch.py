"""`ChatGeminiBatch.abatch` against the emulator: one job, per-input callbacks, errors."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import ChatGeneration
from langchain_core.prompts import ChatPromptTemplate

from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.errors import (
    BatchJobError,
    BatchTimeoutError,
    InvalidRequestError,
    RequestFailedError,
    UnknownParameterError,
)
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.conftest import API_KEY
from tests.integration.support import (
    MODEL,
    Recorder,
    all_keys,
    created_jobs,
    expected_answer,
    job_keys,
)

pytestmark = pytest.mark.emulator

TOPICS = ["owls", "tides", "basalt", "Kepler", "sourdough", "jazz", "moss"]
PROMPT = ChatPromptTemplate.from_messages(
    [("system", "Answer in one line."), ("human", "Tell me about {topic}")]
)


async def test_chain_abatch_is_one_job_with_one_run_per_input(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    recorder = Recorder()
    chain = PROMPT | llm | StrOutputParser()

    answers = await chain.abatch(
        [{"topic": t} for t in TOPICS], config={"callbacks": [recorder], "tags": ["outer"]}
    )

    assert answers == [expected_answer(f"Tell me about {t}") for t in TOPICS]
    [job] = created_jobs(server)
    assert job_keys(job) == [str(i) for i in range(len(TOPICS))]
    # N start/end pairs, distinct run ids, each under its own chain run
    n = len(TOPICS)
    assert len(recorder.starts) == n
    assert len(set(recorder.start_ids)) == n
    assert sorted(recorder.closed_ids()) == sorted(recorder.start_ids)
    assert recorder.errors == []
    assert len({s["parent_run_id"] for s in recorder.starts}) == n
    for start, topic in zip(recorder.starts, TOPICS, strict=True):
        assert start["messages"][0][-1].content == f"Tell me about {topic}"
        assert start["batch_size"] == n
        assert {"outer", "seq:step:2"} <= set(start["tags"])
        metadata = start["metadata"]
        assert metadata["ls_provider"] == "google_genai"
        assert metadata["ls_model_name"] == MODEL
        assert metadata["ls_model_type"] == "chat"
        assert metadata["ls_integration"] == "langchain_chat_model"
    for run_id, result in recorder.ends:
        generation = result.generations[0][0]
        assert isinstance(generation, ChatGeneration)
        message = generation.message
        assert message.id == f"lc_run--{run_id}-0"
        assert message.response_metadata["batch_job"] == job_name(server)


def job_name(server: EmulatorServer) -> str:
    [create] = [r for r in server.requests if r.action == "batchGenerateContent"]
    names = {r.path.split("/v1beta/")[-1] for r in server.requests if r.action == "batches.get"}
    assert len(names) == 1, create
    return names.pop()


async def test_messages_carry_usage_and_batch_metadata(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    messages = await llm.abatch(["first question", "second question"])
    for index, (message, prompt) in enumerate(
        zip(messages, ["first question", "second question"], strict=True)
    ):
        assert isinstance(message, AIMessage)
        answer = expected_answer(prompt)
        assert message.content == answer
        assert message.usage_metadata is not None
        # token rule: ceil(chars / 4), at least 1 (documented in the emulator's model)
        assert message.usage_metadata["input_tokens"] == max(1, -(-len(prompt) // 4))
        assert message.usage_metadata["output_tokens"] == max(1, -(-len(answer) // 4))
        assert message.response_metadata["request_key"] == str(index)
        assert message.response_metadata["is_batch"] is True
        assert message.response_metadata["model_name"] == MODEL
        assert message.response_metadata["finish_reason"] == "STOP"
        assert message.response_metadata["batch_job"].startswith("batches/")


async def test_stop_and_tracing_kwargs_never_reach_the_wire(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    bound = llm.bind(stop=["X"], ls_structured_output_format={"kwargs": {}, "schema": {}})
    [message] = await bound.abatch(["abcXdef"])
    assert message.content == expected_answer("abcXdef", generationConfig={"stopSequences": ["X"]})
    assert message.content == "Echo: abc"
    [job] = created_jobs(server)
    keys = all_keys(job)
    assert {"stop", "ls_structured_output_format", "structured_output_format"} & keys == set()
    request = job["inputConfig"]["requests"]["requests"][0]["request"]
    assert request["generationConfig"]["stopSequences"] == ["X"]


async def test_return_exceptions_keeps_each_failure_in_place(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.fail_keys = frozenset({"1", "3"})
    recorder = Recorder()
    prompts = ["a", "b", "c", "d", "e"]
    inputs: list[LanguageModelInput] = [*prompts]

    results = await llm.abatch(inputs, {"callbacks": [recorder]}, return_exceptions=True)

    for index, result in enumerate(results):
        if index in (1, 3):
            assert isinstance(result, RequestFailedError)
            assert result.request_id == str(index)
            assert result.batch_job is not None
            assert result.batch_job.startswith("batches/")
            assert repr(str(index)) in str(result)
            assert result.batch_job in str(result)
        else:
            assert isinstance(result, AIMessage)
            assert result.content == expected_answer(prompts[index])
    assert len(recorder.ends) == 3
    assert len(recorder.errors) == 2
    assert len(created_jobs(server)) == 1


async def test_without_return_exceptions_the_first_failure_raises_after_all_runs_close(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.fail_keys = frozenset({"2", "4"})
    recorder = Recorder()
    with pytest.raises(RequestFailedError) as caught:
        await llm.abatch(["a", "b", "c", "d", "e"], {"callbacks": [recorder]})
    assert caught.value.request_id == "2"
    assert sorted(recorder.closed_ids()) == sorted(recorder.start_ids)
    assert len(recorder.errors) == 2


async def test_with_retry_resubmits_only_the_failures(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.fail_keys = frozenset({"2"})  # fails in the first job only: keys restart
    prompts = ["p0", "p1", "p2", "p3"]
    retrying = llm.with_retry(stop_after_attempt=2, wait_exponential_jitter=False)

    results = await retrying.abatch([*prompts])

    assert [r.content for r in results] == [expected_answer(p) for p in prompts]
    jobs = created_jobs(server)
    assert [len(job_keys(job)) for job in jobs] == [4, 1]
    retried = jobs[1]["inputConfig"]["requests"]["requests"][0]["request"]
    assert retried["contents"][0]["parts"][0]["text"] == "p2"


async def test_with_fallbacks_gets_only_the_failures(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.fail_keys = frozenset({"1"})
    backup = llm.model_copy(update={"model": "gemini-2.5-pro"})
    results = await llm.with_fallbacks([backup]).abatch(["x", "y", "z"])
    assert [r.response_metadata["model_name"] for r in results] == [
        MODEL,
        "gemini-2.5-pro",
        MODEL,
    ]
    assert [len(job_keys(job)) for job in created_jobs(server)] == [3, 1]


async def test_a_bad_input_fails_alone(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    recorder = Recorder()
    bad = [HumanMessage(content=[{"type": "hologram"}])]
    results = await llm.abatch(
        ["ok", bad, "fine"], {"callbacks": [recorder]}, return_exceptions=True
    )
    assert isinstance(results[1], InvalidRequestError)
    assert results[1].request_id == "1"
    assert [results[0].content, results[2].content] == [
        expected_answer("ok"),
        expected_answer("fine"),
    ]
    [job] = created_jobs(server)
    assert job_keys(job) == ["0", "2"]
    assert len(recorder.errors) == 1
    assert len(recorder.ends) == 2


async def test_a_failed_job_closes_every_run_with_an_error(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.job_outcome = "failed"
    recorder = Recorder()
    with pytest.raises(BatchJobError) as caught:
        await llm.abatch(["a", "b", "c"], {"callbacks": [recorder]})
    assert "JOB_STATE_FAILED" in str(caught.value)
    assert recorder.ends == []
    assert sorted(run_id for run_id, _ in recorder.errors) == sorted(recorder.start_ids)
    assert len(recorder.errors) == 3

    results = await llm.abatch(["a", "b"], return_exceptions=True)
    assert all(isinstance(r, BatchJobError) for r in results)


async def test_cancelling_the_caller_cancels_the_job_and_closes_every_run() -> None:
    with EmulatorServer(job_seconds=60) as server:
        llm = ChatGeminiBatch(
            model=MODEL, api_key=API_KEY, base_url=server.base_url, batch_poll_interval=0.05
        )
        recorder = Recorder()
        task = asyncio.create_task(llm.abatch(["a", "b", "c"], {"callbacks": [recorder]}))
        while server.count("batches.get") == 0:  # noqa: ASYNC110 - the server is a thread
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert server.count("batches.cancel") == 1
        assert len(recorder.errors) == 3
        assert recorder.ends == []
        assert all(isinstance(e, asyncio.CancelledError) for _, e in recorder.errors)


async def test_the_deadline_fails_every_input() -> None:
    with EmulatorServer(job_seconds=60) as server:
        llm = ChatGeminiBatch(
            model=MODEL,
            api_key=API_KEY,
            base_url=server.base_url,
            batch_poll_interval=0.05,
            batch_timeout=0.3,
            batch_cancel_on_exit=False,
        )
        recorder = Recorder()
        results = await llm.abatch(["a", "b"], {"callbacks": [recorder]}, return_exceptions=True)
        assert all(isinstance(r, BatchTimeoutError) and not r.cancelled for r in results)
        assert server.count("batches.cancel") == 0
        assert len(recorder.errors) == 2


async def test_as_completed_is_one_job(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    server.options.fail_keys = frozenset({"0"})
    pairs = [
        pair async for pair in llm.abatch_as_completed(["a", "b", "c"], return_exceptions=True)
    ]
    assert sorted(index for index, _ in pairs) == [0, 1, 2]
    by_index = dict(pairs)
    assert isinstance(by_index[0], RequestFailedError)
    assert isinstance(by_index[2], AIMessage)
    assert by_index[2].content == expected_answer("c")
    with pytest.raises(RequestFailedError):
        async for _ in llm.abatch_as_completed(["a", "b"]):
            pass
    assert len(created_jobs(server)) == 2


def test_sync_batch_and_batch_as_completed_are_one_job_each(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(
        model=MODEL, api_key=API_KEY, base_url=server.base_url, batch_poll_interval=0
    )
    chain = PROMPT | llm | StrOutputParser()
    assert chain.batch([{"topic": t} for t in TOPICS[:3]]) == [
        expected_answer(f"Tell me about {t}") for t in TOPICS[:3]
    ]
    pairs = dict(llm.batch_as_completed(["x", "y"]))
    assert {i: m.content for i, m in pairs.items() if isinstance(m, AIMessage)} == {
        0: expected_answer("x"),
        1: expected_answer("y"),
    }
    assert [len(job_keys(job)) for job in created_jobs(server)] == [3, 2]


async def test_sync_batch_works_inside_a_running_loop(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    assert [m.content for m in llm.batch(["in", "loop"])] == [
        expected_answer("in"),
        expected_answer("loop"),
    ]


async def test_cache_hits_are_not_resubmitted(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(
        model=MODEL,
        api_key=API_KEY,
        base_url=server.base_url,
        batch_poll_interval=0,
        cache=InMemoryCache(),
    )
    first = await llm.abatch(["a", "b"])
    second = await llm.abatch(["a", "b", "c"])
    assert [m.content for m in second] == [expected_answer(p) for p in "abc"]
    assert second[0].content == first[0].content
    assert [len(job_keys(job)) for job in created_jobs(server)] == [2, 1]


async def test_model_override_and_ls_params(server: EmulatorServer, llm: ChatGeminiBatch) -> None:
    recorder = Recorder()
    bound = llm.bind(model="gemini-2.5-pro", temperature=0.5, max_tokens=50)
    [message] = await bound.abatch(["hi"], {"callbacks": [recorder]})
    assert message.response_metadata["model_name"] == "gemini-2.5-pro"
    [create] = [r for r in server.requests if r.action == "batchGenerateContent"]
    assert "models/gemini-2.5-pro:" in create.path
    metadata = recorder.starts[0]["metadata"]
    assert (metadata["ls_model_name"], metadata["ls_temperature"]) == ("gemini-2.5-pro", 0.5)
    assert metadata["ls_max_tokens"] == 50
    config = created_jobs(server)[0]["inputConfig"]["requests"]["requests"][0]["request"]
    assert config["generationConfig"] == {
        "temperature": 0.5,
        "maxOutputTokens": 50,
        "candidateCount": 1,
    }


async def test_the_api_key_never_leaks(
    server: EmulatorServer, llm: ChatGeminiBatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.options.fail_keys = frozenset({"0"})
    results = await llm.abatch(["a", "b"], return_exceptions=True)
    server.options.job_outcome = "failed"
    with pytest.raises(BatchJobError) as caught:
        await llm.abatch(["c"])
    llm.invoke("online")
    texts = [
        caplog.text,
        repr(llm),
        str(llm),
        repr(results),
        str(caught.value),
        repr(caught.value),
        json.dumps(llm.to_json(), default=str),
        repr(llm._invoker()),
        repr([r.body for r in server.requests]),
    ]
    assert caplog.text  # something was logged
    for text in texts:
        assert API_KEY not in text


async def test_an_unknown_option_fails_every_input_before_anything_is_sent(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    recorder = Recorder()
    bound = llm.bind(temprature=0.5)
    results = await bound.abatch(["a", "b"], {"callbacks": [recorder]}, return_exceptions=True)
    assert all(isinstance(r, UnknownParameterError) for r in results)
    assert "did you mean 'temperature'" in str(results[0])
    assert len(recorder.errors) == 2
    assert server.requests == []


async def test_large_batches_go_through_an_uploaded_file(server: EmulatorServer) -> None:
    llm = ChatGeminiBatch(
        model=MODEL,
        api_key=API_KEY,
        base_url=server.base_url,
        batch_poll_interval=0,
        batch_inline_max_bytes=0,  # every job is uploaded as JSONL
    )
    prompts = [f"question {i}" for i in range(12)]
    messages = await llm.abatch([*prompts])
    assert [m.content for m in messages] == [expected_answer(p) for p in prompts]
    assert server.count("batchGenerateContent", status=200) == 1
    assert server.count("files.download") == 1
    assert [m.response_metadata["request_key"] for m in messages] == [str(i) for i in range(12)]
