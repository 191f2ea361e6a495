"""The `predictions.jsonl` lines a Vertex AI job writes, and joining them back by request ID."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from google import genai
from google.genai import types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from langchain_gemini_batch.testing.emulator.vertex_auth import vertex_client
from tests.emulator.vertex_support import (
    BUCKET,
    INPUT_URI,
    LOCATION,
    MODEL,
    PROJECT,
    clean_env,
    jsonl,
    read_predictions,
    request_line,
    seed_input,
)

pytestmark = pytest.mark.emulator

PROCESSED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    with EmulatorServer(job_seconds=0, deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> genai.Client:
    return vertex_client(server.base_url, project=PROJECT, location=LOCATION)


def _predictions(server: EmulatorServer, client: genai.Client) -> list[dict[str, Any]]:
    job = client.batches.create(model=MODEL, src=INPUT_URI, config={"dest": f"gs://{BUCKET}/out"})
    assert job.name is not None
    ended = client.batches.get(name=job.name)
    assert ended.state == types.JobState.JOB_STATE_SUCCEEDED
    assert ended.output_info is not None
    return read_predictions(server, str(ended.output_info.gcs_output_directory))


def test_success_line_echoes_the_request_and_its_key(
    server: EmulatorServer, client: genai.Client
) -> None:
    line = request_line(
        "req-1",
        "What is 2+2?",
        generationConfig={"max_output_tokens": 50},
        system_instruction={"parts": [{"text": "Be brief."}]},
        labels={"team": "search"},
    )
    server.cloud.create_bucket(BUCKET)
    server.cloud.write(INPUT_URI, jsonl([line]))
    [out] = _predictions(server, client)
    assert list(out) == ["status", "processed_time", "key", "request", "response"]
    assert out["status"] == ""
    assert PROCESSED_TIME.fullmatch(out["processed_time"])
    assert out["key"] == "req-1"
    assert out["request"] == line["request"]  # verbatim: snake_case and labels survive
    response = types.GenerateContentResponse._from_response(response=out["response"], kwargs={})
    assert response.text == "Echo: What is 2+2?"
    assert response.model_version == MODEL
    assert response.create_time is not None


def test_failed_rows_carry_status_and_no_response(
    server: EmulatorServer, client: genai.Client
) -> None:
    bad_role = {
        "key": "bad-role",
        "request": {"contents": [{"role": "system", "parts": [{"text": "x"}]}]},
    }
    no_contents = {"key": "empty", "request": {"generationConfig": {"temperature": 0.5}}}
    unknown = {"key": "unknown", "request": {"contents": [{"parts": [{"text": "x"}]}], "bogus": 1}}
    server.cloud.create_bucket(BUCKET)
    server.cloud.write(
        INPUT_URI,
        jsonl(
            [
                request_line("fine", "ok"),
                request_line("faulty", "x"),
                bad_role,
                no_contents,
                unknown,
            ]
        ),
    )
    server.options.fail_keys = frozenset({"faulty"})
    lines = {line["key"]: line for line in _predictions(server, client)}
    assert lines["fine"]["status"] == ""
    assert "response" in lines["fine"]
    for key in ("faulty", "bad-role", "empty", "unknown"):
        assert "response" not in lines[key]
        assert lines[key]["request"] is not None
    reason, _, body = lines["bad-role"]["status"].partition(": ")
    assert reason == "Bad Request"
    assert json.loads(body) == {
        "error": {
            "code": 400,
            "message": "Please use a valid role: user, model.",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert lines["faulty"]["status"].startswith('Internal Server Error: {"error": {"code": 500')
    assert "contents is not specified" in lines["empty"]["status"]
    assert 'Unknown name \\"bogus\\"' in lines["unknown"]["status"]


def test_shuffled_output_joins_back_by_key(server: EmulatorServer, client: genai.Client) -> None:
    lines = seed_input(server, 30)
    server.options.shuffle_results = True
    out = _predictions(server, client)
    keys = [line["key"] for line in out]
    assert keys != [line["key"] for line in lines]  # not input order
    by_key = {line["key"]: line for line in out}
    assert sorted(by_key) == sorted(line["key"] for line in lines)
    for line in lines:
        answer = by_key[line["key"]]["response"]["candidates"][0]["content"]["parts"][0]["text"]
        prompt = line["request"]["contents"][0]["parts"][0]["text"]
        assert answer == f"Echo: {prompt}"


def test_labels_travel_inside_the_echoed_request(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.cloud.create_bucket(BUCKET)
    rows = [
        {"request": {"contents": [{"parts": [{"text": f"q{i}"}]}], "labels": {"rid": f"id-{i}"}}}
        for i in range(5)
    ]
    server.cloud.write(INPUT_URI, jsonl(rows))
    server.options.shuffle_results = True
    out = _predictions(server, client)
    assert {line["request"]["labels"]["rid"] for line in out} == {f"id-{i}" for i in range(5)}
    assert all(set(line) == {"status", "processed_time", "request", "response"} for line in out)


def test_integer_looking_keys_come_back_as_numbers(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.cloud.create_bucket(BUCKET)
    server.cloud.write(INPUT_URI, jsonl([request_line("000123", "a"), request_line("r-7", "b")]))
    keys = sorted((line["key"] for line in _predictions(server, client)), key=str)
    assert keys == [123, "r-7"]


def test_drop_metadata_removes_the_sibling_keys(
    server: EmulatorServer, client: genai.Client
) -> None:
    seed_input(server, 3)
    server.options.drop_metadata = True
    out = _predictions(server, client)
    assert len(out) == 3
    assert all("key" not in line and "request" in line for line in out)


def test_output_is_deterministic(server: EmulatorServer, client: genai.Client) -> None:
    seed_input(server, 5)
    server.options.shuffle_results = True
    first = _predictions(server, client)
    with EmulatorServer(job_seconds=0, deterministic=True) as again:
        seed_input(again, 5)
        again.options.shuffle_results = True
        second = _predictions(again, vertex_client(again.base_url, project=PROJECT))
    assert first == second
