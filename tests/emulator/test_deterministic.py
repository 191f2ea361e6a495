"""Deterministic mode: the same client code gets byte-identical answers on every run."""

from __future__ import annotations

import io
import json

import pytest

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, jsonl, make_client, raw_request

pytestmark = pytest.mark.emulator

_INLINE = {
    "batch": {
        "displayName": "det",
        "inputConfig": {
            "requests": {
                "requests": [
                    {
                        "request": {"contents": [{"parts": [{"text": f"q{i}"}]}]},
                        "metadata": {"key": f"r{i}"},
                    }
                    for i in range(5)
                ]
            }
        },
    }
}


def _scenario() -> tuple[list[str], int]:
    """Uploads, creates an inline and a file job, polls both to the end, lists; returns bodies."""
    bodies: list[str] = []
    polls = 0
    line = {"key": "a", "request": {"contents": [{"parts": [{"text": "hi"}]}]}}
    with (
        EmulatorServer(
            deterministic=True, job_seconds=3, shuffle_results=True, fail_fraction=0.3
        ) as server,
        make_client(server) as client,
    ):
        uploaded = client.files.upload(
            file=io.BytesIO(jsonl([line])), config={"mime_type": "jsonl"}
        )
        assert uploaded.name is not None
        bodies.append(uploaded.model_dump_json())
        create = f"models/{MODEL}:batchGenerateContent"
        inline = raw_request(client, "post", create, _INLINE)
        file_batch = {"batch": {"displayName": "f", "inputConfig": {"fileName": uploaded.name}}}
        from_file = raw_request(client, "post", create, file_batch)
        bodies += [inline, from_file]
        for created in (inline, from_file):
            name = json.loads(created)["name"]
            while True:
                body = raw_request(client, "get", name)
                bodies.append(body)
                polls += 1
                if '"done":true' in body:
                    break
        bodies.append(raw_request(client, "get", "batches?pageSize=1"))
        results = json.loads(from_file)["name"].replace("batches/", "files/batch-")
        bodies.append(client.files.download(file=results).decode())
        online = {"contents": [{"parts": [{"text": "x"}]}]}
        bodies.append(raw_request(client, "post", f"models/{MODEL}:generateContent", online))
        return [b.replace(server.base_url, "BASE") for b in bodies], polls


def test_two_runs_are_byte_identical() -> None:
    first, first_polls = _scenario()
    second, second_polls = _scenario()
    assert first == second
    assert first_polls == second_polls == 3  # inline: RUNNING, SUCCEEDED; file: SUCCEEDED
    assert '"createTime":"2026-01-01T00:00:' in first[1]
