"""A results file whose keys do not match: named, and nothing misassigned or lost (real SDK)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import BatchLimits, LMOutput, ResultMismatchError
from langchain_gemini_batch.batch.files import RequestFile
from tests.unit.fake_google import FakeGoogle, answer, operation

CREATE = r":batchGenerateContent$"
GET = r"/batches/job1$"


def file_job(google: FakeGoogle) -> None:
    upload_url = "http://fake-google.test/upload/session-1"
    google.on(
        "POST",
        r"/upload/v1beta/files$",
        (200, {}, {"x-goog-upload-url": upload_url, "x-goog-upload-status": "active"}),
    )
    google.on(
        "POST",
        r"/upload/session-1$",
        (200, {"file": {"name": "files/in1"}}, {"x-goog-upload-status": "final"}),
    )
    google.on("POST", CREATE, operation())
    google.on("DELETE", r"/files/in1$", {})


def results_file(google: FakeGoogle, lines: list[dict[str, Any]]) -> None:
    google.on(
        "GET", GET, operation(state="BATCH_STATE_SUCCEEDED", responses_file="files/batch-job1")
    )
    body = "".join(json.dumps(line) + "\n" for line in lines)
    google.on("GET", r"/files/batch-job1:download$", body.encode())


def line(key: str, text: str) -> dict[str, Any]:
    return {"response": answer(text), "key": key}


@pytest.mark.parametrize(
    "case",
    [
        (["a", "b"], ["c"], [], []),
        (["a", "b", "zzz", "c"], [], ["zzz"], []),
        (["a", "b", "a", "c"], [], [], ["a"]),
    ],
    ids=["a missing key", "an unknown key", "a duplicate key"],
)
async def test_retrieve_and_write_results_name_the_keys_and_keep_what_matched(
    google: FakeGoogle, tmp_path: Path, case: tuple[list[str], list[str], list[str], list[str]]
) -> None:
    keys, missing, unknown, repeated = case  # returned; missing, unknown and repeated keys
    file_job(google)
    invoker = google.invoker(batch_limits=BatchLimits(inline_max_bytes=0))
    batch_id = await invoker.batch.create({"a": "x", "b": "y", "c": "z"})
    results_file(google, [line(key, f"{key}-{n}") for n, key in enumerate(keys)])

    with pytest.raises(ResultMismatchError) as caught:
        await invoker.batch.retrieve(batch_id)
    error = caught.value
    assert (error.missing, error.repeated) == (missing, repeated)
    assert sorted(set(error.unexpected)) == sorted(unknown + repeated)
    matched = sorted(set(keys) - set(unknown))
    assert sorted(error.results) == matched  # nothing unknown, nothing lost
    first = error.results["a"]
    assert isinstance(first, LMOutput)
    assert first.text == "a-0"  # a repeated key keeps its first result

    out = tmp_path / "results.jsonl"
    with pytest.raises(ResultMismatchError):
        await invoker.batch.write_results(batch_id, out)
    written = [json.loads(text) for text in out.read_text().splitlines()]
    assert sorted(w["key"] for w in written) == matched
    assert next(w for w in written if w["key"] == "a")["response"] == answer("a-0")


async def test_a_request_file_to_a_results_file_keeps_google_lines_as_they_are(
    google: FakeGoogle, tmp_path: Path
) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        "".join(
            json.dumps({"key": key, "request": {"contents": [{"parts": [{"text": key}]}]}}) + "\n"
            for key in ("a", "b")
        )
    )
    file_job(google)
    invoker = google.invoker(batch_limits=BatchLimits(inline_max_bytes=0))
    batch_id = await invoker.batch.create_raw(RequestFile(requests))
    lines = [line("b", "B"), {"error": {"code": 13, "message": "oops"}, "key": "a"}]
    results_file(google, lines)
    out = tmp_path / "results.jsonl"
    written = await invoker.batch.write_results(batch_id, out)
    assert (written.succeeded, written.failed) == (1, 1)
    assert written.cost.requests == 1
    assert out.read_text() == "".join(json.dumps(each) + "\n" for each in lines)
