"""Running the same work again reattaches instead of paying twice; any process can retrieve."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from langchain_core.language_models import LanguageModelInput

from langchain_gemini_batch import (
    BatchLimits,
    ChatGeminiBatch,
    LMOutput,
    RequestFailedError,
    ResultMismatchError,
)
from langchain_gemini_batch.batch._spool import SpoolFile, spool_root
from langchain_gemini_batch.batch.journal import RecordState
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.conftest import API_KEY, FAST, MODEL, jobs_created, journal_of, make_invoker

PROMPTS = {f"q{i}": f"Question {i}" for i in range(20)}


async def test_the_same_work_twice_creates_one_job(
    server: EmulatorServer, journal_path: Path
) -> None:
    first = await make_invoker(server, journal_path).batch.invoke(PROMPTS, polling=FAST)
    again = await make_invoker(server, journal_path).batch.invoke(PROMPTS, polling=FAST)
    assert jobs_created(server) == 1
    assert {k: v.text for k, v in again.items()} == {k: v.text for k, v in first.items()}  # type: ignore[union-attr]
    assert again["q3"].text == "Echo: Question 3"  # type: ignore[union-attr]


async def test_different_work_or_resume_false_creates_another(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    await invoker.batch.invoke(PROMPTS, polling=FAST)
    await invoker.batch.invoke(PROMPTS, {"temperature": 0.5}, polling=FAST)  # other settings
    await invoker.batch.invoke({**PROMPTS, "q0": "Other"}, polling=FAST)  # other requests
    assert jobs_created(server) == 3
    await invoker.batch.invoke(PROMPTS, polling=FAST, resume=False)
    assert jobs_created(server) == 4


async def test_a_job_that_failed_or_is_gone_is_not_reused(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    server.options.job_outcome = "failed"
    with pytest.raises(Exception, match="JOB_STATE_FAILED"):
        await invoker.batch.invoke(PROMPTS, polling=FAST)
    server.options.job_outcome = "succeeded"
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert all(isinstance(r, LMOutput) for r in results.values())
    assert jobs_created(server) == 2
    # Google no longer has the job: a new one is created
    (record,) = [r for r in journal_of(journal_path).records() if r.state is RecordState.RETRIEVED]
    assert record.job_name is not None
    await invoker.batch.delete(record.job_name)
    await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert jobs_created(server) == 3


async def test_a_still_running_job_is_waited_for(journal_path: Path) -> None:
    with EmulatorServer(job_seconds=1.0) as server:
        batch_id = await make_invoker(server, journal_path).batch.create(PROMPTS)
        results = await make_invoker(server, journal_path).batch.invoke(PROMPTS, polling=FAST)
        assert jobs_created(server) == 1
        assert server.count("batches.get") >= 2  # it was still running when reattached
        assert len(results) == 20
        assert batch_id in {r.metadata["batch_job"] for r in results.values()}  # type: ignore[union-attr]


async def test_a_new_process_retrieves_with_the_submitted_ids_and_structured_output(
    server: EmulatorServer, journal_path: Path
) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    creator = make_invoker(server, journal_path, response_schema=schema)
    batch_id = await creator.batch.create({"a": "one", "b": "two"})
    await creator.batch.wait(batch_id, polling=FAST)
    fresh = make_invoker(server, journal_path)  # no schema: the journal knows
    results = await fresh.batch.retrieve(batch_id)
    assert isinstance(results["a"], LMOutput)
    assert isinstance(results["a"].structured_output, dict)
    # the expected IDs came back from the journal: a missing key is named
    server.options.drop_metadata = True
    other = await creator.batch.create({"c": "three"})
    await creator.batch.wait(other, polling=FAST)
    with pytest.raises(ResultMismatchError, match="'c'"):
        await make_invoker(server, journal_path).batch.retrieve(other)


async def test_without_a_journal_results_are_still_keyed(server: EmulatorServer) -> None:
    creator = make_invoker(server, False)
    batch_id = await creator.batch.create(PROMPTS)
    await creator.batch.wait(batch_id, polling=FAST)
    results = await make_invoker(server, False).batch.retrieve(batch_id)
    assert results["q7"].text == "Echo: Question 7"  # type: ignore[union-attr]
    assert len(creator.batch.engine.records) == 1  # bounded in-process state ...
    await creator.batch.retrieve(batch_id)
    assert len(creator.batch.engine.records) == 0  # ... and none once retrieved


async def test_unretrieved_jobs_are_listed_until_read(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    batch_id = await invoker.batch.create(PROMPTS)
    (pending,) = journal_of(journal_path).unretrieved()
    assert (pending.job_name, pending.request_count) == (batch_id, 20)
    await invoker.batch.wait(batch_id, polling=FAST)
    assert journal_of(journal_path).unretrieved()[0].remote_state == "JOB_STATE_SUCCEEDED"
    await invoker.batch.retrieve(batch_id)
    assert journal_of(journal_path).unretrieved() == []


async def test_file_jobs_leave_no_input_file_and_no_temporary_file(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path, batch_limits=BatchLimits(inline_max_bytes=0))
    results = await invoker.batch.invoke(PROMPTS, polling=FAST)
    assert len(results) == 20
    assert server.count("files.upload", status=200) == 1
    assert server.count("files.delete", status=200) == 1  # the input file, once read
    assert not server.count("files.delete", status=404)
    mine = [p for p in spool_root().glob(f"*_{os.getpid()}_*/*") if p.exists()]
    assert mine == []


def test_spooled_files_are_private() -> None:
    with SpoolFile("requests.jsonl") as spool:
        assert stat.S_IMODE(os.stat(spool.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(spool.path.parent).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(spool_root()).st_mode) == 0o700
    assert not spool.path.exists()


async def test_the_journal_holds_neither_the_key_nor_the_prompts(
    server: EmulatorServer, journal_path: Path
) -> None:
    secret_prompt = "the launch code is 7781-zebra"
    await make_invoker(server, journal_path).batch.invoke({"x": secret_prompt}, polling=FAST)
    raw = b"".join(p.read_bytes() for p in journal_path.parent.glob("journal.sqlite3*"))
    assert API_KEY.encode() not in raw
    assert b"7781-zebra" not in raw
    assert b"x" in raw  # request IDs are kept


async def test_chain_abatch_twice_is_one_job(
    server: EmulatorServer, journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ChatGeminiBatch(
        model=MODEL,
        api_key=API_KEY,
        base_url=server.base_url,
        batch_poll_interval=0.01,
        batch_poll_max_interval=0.05,
    )
    monkeypatch.setenv("GEMINI_BATCH_JOURNAL", str(journal_path))
    inputs: list[LanguageModelInput] = [f"Topic {i}" for i in range(10)]
    first = await model.abatch(inputs)
    second = await model.abatch(inputs)
    assert [m.content for m in first] == [m.content for m in second]
    assert jobs_created(server) == 1
    failures = [o for o in second if isinstance(o, RequestFailedError)]
    assert failures == []


async def test_a_run_with_another_journal_finds_the_job_by_its_tag(
    server: EmulatorServer, tmp_path: Path
) -> None:
    first = make_invoker(server, tmp_path / "laptop.sqlite3")
    await first.batch.invoke(PROMPTS, polling=FAST)
    elsewhere = make_invoker(server, tmp_path / "ci-container.sqlite3")  # a journal never used
    results = await elsewhere.batch.invoke(PROMPTS, polling=FAST)
    assert jobs_created(server) == 1
    assert results["q1"].text == "Echo: Question 1"  # type: ignore[union-attr]
    await make_invoker(server, False).batch.invoke(PROMPTS, polling=FAST)  # no journal at all
    assert jobs_created(server) == 1
    await make_invoker(server, False).batch.invoke(PROMPTS, polling=FAST, resume=False)
    assert jobs_created(server) == 2
