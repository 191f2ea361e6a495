"""File-based batches and the Files API: resumable upload, get, delete, download."""

from __future__ import annotations

import http.client
import io
import json
from urllib.parse import urlsplit

import pytest
from google import genai
from google.genai import errors, types
from google.genai.client import AsyncClient

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, jsonl

pytestmark = pytest.mark.emulator

INPUT = [
    {"key": "alpha", "request": {"contents": [{"parts": [{"text": "one"}], "role": "user"}]}},
    {
        "key": "beta",
        "request": {
            "contents": [{"parts": [{"text": "two"}]}],
            "generation_config": {"max_output_tokens": 1},
        },
    },
    {"key": "gamma", "request": {"contents": [{"parts": [{"text": "three"}]}]}},
]


def _lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.decode().splitlines()]


def test_file_lifecycle_sync(server: EmulatorServer, client: genai.Client) -> None:
    uploaded = client.files.upload(
        file=io.BytesIO(jsonl(INPUT)), config={"mime_type": "jsonl", "display_name": "in"}
    )
    assert uploaded.name is not None
    assert uploaded.name.startswith("files/")
    assert uploaded.mime_type == "jsonl"
    assert uploaded.size_bytes == len(jsonl(INPUT))
    assert uploaded.display_name == "in"
    assert uploaded.state == types.FileState.ACTIVE
    assert server.count("files.uploadChunk", status=200) == 1

    job = client.batches.create(model=MODEL, src=uploaded.name, config={"display_name": "file"})
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.state == types.JobState.JOB_STATE_SUCCEEDED
    assert finished.dest is not None
    assert finished.dest.file_name is not None
    assert finished.dest.file_name == f"files/batch-{job.name.removeprefix('batches/')}"

    lines = _lines(client.files.download(file=finished.dest.file_name))
    assert [line["key"] for line in lines] == ["alpha", "beta", "gamma"]
    assert all(list(line) == ["response", "key"] for line in lines)
    texts = {
        str(line["key"]): types.GenerateContentResponse.model_validate(line["response"]).text
        for line in lines
    }
    assert texts == {"alpha": "Echo: one", "beta": "Echo", "gamma": "Echo: three"}
    beta = types.GenerateContentResponse.model_validate(lines[1]["response"])
    assert beta.candidates is not None
    assert beta.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS


async def test_file_lifecycle_async(aclient: AsyncClient) -> None:
    uploaded = await aclient.files.upload(
        file=io.BytesIO(jsonl(INPUT)), config={"mime_type": "jsonl"}
    )
    assert uploaded.name is not None
    job = await aclient.batches.create(model=MODEL, src=uploaded.name)
    assert job.name is not None
    finished = await aclient.batches.get(name=job.name)
    assert finished.dest is not None
    assert finished.dest.file_name is not None
    data = await aclient.files.download(file=finished.dest.file_name)
    assert [line["key"] for line in _lines(data)] == ["alpha", "beta", "gamma"]


def _finished_file_job(client: genai.Client) -> str:
    uploaded = client.files.upload(file=io.BytesIO(jsonl(INPUT)), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    job = client.batches.create(model=MODEL, src=uploaded.name)
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.dest is not None
    assert finished.dest.file_name is not None
    return finished.dest.file_name


def _get(server: EmulatorServer, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_results_download_under_both_paths(server: EmulatorServer, client: genai.Client) -> None:
    results = _finished_file_job(client)
    via_sdk = client.files.download(file=results)
    status, via_download = _get(
        server, f"/download/v1beta/{results}:download?alt=media", {"x-goog-api-key": "k"}
    )
    assert status == 200
    assert via_download == via_sdk


def test_results_file_resource_get_and_delete(client: genai.Client) -> None:
    results = _finished_file_job(client)
    stored = client.files.get(name=results)
    assert stored.source == types.FileSource.GENERATED
    assert stored.download_uri is not None
    assert client.files.download(file=stored) == client.files.download(file=results)
    client.files.delete(name=results)
    with pytest.raises(errors.ClientError) as caught:
        client.files.get(name=results)
    assert caught.value.code == 403  # Google answers PERMISSION_DENIED for a missing file


def test_uploaded_file_get_list_delete(client: genai.Client) -> None:
    uploaded = client.files.upload(file=io.BytesIO(b"{}\n"), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    assert client.files.get(name=uploaded.name).size_bytes == 3
    assert [f.name for f in client.files.list()] == [uploaded.name]
    client.files.delete(name=uploaded.name)
    assert list(client.files.list()) == []


def test_create_from_missing_file_is_404(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model=MODEL, src="files/nosuchfile")
    assert caught.value.code == 404


def test_malformed_jsonl_line_fails_alone(client: genai.Client) -> None:
    data = jsonl(INPUT[:1]) + b"{not json\n" + jsonl(INPUT[2:])
    uploaded = client.files.upload(file=io.BytesIO(data), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    job = client.batches.create(model=MODEL, src=uploaded.name)
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.dest is not None
    assert finished.dest.file_name is not None
    lines = _lines(client.files.download(file=finished.dest.file_name))
    assert [sorted(line) for line in lines] == [["key", "response"], ["error"], ["key", "response"]]
    assert lines[1]["error"]["code"] == 3  # type: ignore[index]


def test_resumable_protocol_in_chunks_without_api_key(server: EmulatorServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        start_headers = {
            "x-goog-api-key": "k",
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": "10",
            "Content-Type": "application/json",
        }
        body = json.dumps({"file": {"mimeType": "text/plain", "displayName": "d"}})
        connection.request("POST", "/upload/v1beta/files", body=body, headers=start_headers)
        start = connection.getresponse()
        assert start.read() == b""
        assert start.status == 200
        assert start.getheader("X-Goog-Upload-Status") == "active"
        url = urlsplit(start.getheader("X-Goog-Upload-URL") or "")
        assert f"{url.scheme}://{url.netloc}" == server.base_url
        target = f"{url.path}?{url.query}"

        def chunk(data: bytes, command: str, offset: int) -> tuple[int, str | None, bytes]:
            headers = {"X-Goog-Upload-Command": command, "X-Goog-Upload-Offset": str(offset)}
            connection.request("POST", target, body=data, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheader("X-Goog-Upload-Status"), answer.read()

        assert chunk(b"01234", "upload", 0) == (200, "active", b"")
        status, upload_status, wrong = chunk(b"xx", "upload", 1)
        assert (status, upload_status) == (400, "final")
        assert json.loads(wrong)["error"]["status"] == "INVALID_ARGUMENT"
        status, upload_status, final = chunk(b"56789", "upload, finalize", 5)
        assert (status, upload_status) == (200, "final")
        resource = json.loads(final)["file"]
        assert resource["sizeBytes"] == "10"
        assert resource["mimeType"] == "text/plain"
        assert resource["state"] == "ACTIVE"
        assert resource["source"] == "UPLOADED"
    finally:
        connection.close()
