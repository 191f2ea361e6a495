"""`inject`: one chosen call fails, hangs up or answers late; clients killed mid-upload."""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx2
import pytest
from google import genai
from google.genai import errors, types

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, inline_requests, jsonl, make_client

pytestmark = pytest.mark.emulator

LINE = {"key": "a", "request": {"contents": [{"parts": [{"text": "x"}]}]}}


def _statuses(server: EmulatorServer, action: str) -> list[int]:
    return [r.status for r in server.requests if r.action == action]


def test_only_the_nth_status_poll_fails(server: EmulatorServer, client: genai.Client) -> None:
    job = client.batches.create(model=MODEL, src=inline_requests(1))
    assert job.name is not None
    server.inject("batches.get", nth=3, status=503)
    for _ in range(2):
        client.batches.get(name=job.name)
    with pytest.raises(errors.ServerError) as caught:
        client.batches.get(name=job.name)
    assert caught.value.code == 503
    assert caught.value.status == "UNAVAILABLE"
    assert client.batches.get(name=job.name).done
    assert _statuses(server, "batches.get") == [200, 200, 503, 200]
    assert server.pending_faults == []


def test_the_results_download_fails_once(server: EmulatorServer, client: genai.Client) -> None:
    uploaded = client.files.upload(file=io.BytesIO(jsonl([LINE])), config={"mime_type": "jsonl"})
    assert uploaded.name is not None
    job = client.batches.create(model=MODEL, src=uploaded.name)
    assert job.name is not None
    finished = client.batches.get(name=job.name)
    assert finished.dest is not None
    assert finished.dest.file_name is not None
    server.inject("files.download", status=500)
    with pytest.raises(errors.ServerError):
        client.files.download(file=finished.dest.file_name)
    data = client.files.download(file=finished.dest.file_name)
    assert json.loads(data)["key"] == "a"
    assert _statuses(server, "files.download") == [500, 200]


def test_drop_before_closes_the_connection_and_does_nothing(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.inject("batchGenerateContent", drop="before")
    with pytest.raises(httpx2.RemoteProtocolError):
        client.batches.create(model=MODEL, src=inline_requests(1))
    assert server.counts().jobs == 0
    (logged,) = server.requests
    assert (logged.status, logged.dropped) == (0, True)
    assert client.batches.create(model=MODEL, src=inline_requests(1)).name
    assert server.counts().jobs == 1


def test_drop_after_creates_the_job_the_client_never_hears_of(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.inject("batchGenerateContent", drop="after")
    with pytest.raises(httpx2.RemoteProtocolError):
        client.batches.create(model=MODEL, src=inline_requests(1), config={"display_name": "x"})
    counts = server.counts()
    assert counts.jobs == 1
    assert counts.jobs_by_state == {"BATCH_STATE_SUCCEEDED": 1}
    assert [job.display_name for job in client.batches.list()] == ["x"]


async def test_slow_answer_times_out_a_client_although_the_job_exists() -> None:
    with EmulatorServer(job_seconds=60) as server:
        server.inject("batchGenerateContent", delay=3)
        options = types.HttpOptions(base_url=server.base_url, api_version="v1beta", timeout=300)
        with genai.Client(api_key="k", http_options=options) as client:
            async with client.aio as aio:
                with pytest.raises(httpx2.ReadTimeout):
                    await aio.batches.create(model=MODEL, src=inline_requests(2))
                listed = [job async for job in await aio.batches.list()]
        assert server.counts().jobs_by_state == {"BATCH_STATE_PENDING": 1}
        assert [job.state for job in listed] == [types.JobState.JOB_STATE_PENDING]
        (created,) = [r for r in server.requests if r.action == "batchGenerateContent"]
        assert (created.status, created.delay_seconds, created.dropped) == (200, 3, False)


def test_delay_then_answer_reaches_a_patient_client(server: EmulatorServer) -> None:
    server.inject("generateContent", delay=0.2)
    with make_client(server) as client:
        assert client.models.generate_content(model=MODEL, contents="late").text == "Echo: late"


def test_any_action_fault_counts_every_call(server: EmulatorServer, client: genai.Client) -> None:
    server.inject(nth=2, status=429)
    client.models.generate_content(model=MODEL, contents="a")
    with pytest.raises(errors.ClientError) as caught:
        client.batches.create(model=MODEL, src=inline_requests(1))
    assert caught.value.code == 429
    assert [r.status for r in server.requests] == [200, 429]


def test_due_faults_fire_one_per_call_in_planned_order(
    server: EmulatorServer, client: genai.Client
) -> None:
    server.inject_errors(503, action="countTokens")
    server.inject("countTokens", nth=1, status=500)
    server.inject("countTokens", nth=2, status=504)
    codes = []
    for _ in range(4):
        try:
            client.models.count_tokens(model=MODEL, contents="x")
            codes.append(200)
        except errors.APIError as error:
            codes.append(error.code)
    assert codes == [503, 500, 504, 200]
    assert server.requests[2].status == 504


def test_pending_and_cleared_faults(server: EmulatorServer, client: genai.Client) -> None:
    server.inject("batches.list", nth=2, status=500)
    list(client.batches.list())
    (pending,) = server.pending_faults
    assert (pending.action, pending.skip, pending.status) == ("batches.list", 0, 500)
    server.clear_faults()
    list(client.batches.list())
    assert _statuses(server, "batches.list") == [200, 200]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nth": 0, "status": 500}, "nth must be 1 or more"),
        ({"status": 418}, "cannot inject HTTP 418"),
        ({"status": 500, "drop": "after"}, "not both"),
        ({"drop": "later"}, "drop must be"),
        ({"delay": -1}, "delay must be"),
        ({}, "give status, drop or delay"),
    ],
)
def test_bad_fault_plans_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorServer().inject("generateContent", **kwargs)  # type: ignore[arg-type]


def _start_upload(base_url: str, size: int) -> tuple[http.client.HTTPConnection, str]:
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    connection.request(
        "POST",
        "/upload/v1beta/files",
        body=json.dumps({"file": {"mime_type": "jsonl"}}),
        headers={
            "x-goog-api-key": "k",
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(size),
        },
    )
    response = connection.getresponse()
    response.read()
    return connection, str(response.getheader("X-Goog-Upload-URL"))


def test_a_chunk_cut_short_is_ignored_and_the_upload_can_resume(server: EmulatorServer) -> None:
    connection, upload_url = _start_upload(server.base_url, 4)
    path = upload_url.removeprefix(server.base_url)
    with socket.create_connection((urlsplit(server.base_url).hostname, server.port)) as raw:
        raw.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nX-Goog-Upload-Command: upload, finalize\r\n"
            "X-Goog-Upload-Offset: 0\r\nContent-Length: 100\r\n\r\nabcd".encode()
        )  # then the "client" dies: 4 of 100 bytes sent
    assert server.counts().open_uploads == 1
    connection.request(
        "POST",
        path,
        body=b"wxyz",
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.getheader("X-Goog-Upload-Status") == "final"
    assert body["file"]["sizeBytes"] == "4"
    assert [r.action for r in server.requests] == ["files.upload", "files.uploadChunk"]
    counts = server.counts()
    assert (counts.open_uploads, counts.uploaded_files, counts.files) == (0, 1, 1)


_UPLOADER = """
import io, os, sys
from google import genai
client = genai.Client(api_key="k", http_options={"base_url": os.environ["EMULATOR_URL"],
                                                 "api_version": "v1beta"})
client.files.upload(file=io.BytesIO(b"x" * (9 * 1024 * 1024)), config={"mime_type": "jsonl"})
"""


def test_a_client_killed_mid_upload_leaves_the_emulator_healthy() -> None:
    with EmulatorServer() as server:
        server.inject("files.uploadChunk", nth=1, delay=60)  # hold the first 8 MiB chunk
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "GEMINI_"))}
        env["EMULATOR_URL"] = server.base_url
        process = subprocess.Popen([sys.executable, "-c", _UPLOADER], env=env)
        try:
            deadline = time.monotonic() + 60
            while server.count("files.uploadChunk") == 0 and process.poll() is None:
                assert time.monotonic() < deadline, "the uploader never sent a chunk"
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) != 0
        finally:
            if process.poll() is None:
                process.kill()
        assert server.counts().open_uploads == 1
        with make_client(server) as client:
            uploaded = client.files.upload(
                file=io.BytesIO(jsonl([LINE])), config={"mime_type": "jsonl"}
            )
            assert uploaded.state == types.FileState.ACTIVE
            assert [f.name for f in client.files.list()] == [uploaded.name]
        counts = server.counts()
        assert (counts.open_uploads, counts.uploaded_files) == (1, 1)
        assert server.count("files.upload") == 2
