"""The inline batch lifecycle through the real google-genai SDK, sync and async."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from google import genai
from google.genai import errors, types
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import (
    MODEL,
    inline_requests,
    make_client,
    raw_get,
    raw_request,
    results_by_key,
)

pytestmark = pytest.mark.emulator

PENDING = types.JobState.JOB_STATE_PENDING
RUNNING = types.JobState.JOB_STATE_RUNNING
SUCCEEDED = types.JobState.JOB_STATE_SUCCEEDED
CANCELLED = types.JobState.JOB_STATE_CANCELLED
BATCH_NAME = re.compile(r"batches/[a-z0-9]{36}")


def _assert_results(job: types.BatchJob, count: int) -> None:
    results = results_by_key(job)
    assert sorted(results) == sorted(f"r{i}" for i in range(count))
    for key, item in results.items():
        assert item.error is None
        assert item.response is not None
        assert item.response.text == f"Echo: question {key[1:]}"
        assert item.response.model_version == MODEL


def test_inline_lifecycle_sync_goes_pending_running_succeeded() -> None:
    with EmulatorServer(job_seconds=1.2) as server, make_client(server) as client:
        job = client.batches.create(
            model=MODEL, src=inline_requests(3), config={"display_name": "lifecycle"}
        )
        assert job.name is not None
        assert BATCH_NAME.fullmatch(job.name)
        assert job.state == PENDING
        assert job.display_name == "lifecycle"
        assert job.model == f"models/{MODEL}"
        states = [client.batches.get(name=job.name).state]
        while not (latest := client.batches.get(name=job.name)).done:
            states.append(latest.state)
            time.sleep(0.05)
        states.append(latest.state)
    assert states[0] == PENDING
    assert RUNNING in states
    assert states[-1] == SUCCEEDED
    assert states.index(RUNNING) < states.index(SUCCEEDED)
    assert latest.end_time is not None
    assert latest.create_time is not None
    _assert_results(latest, 3)


async def test_inline_lifecycle_async_goes_pending_running_succeeded() -> None:
    with EmulatorServer(job_seconds=1.2) as server, make_client(server) as client:
        async with client.aio as aio:
            job = await aio.batches.create(
                model=MODEL, src=inline_requests(3), config={"display_name": "async"}
            )
            assert job.name is not None
            assert job.state == PENDING
            states = [(await aio.batches.get(name=job.name)).state]
            while not (latest := await aio.batches.get(name=job.name)).done:
                states.append(latest.state)
                await asyncio.sleep(0.05)
            states.append(latest.state)
    assert states[0] == PENDING
    assert RUNNING in states
    assert states[-1] == SUCCEEDED
    _assert_results(latest, 3)


def test_job_seconds_zero_has_succeeded_by_first_get(client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests(2))
    assert job.state == PENDING
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.state == SUCCEEDED
    _assert_results(finished, 2)


def test_list_follows_pages_newest_first(server: EmulatorServer, client: genai.Client) -> None:
    names = [client.batches.create(model=MODEL, src=inline_requests(1)).name for _ in range(5)]
    server.clear_requests()
    listed = [job.name for job in client.batches.list(config={"page_size": 2})]
    assert listed == list(reversed(names))
    assert server.count("batches.list") == 3
    assert [r.query.get("pageSize") for r in server.requests] == ["2", "2", "2"]
    assert "pageToken" in server.requests[1].query


async def test_list_async_follows_pages(aclient: AsyncClient) -> None:
    names = [
        (await aclient.batches.create(model=MODEL, src=inline_requests(1))).name for _ in "abc"
    ]
    pager = await aclient.batches.list(config={"page_size": 2})
    listed = [job.name async for job in pager]
    assert listed == list(reversed(names))


def test_list_items_leave_out_inline_output(client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests(1))
    assert job.name is not None
    assert client.batches.get(name=job.name).state == SUCCEEDED
    listed = raw_get(client, "batches?pageSize=10")
    assert set(listed) == {"operations"}
    (operation,) = listed["operations"]
    assert operation["done"] is True
    assert "output" not in operation["metadata"]
    assert "response" not in operation


def test_empty_list_is_an_empty_object(client: genai.Client) -> None:
    assert raw_get(client, "batches") == {}
    assert list(client.batches.list()) == []


def test_cancel_ends_a_running_job_without_results() -> None:
    with EmulatorServer(job_seconds=60) as server, make_client(server) as client:
        job = client.batches.create(model=MODEL, src=inline_requests(2))
        assert job.name is not None
        client.batches.cancel(name=job.name)
        cancelled = client.batches.get(name=job.name)
        body = raw_get(client, job.name)
    assert cancelled.state == CANCELLED
    assert cancelled.dest is None
    assert body["done"] is True
    assert body["metadata"]["state"] == "BATCH_STATE_CANCELLED"
    assert "endTime" in body["metadata"]
    assert "output" not in body["metadata"]
    assert "response" not in body
    assert "error" not in body


async def test_cancel_and_delete_async() -> None:
    with EmulatorServer(job_seconds=60) as server, make_client(server) as client:
        async with client.aio as aio:
            job = await aio.batches.create(model=MODEL, src=inline_requests(1))
            assert job.name is not None
            await aio.batches.cancel(name=job.name)
            assert (await aio.batches.get(name=job.name)).state == CANCELLED
            deleted = await aio.batches.delete(name=job.name)
            assert deleted is not None
            with pytest.raises(errors.ClientError) as caught:
                await aio.batches.get(name=job.name)
    assert caught.value.code == 404


def test_cancel_answers_empty_object_and_is_a_no_op_once_ended(client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests(1))
    assert job.name is not None
    assert client.batches.get(name=job.name).state == SUCCEEDED
    assert raw_request(client, "post", f"{job.name}:cancel") == "{}"
    assert client.batches.get(name=job.name).state == SUCCEEDED


def test_delete_forgets_the_job(client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests(1))
    assert job.name is not None
    client.batches.delete(name=job.name)
    with pytest.raises(errors.ClientError) as caught:
        client.batches.get(name=job.name)
    assert caught.value.code == 404
    assert caught.value.status == "NOT_FOUND"
    assert list(client.batches.list()) == []


@pytest.mark.parametrize("call", ["get", "cancel", "delete"])
def test_unknown_batch_is_404(client: genai.Client, call: str) -> None:
    with pytest.raises(errors.ClientError) as caught:
        getattr(client.batches, call)(name="batches/doesnotexist")
    assert caught.value.code == 404
    assert caught.value.message == "Requested entity was not found."


def test_unknown_model_is_404_with_googles_message(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model="text-bison-001", src=inline_requests(1))
    assert caught.value.code == 404
    assert caught.value.message is not None
    assert caught.value.message.startswith(
        "models/text-bison-001 is not found for API version v1beta, or is not supported for "
        "batchGenerateContent"
    )


def test_tuned_model_exists_once_added_as_an_extra_model(server: EmulatorServer) -> None:
    with make_client(server) as client:
        with pytest.raises(errors.ClientError) as caught:
            client.batches.create(model="tunedModels/gemini-custom", src=inline_requests(1))
        assert caught.value.code == 404
        server.options.extra_models = ("tunedModels/gemini-custom",)
        job = client.batches.create(model="tunedModels/gemini-custom", src=inline_requests(1))
    assert job.model == "tunedModels/gemini-custom"
    assert server.count("batchGenerateContent", status=200) == 1


def test_inline_request_with_unknown_generation_config_field_is_rejected(
    client: genai.Client,
) -> None:
    body = {
        "batch": {
            "displayName": "bad",
            "inputConfig": {
                "requests": {
                    "requests": [
                        {
                            "request": {
                                "contents": [{"parts": [{"text": "hi"}], "role": "user"}],
                                "generationConfig": {"temperature": 0, "max_retries": 2},
                            },
                            "metadata": {"key": "a"},
                        }
                    ]
                }
            },
        }
    }
    with pytest.raises(errors.ClientError) as caught:
        raw_request(client, "post", f"models/{MODEL}:batchGenerateContent", body)
    assert caught.value.code == 400
    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.message == (
        'Invalid JSON payload received. Unknown name "max_retries" at '
        "'batch.input_config.requests.requests[0].request.generation_config': Cannot find field."
    )
