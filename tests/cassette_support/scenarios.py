"""Cassette scenarios: real calls through the package and the google-genai SDK, with assertions.

Each scenario runs while recording (against the emulator, or Google with `GOOGLE_API_KEY`) and
again on every replay, so its assertions are checked both times. Exact answer texts are checked
only for cassettes recorded against the emulator, whose model is deterministic
(`"Echo: " + prompt`); against Google, shapes and keys are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.genai import errors, types

from langchain_gemini_batch import (
    BatchJobError,
    BatchLimits,
    BatchStatus,
    GoogleLMInvoker,
    LMOutput,
    PollingPolicy,
    RequestFailedError,
)

MODEL = "gemini-2.5-flash"
EMULATOR_PORT = 18765
EMULATOR_URL = f"http://127.0.0.1:{EMULATOR_PORT}"
GOOGLE_URL = "https://generativelanguage.googleapis.com"
RECORDING_KEY = "emulator-recording-key-not-a-secret"
NO_WAIT = PollingPolicy(initial_interval=0.0, max_interval=0.0, multiplier=1.0)


@dataclass
class Context:
    """Where a scenario runs: the base URL, the key, and whether answers are the emulator's."""

    base_url: str
    api_key: str
    emulated: bool
    polling: PollingPolicy = NO_WAIT

    def invoker(self, **kwargs: Any) -> GoogleLMInvoker:
        """An invoker for this context; retries wait milliseconds, so replay is instant."""
        retry = types.HttpRetryOptions(initial_delay=0.01, max_delay=0.02, jitter=0)
        return GoogleLMInvoker(
            MODEL,
            api_key=self.api_key,
            base_url=self.base_url,
            http_options=types.HttpOptions(retry_options=retry),
            **kwargs,
        )

    def expect_text(self, output: Any, prompt: str) -> None:
        """Check one answer: exactly the emulator's, or any non-empty text from Google."""
        assert isinstance(output, LMOutput), output
        if self.emulated:
            assert output.text == f"Echo: {prompt}"
        else:
            assert output.text.strip()


Run = Callable[[Context], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Scenario:
    """One cassette: its scenario, the emulator switches it is recorded with, and whether it
    can be recorded against the real API (fault scenarios need the emulator)."""

    name: str
    run: Run
    emulator: dict[str, Any] = field(default_factory=dict)
    real_api: bool = False
    setup: Callable[[Any], None] | None = None
    note: str = ""
    """What `setup` does to the emulator, for cassettes/README.md."""


PROMPTS = {
    "capital": "What is the capital of France?",
    "sum": "What is 2 + 2?",
    "color": "Name a primary color.",
}


async def inline_lifecycle(ctx: Context) -> None:
    invoker = ctx.invoker()
    batch_id = await invoker.batch.create(
        dict(PROMPTS), {"temperature": 0.0}, display_name="cassette-inline"
    )
    seen = [await invoker.batch.status(batch_id)]
    while not seen[-1].is_terminal:
        seen.append(await invoker.batch.status(batch_id))
    assert seen[-1] is BatchStatus.FINISHED
    if ctx.emulated:
        assert BatchStatus.IN_PROGRESS in seen
    results = await invoker.batch.retrieve(batch_id)
    assert set(results) == set(PROMPTS)
    for key, prompt in PROMPTS.items():
        ctx.expect_text(results[key], prompt)
        output = results[key]
        assert isinstance(output, LMOutput)
        assert output.token_usage is not None
        assert output.token_usage.input_tokens > 0


async def file_lifecycle(ctx: Context) -> None:
    invoker = ctx.invoker(batch_limits=BatchLimits(inline_max_bytes=0))
    prompts = {f"file-{i}": f"File prompt number {i}" for i in range(6)}
    results = await invoker.batch.invoke(prompts, display_name="cassette-file", polling=ctx.polling)
    assert set(results) == set(prompts)
    for key, prompt in prompts.items():
        ctx.expect_text(results[key], prompt)


async def list_pages(ctx: Context) -> None:
    invoker = ctx.invoker()
    created = [
        await invoker.batch.create({"q": f"List me {i}"}, display_name=f"cassette-list-{i}")
        for i in range(3)
    ]
    jobs = await invoker.batch.list(page_size=2)
    ids = [job["id"] for job in jobs]
    assert set(created) <= set(ids)
    assert all(isinstance(job["status"], BatchStatus) for job in jobs)
    for batch_id in created:
        await invoker.batch.cancel(batch_id)


async def cancel_job(ctx: Context) -> None:
    invoker = ctx.invoker()
    batch_id = await invoker.batch.create(
        {"slow": "Take your time."}, display_name="cassette-cancel"
    )
    await invoker.batch.cancel(batch_id)
    status = await invoker.batch.status(batch_id)
    while status is BatchStatus.CANCELING:
        status = await invoker.batch.status(batch_id)
    assert status is BatchStatus.CANCELLED
    with pytest.raises(BatchJobError, match="CANCELLED"):
        await invoker.batch.retrieve(batch_id)


async def per_request_errors(ctx: Context) -> None:
    invoker = ctx.invoker()
    prompts = {f"item-{i}": f"Item {i}" for i in range(5)}
    results = await invoker.batch.invoke(
        prompts, polling=ctx.polling, display_name="cassette-errors"
    )
    for key in ("item-1", "item-3"):
        failure = results[key]
        assert isinstance(failure, RequestFailedError)
        assert failure.request_id == key
        assert failure.code is not None
    for key in ("item-0", "item-2", "item-4"):
        ctx.expect_text(results[key], prompts[key])


def _job_ends(state: str) -> Run:
    async def run(ctx: Context) -> None:
        invoker = ctx.invoker()
        with pytest.raises(BatchJobError, match=state) as caught:
            await invoker.batch.invoke(
                {"a": "Doomed request"},
                polling=ctx.polling,
                display_name=f"cassette-{state.lower()}",
            )
        assert caught.value.state == f"JOB_STATE_{state}"

    return run


async def retry_after_429(ctx: Context) -> None:
    invoker = ctx.invoker(max_retries=2)
    results = await invoker.batch.invoke(
        {"only": "Retry me"}, polling=ctx.polling, display_name="cassette-429"
    )
    ctx.expect_text(results["only"], "Retry me")


async def quota_error_without_retries(ctx: Context) -> None:
    invoker = ctx.invoker(max_retries=0)
    with pytest.raises(errors.ClientError) as caught:
        await invoker.batch.create({"only": "Refused"}, display_name="cassette-429-final")
    assert caught.value.code == 429
    assert caught.value.status == "RESOURCE_EXHAUSTED"


async def shuffled_results(ctx: Context) -> None:
    invoker = ctx.invoker()
    prompts = {f"id-{i:02d}": f"Question {i}" for i in range(30)}
    results = await invoker.batch.invoke(
        prompts, polling=ctx.polling, display_name="cassette-shuffled"
    )
    if ctx.emulated:
        assert list(results) != list(prompts)  # the server really did shuffle them
    for key, prompt in prompts.items():
        ctx.expect_text(results[key], prompt)


async def online_generate(ctx: Context) -> None:
    output = await ctx.invoker().invoke("Say hello online", {"temperature": 0.0})
    ctx.expect_text(output, "Say hello online")


SEED_SCENARIOS: list[Scenario] = [
    Scenario("seed_inline_lifecycle", inline_lifecycle, {"job_seconds": 3}, real_api=True),
    Scenario("seed_file_lifecycle", file_lifecycle, {"job_seconds": 3}, real_api=True),
    Scenario("seed_list_pages", list_pages, {"job_seconds": 60}, real_api=True),
    Scenario("seed_cancel", cancel_job, {"job_seconds": 60}, real_api=True),
    Scenario("seed_online_generate", online_generate, real_api=True),
    Scenario(
        "fault_per_request_errors",
        per_request_errors,
        {"job_seconds": 0, "fail_keys": ["item-1", "item-3"]},
    ),
    Scenario("fault_job_failed", _job_ends("FAILED"), {"job_seconds": 2, "job_outcome": "failed"}),
    Scenario(
        "fault_job_expired", _job_ends("EXPIRED"), {"job_seconds": 2, "job_outcome": "expired"}
    ),
    Scenario(
        "fault_shuffled_results", shuffled_results, {"job_seconds": 0, "shuffle_results": True}
    ),
    Scenario(
        "fault_429_then_success",
        retry_after_429,
        {"job_seconds": 0},
        setup=lambda server: server.inject_errors(429, action="batchGenerateContent"),
        note="the first create answered 429 RESOURCE_EXHAUSTED",
    ),
    Scenario(
        "fault_429_without_retries",
        quota_error_without_retries,
        setup=lambda server: server.inject_errors(429, action="batchGenerateContent"),
        note="the first create answered 429 RESOURCE_EXHAUSTED",
    ),
]
