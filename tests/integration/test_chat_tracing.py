"""The run tree a tracer (LangSmith's base class) sees for a batched chain, and run ids."""

from __future__ import annotations

import uuid

import pytest
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableConfig
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler
from pydantic import BaseModel

from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.errors import ResultMismatchError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.support import MODEL, Recorder, created_jobs, expected_answer, job_keys

pytestmark = pytest.mark.emulator


async def test_tracer_sees_one_ordinary_llm_run_per_input(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    collector = RunCollectorCallbackHandler()
    chain = ChatPromptTemplate.from_template("Q: {q}") | llm | StrOutputParser()
    config: RunnableConfig = {"callbacks": [collector], "max_concurrency": 2}

    answers = await chain.abatch([{"q": "one"}, {"q": "two"}, {"q": "three"}], config)

    assert answers == [expected_answer(f"Q: {q}") for q in ("one", "two", "three")]
    assert len(created_jobs(server)) == 1  # max_concurrency does not split the job
    roots = [run for run in collector.traced_runs if run.parent_run_id is None]
    assert len(roots) == 3
    for root, answer in zip(roots, answers, strict=True):
        assert [child.run_type for child in root.child_runs] == ["prompt", "llm", "parser"]
        llm_run = root.child_runs[1]
        assert llm_run.name == "ChatGeminiBatch"
        assert llm_run.error is None
        assert llm_run.end_time is not None
        assert llm_run.extra["metadata"]["ls_provider"] == "google_genai"
        assert llm_run.extra["metadata"]["ls_model_name"] == MODEL
        assert llm_run.outputs is not None
        generation = llm_run.outputs["generations"][0][0]
        assert generation["message"]["kwargs"]["content"] == answer
        assert root.outputs == {"output": answer}


async def test_run_ids_from_configs_are_honoured(llm: ChatGeminiBatch) -> None:
    recorder = Recorder()
    ids = [uuid.uuid4(), uuid.uuid4()]
    configs: list[RunnableConfig] = [{"run_id": i, "callbacks": [recorder]} for i in ids]
    messages = await llm.abatch(["a", "b"], configs)
    assert recorder.start_ids == ids
    assert [m.id for m in messages] == [f"lc_run--{i}-0" for i in ids]


async def test_structured_output_format_is_traced_not_sent(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    class Pet(BaseModel):
        name: str

    recorder = Recorder()
    await llm.with_structured_output(Pet).abatch(["Rex"], {"callbacks": [recorder]})
    options = recorder.starts[0]["options"]
    assert options["ls_structured_output_format"]["kwargs"]["method"] == "json_schema"
    assert options["ls_structured_output_format"]["schema"]["title"] == "Pet"
    assert "ls_structured_output_format" not in str(created_jobs(server))


async def test_an_input_langchain_cannot_read_fails_alone(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    recorder = Recorder()
    results = await llm.abatch(["ok", 42], {"callbacks": [recorder]}, return_exceptions=True)  # type: ignore[list-item]
    assert isinstance(results[0], AIMessage)
    assert isinstance(results[1], ValueError)
    assert len(recorder.starts) == 1  # no run for an input that is not a chat input
    assert job_keys(created_jobs(server)[0]) == ["0"]


async def test_unkeyed_results_fail_with_result_mismatch(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    server.options.drop_metadata = True
    recorder = Recorder()
    results = await llm.abatch(["a", "b"], {"callbacks": [recorder]}, return_exceptions=True)
    assert all(isinstance(r, ResultMismatchError) for r in results)
    assert len(recorder.errors) == 2


async def test_a_copied_model_uses_its_own_settings(
    server: EmulatorServer, llm: ChatGeminiBatch
) -> None:
    await llm.abatch(["a"])
    warmer = llm.model_copy(update={"temperature": 0.9})
    await warmer.abatch(["b"])
    first, second = created_jobs(server)
    config = [job["inputConfig"]["requests"]["requests"][0]["request"] for job in (first, second)]
    assert config[0]["generationConfig"] == {"temperature": 0.7, "candidateCount": 1}
    assert config[1]["generationConfig"] == {"temperature": 0.9, "candidateCount": 1}
