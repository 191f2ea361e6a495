"""GoogleBatchOperations against canned Google responses (real SDK, mock transport)."""

import json
import logging
import re
from typing import Any

import pytest

from langchain_gemini_batch import (
    BatchJobError,
    BatchLimits,
    BatchNotFinishedError,
    BatchStatus,
    InvalidRequestError,
    LMInput,
    LMOutput,
    Message,
    PollingPolicy,
    RequestFailedError,
    ResultMismatchError,
)
from tests.unit.fake_google import FakeGoogle, answer, operation

CREATE = r":batchGenerateContent$"
GET = r"/batches/job1$"


def item(key: str | None, text: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"response": answer(text)}
    if key is not None:
        entry["metadata"] = {"key": key}
    return entry


async def test_create_sends_every_request_with_its_key_and_settings(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker(default_hyperparameters={"temperature": 0.2, "max_output_tokens": 9})
    requests: dict[str, LMInput] = {
        "alpha": "one",
        "beta": [Message.system("SYS"), Message.user("two")],
    }
    batch_id = await invoker.batch.create(
        requests,
        {"temperature": 0.7},
        display_name="nightly",
    )
    assert batch_id == "batches/job1"
    (sent,) = google.requests_to("POST", CREATE)
    assert sent.path == "/v1beta/models/gemini-2.5-flash:batchGenerateContent"
    batch = sent.body["batch"]
    # the display name carries a tag with the work's fingerprint, so a rerun can find the job
    assert re.fullmatch(r"nightly \[lgb-[0-9a-f]{20}\]", batch["displayName"])
    items = batch["inputConfig"]["requests"]["requests"]
    assert [i["metadata"] for i in items] == [{"key": "alpha"}, {"key": "beta"}]
    assert items[0]["request"]["generationConfig"] == {"temperature": 0.7, "maxOutputTokens": 9}
    assert items[1]["request"]["systemInstruction"] == {"parts": [{"text": "SYS"}], "role": "user"}
    assert sent.headers["x-goog-api-key"] == "fake-key-123"


async def test_online_and_batch_requests_are_the_same(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("POST", r":generateContent$", answer("hi"))
    settings = {
        "system_instruction": "S",
        "temperature": 0.5,
        "stop_sequences": ["x"],
        "response_mime_type": "application/json",
        "response_json_schema": {"type": "object"},
        "thinking_config": {"thinking_budget": 64, "include_thoughts": True},
        "tools": [{"function_declarations": [{"name": "f"}]}],
    }
    invoker = google.invoker(default_hyperparameters=settings)
    lm_input = [Message.system("T"), Message.user("question")]
    await invoker.invoke(lm_input)
    await invoker.batch.create({"k": lm_input})
    online = google.requests_to("POST", r":generateContent$")[0].body
    batched = google.requests_to("POST", CREATE)[0].body["batch"]["inputConfig"]["requests"]
    assert batched["requests"][0]["request"] == online
    assert online["generationConfig"]["temperature"] == 0.5
    assert online["tools"] == [{"functionDeclarations": [{"name": "f"}]}]


async def test_bad_input_raises_before_anything_is_sent(google: FakeGoogle) -> None:
    invoker = google.invoker()
    with pytest.raises(InvalidRequestError, match="no requests"):
        await invoker.batch.create({})
    with pytest.raises(InvalidRequestError, match=r"request 'b'.*empty string"):
        await invoker.batch.create({"a": "fine", "b": ""})
    with pytest.raises(InvalidRequestError, match="request 'a': duplicate"):
        await invoker.batch.create([("a", "x"), ("a", "y")])
    with pytest.raises(InvalidRequestError, match="non-empty strings"):
        await invoker.batch.create({"": "x"})
    with pytest.raises(InvalidRequestError, match="did you mean 'temperature'"):
        await invoker.batch.create({"a": "x"}, {"temprature": 1})
    assert google.sent == []


async def test_retrieve_joins_on_keys_when_results_are_shuffled(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker()
    requests = {f"req-{i}": f"question {i}" for i in range(12)}
    await invoker.batch.create(requests)
    shuffled = [item(f"req-{i}", f"answer {i}") for i in (5, 11, 0, 3, 2, 9, 1, 4, 10, 6, 8, 7)]
    google.on("GET", GET, operation(state="BATCH_STATE_SUCCEEDED", inlined=shuffled))
    results = await invoker.batch.retrieve("batches/job1")
    assert list(results) == [f"req-{i}" for i in (5, 11, 0, 3, 2, 9, 1, 4, 10, 6, 8, 7)]
    for i in range(12):
        output = results[f"req-{i}"]
        assert isinstance(output, LMOutput)
        assert output.text == f"answer {i}"
        assert output.metadata["request_id"] == f"req-{i}"
        assert output.metadata["batch_job"] == "batches/job1"


async def test_a_failed_request_is_typed_and_hides_nothing(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker()
    await invoker.batch.create({"ok": "a", "bad": "b", "ok2": "c"})
    inlined = [
        item("ok", "fine"),
        {"error": {"code": 3, "message": "Invalid image"}, "metadata": {"key": "bad"}},
        item("ok2", "also fine"),
    ]
    google.on("GET", GET, operation(state="BATCH_STATE_SUCCEEDED", inlined=inlined))
    results = await invoker.batch.retrieve("batches/job1")
    failure = results["bad"]
    assert isinstance(failure, RequestFailedError)
    assert (failure.request_id, failure.code, failure.status) == ("bad", 3, "INVALID_ARGUMENT")
    assert failure.error_message == "Invalid image"
    assert failure.batch_job == "batches/job1"
    assert not hasattr(failure, "text")
    assert isinstance(results["ok"], LMOutput)
    assert results["ok2"].text == "also fine"  # type: ignore[union-attr]


async def test_outputs_carry_usage_finish_reason_and_model_version(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker()
    await invoker.batch.create({"a": "x"})
    response = answer("two words", prompt_tokens=7, thoughts=4)
    response["usageMetadata"]["cachedContentTokenCount"] = 2
    google.on(
        "GET",
        GET,
        operation(
            state="BATCH_STATE_SUCCEEDED",
            inlined=[{"response": response, "metadata": {"key": "a"}}],
        ),
    )
    output = (await invoker.batch.retrieve("batches/job1"))["a"]
    assert isinstance(output, LMOutput)
    usage = output.token_usage
    assert usage is not None
    assert (
        usage.input_tokens,
        usage.output_tokens,
        usage.thinking_tokens,
        usage.cached_tokens,
    ) == (7, 6, 4, 2)
    assert output.finish_details["finish_reason"] == "STOP"
    assert output.metadata["model_version"] == "gemini-2.5-flash-001"


@pytest.mark.parametrize(
    ("inlined", "match"),
    [
        ([item("a", "1"), item(None, "2")], "1 results carry no request key"),
        ([item("a", "1"), item("b", "2"), item("zzz", "3")], "unexpected.*'zzz'"),
        ([item("a", "1")], r"missing results for \['b'\]"),
        ([item("a", "1"), item("a", "1"), item("b", "2")], "duplicate keys.*'a'"),
    ],
)
async def test_key_mismatch_is_an_error_never_a_misassignment(
    google: FakeGoogle, inlined: list[dict[str, Any]], match: str
) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker()
    await invoker.batch.create({"a": "x", "b": "y"})
    google.on("GET", GET, operation(state="BATCH_STATE_SUCCEEDED", inlined=inlined))
    with pytest.raises(ResultMismatchError, match=match) as caught:
        await invoker.batch.retrieve("batches/job1")
    assert "batches/job1" in str(caught.value)
    assert caught.value.results["a"].text == "1"


async def test_unknown_job_is_checked_by_request_count_and_custom_ids(google: FakeGoogle) -> None:
    invoker = google.invoker()  # not created here: keys are unknown
    google.on(
        "GET",
        GET,
        operation(
            state="BATCH_STATE_SUCCEEDED",
            stats={"requestCount": "3"},
            inlined=[item("x", "1"), item("y", "2")],
        ),
    )
    with pytest.raises(ResultMismatchError, match="2 keyed results for 3 requests"):
        await invoker.batch.retrieve("batches/job1")
    with pytest.raises(ResultMismatchError, match=r"missing results for \['z'\]"):
        await invoker.batch.retrieve("batches/job1", custom_request_ids=["x", "y", "z"])
    results = await invoker.batch.retrieve("batches/job1", custom_request_ids=["y", "x"])
    assert results["x"].text == "1"  # type: ignore[union-attr]
    with pytest.raises(InvalidRequestError, match="unknown retrieve"):
        await invoker.batch.retrieve("batches/job1", nonsense=True)


@pytest.mark.parametrize(
    ("state", "error_type"),
    [
        ("BATCH_STATE_FAILED", BatchJobError),
        ("BATCH_STATE_EXPIRED", BatchJobError),
        ("BATCH_STATE_CANCELLED", BatchJobError),
        ("BATCH_STATE_RUNNING", BatchNotFinishedError),
    ],
)
async def test_retrieve_of_a_job_without_results_raises(
    google: FakeGoogle, state: str, error_type: type[BatchJobError] | type[BatchNotFinishedError]
) -> None:
    invoker = google.invoker()
    google.on("GET", GET, operation(state=state, error={"code": 13, "message": "boom"}))
    with pytest.raises(error_type, match="batches/job1") as caught:
        await invoker.batch.retrieve("batches/job1")
    assert getattr(caught.value, "state", None) == state.replace("BATCH_", "JOB_")


async def test_status_list_cancel_delete(google: FakeGoogle) -> None:
    invoker = google.invoker()
    google.on("GET", GET, operation(state="BATCH_STATE_RUNNING"))
    assert await invoker.batch.status("batches/job1") is BatchStatus.IN_PROGRESS
    assert await invoker.batch.status("job1") is BatchStatus.IN_PROGRESS
    google.on(
        "GET",
        r"/batches$",
        {"operations": [operation("a"), operation("b")], "nextPageToken": "p2"},
        {
            "operations": [
                operation(
                    "c",
                    "BATCH_STATE_CANCELLED",
                    stats={"requestCount": "2", "failedRequestCount": "2"},
                )
            ]
        },
    )
    jobs = await invoker.batch.list()
    assert [j["id"] for j in jobs] == ["batches/a", "batches/b", "batches/c"]
    assert jobs[2]["status"] is BatchStatus.CANCELLED
    assert jobs[2]["request_counts"]["failed"] == 2
    pages = google.requests_to("GET", r"/batches$")
    assert [p.query for p in pages] == ["pageSize=100", "pageSize=100&pageToken=p2"]
    google.on("POST", r"/batches/job1:cancel$", {})
    google.on("DELETE", GET, {})
    await invoker.batch.cancel("batches/job1")
    await invoker.batch.delete("batches/job1")
    assert len(google.requests_to("POST", r":cancel$")) == 1
    assert len(google.requests_to("DELETE", GET)) == 1


async def test_file_mode_uploads_jsonl_and_reads_results_by_key(google: FakeGoogle) -> None:
    upload_url = "http://fake-google.test/upload/session-1"
    google.on(
        "POST",
        r"/upload/v1beta/files$",
        (200, {}, {"x-goog-upload-url": upload_url, "x-goog-upload-status": "active"}),
    )
    google.on(
        "POST",
        r"/upload/session-1$",
        (
            200,
            {"file": {"name": "files/in1", "mimeType": "jsonl"}},
            {"x-goog-upload-status": "final"},
        ),
    )
    google.on("POST", CREATE, operation())
    invoker = google.invoker(batch_limits=BatchLimits(inline_max_bytes=0))
    await invoker.batch.create({"a": "first", "b": "second"})
    chunk = google.requests_to("POST", r"/upload/session-1$")[0].body
    lines = [json.loads(line) for line in chunk.decode().splitlines()]
    assert [line["key"] for line in lines] == ["a", "b"]
    assert lines[0]["request"]["contents"][0]["parts"] == [{"text": "first"}]
    create = google.requests_to("POST", CREATE)[0].body
    assert create["batch"]["inputConfig"] == {"fileName": "files/in1"}
    results_file = (
        json.dumps({"response": answer("B!"), "key": "b"})
        + "\n"
        + json.dumps({"error": {"code": 13, "message": "oops"}, "key": "a"})
        + "\n"
    )
    google.on(
        "GET", GET, operation(state="BATCH_STATE_SUCCEEDED", responses_file="files/batch-job1")
    )
    google.on("GET", r"/files/batch-job1:download$", results_file.encode())
    results = await invoker.batch.retrieve("batches/job1")
    assert results["b"].text == "B!"  # type: ignore[union-attr]
    assert isinstance(results["a"], RequestFailedError)
    assert results["a"].status == "INTERNAL"


async def test_work_past_one_job_is_split_under_one_handle(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation("j1"), operation("j2"), operation("j3"))
    invoker = google.invoker(batch_limits=BatchLimits(max_requests_per_job=2))
    handle = await invoker.batch.create({f"r{i}": f"q{i}" for i in range(5)}, display_name="n")
    assert handle == "batches/j1,batches/j2,batches/j3"
    bodies = [s.body["batch"] for s in google.requests_to("POST", CREATE)]
    names = [b["displayName"].split(" [lgb-")[0] for b in bodies]
    assert names == ["n (1/3)", "n (2/3)", "n (3/3)"]
    assert len({b["displayName"] for b in bodies}) == 3  # each job has its own fingerprint
    assert [len(b["inputConfig"]["requests"]["requests"]) for b in bodies] == [2, 2, 1]
    for job, keys in (("j1", ["r0", "r1"]), ("j2", ["r2", "r3"]), ("j3", ["r4"])):
        google.on(
            "GET",
            rf"/batches/{job}$",
            operation(
                job, "BATCH_STATE_SUCCEEDED", inlined=[item(k, k.upper()) for k in reversed(keys)]
            ),
        )
    assert await invoker.batch.status(handle) is BatchStatus.FINISHED
    results = await invoker.batch.retrieve(handle)
    assert {k: v.text for k, v in results.items()} == {  # type: ignore[union-attr]
        f"r{i}": f"R{i}" for i in range(5)
    }


async def test_http_error_on_create_is_googles_error(google: FakeGoogle) -> None:
    from google.genai import errors

    google.on(
        "POST",
        CREATE,
        (404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "models/x is not found"}}),
    )
    invoker = google.invoker(max_retries=0)
    with pytest.raises(errors.ClientError) as caught:
        await invoker.batch.create({"a": "x"})
    assert caught.value.code == 404


async def test_create_is_retried_after_429_and_after_a_5xx_once_no_job_is_found(
    google: FakeGoogle,
) -> None:
    quota = (429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota"}})
    google.on("POST", CREATE, quota, operation())
    invoker = google.invoker(max_retries=2)
    assert await invoker.batch.create({"a": "x"}) == "batches/job1"
    assert len(google.requests_to("POST", CREATE)) == 2
    fresh = FakeGoogle()
    fresh.on(
        "POST",
        CREATE,
        (500, {"error": {"code": 500, "status": "INTERNAL", "message": "?"}}),
        operation(),
    )
    assert await fresh.invoker(max_retries=2).batch.create({"b": "y"}) == "batches/job1"
    order = [s.method + " " + s.path.rsplit("/", 1)[-1] for s in fresh.sent]
    # a 500 may have made a job: it is looked for (list) before the create is sent again
    assert order == [
        "GET batches",
        "POST gemini-2.5-flash:batchGenerateContent",
        "GET batches",
        "POST gemini-2.5-flash:batchGenerateContent",
    ]


async def test_the_key_is_never_in_a_repr_or_log(
    google: FakeGoogle, caplog: pytest.LogCaptureFixture
) -> None:
    google.on("POST", CREATE, operation())
    invoker = google.invoker(api_key="AIzaSECRETSECRETSECRET")
    with caplog.at_level(logging.DEBUG):
        await invoker.batch.create({"a": "x"})
    assert "AIzaSECRET" not in repr(invoker)
    assert "AIzaSECRET" not in repr(invoker.client)
    assert "AIzaSECRET" not in caplog.text


def test_construction_does_no_io_and_needs_no_key() -> None:
    from langchain_gemini_batch import GoogleLMInvoker

    invoker = GoogleLMInvoker("gemini-2.5-flash")
    assert invoker.batch is invoker.batch
    with pytest.raises(ValueError, match="no Gemini API key"):
        invoker.request_builder()


async def test_invoke_can_set_invalid_inputs_aside(google: FakeGoogle) -> None:
    google.on("POST", CREATE, operation())
    google.on("GET", GET, operation(state="BATCH_STATE_SUCCEEDED", inlined=[item("ok", "fine")]))
    invoker = google.invoker()
    fast = PollingPolicy(0, 0, 1)
    results = await invoker.batch.invoke({"ok": "x", "bad": ""}, polling=fast, skip_invalid=True)
    assert isinstance(results["bad"], InvalidRequestError)
    assert results["bad"].request_id == "bad"
    assert results["ok"].text == "fine"  # type: ignore[union-attr]
    (sent,) = google.requests_to("POST", CREATE)
    assert [
        i["metadata"]["key"] for i in sent.body["batch"]["inputConfig"]["requests"]["requests"]
    ] == ["ok"]
    only_bad = await invoker.batch.invoke({"bad": ""}, skip_invalid=True)
    assert list(only_bad) == ["bad"]
    assert len(google.requests_to("POST", CREATE)) == 1  # nothing sent for an all-invalid batch
    with pytest.raises(InvalidRequestError, match="request 'bad'"):
        await invoker.batch.invoke({"ok": "x", "bad": ""})  # the default still refuses
