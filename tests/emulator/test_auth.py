"""API keys as Google checks them; the key never reaches the request log."""

from __future__ import annotations

import http.client
import json

import pytest
from google.genai import errors

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, inline_requests, make_client

pytestmark = pytest.mark.emulator

SECRET = "sk-very-secret-123"


def _post(
    server: EmulatorServer, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        body = json.dumps({"contents": [{"parts": [{"text": "x"}]}]})
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_missing_key_is_403_with_googles_message(server: EmulatorServer) -> None:
    status, body = _post(server, f"/v1beta/models/{MODEL}:generateContent", {})
    assert status == 403
    assert body == {
        "error": {
            "code": 403,
            "message": "Method doesn't allow unregistered callers (callers without "
            "established identity). Please use API Key or other form of API consumer identity "
            "to call this API.",
            "status": "PERMISSION_DENIED",
        }
    }


def test_wrong_key_is_400_api_key_invalid() -> None:
    with EmulatorServer(api_key=SECRET) as server:
        with (
            make_client(server, api_key="wrong") as client,
            pytest.raises(errors.ClientError) as caught,
        ):
            client.batches.create(model=MODEL, src=inline_requests(1))
        with make_client(server, api_key=SECRET) as client:
            assert client.models.generate_content(model=MODEL, contents="ok").text == "Echo: ok"
    assert caught.value.code == 400
    assert caught.value.message == "API key not valid. Please pass a valid API key."
    reasons = [d.get("reason") for d in caught.value.details["error"]["details"]]
    assert "API_KEY_INVALID" in reasons


def test_key_in_query_parameter_works_and_is_not_logged() -> None:
    with EmulatorServer(api_key=SECRET) as server:
        status, _ = _post(server, f"/v1beta/models/{MODEL}:generateContent?key={SECRET}", {})
        with make_client(server, api_key=SECRET) as client:
            client.batches.create(model=MODEL, src=inline_requests(1))
        log = server.requests
    assert status == 200
    assert log[0].query == {}
    assert len(log) == 2
    assert SECRET not in repr(log)


def test_upload_chunks_need_no_key_but_start_does() -> None:
    with EmulatorServer(api_key=SECRET) as server:
        status, body = _post(
            server, "/upload/v1beta/files", {"X-Goog-Upload-Protocol": "resumable"}
        )
        assert status == 403
        status, body = _post(server, "/upload/v1beta/files?upload_id=nope", {})
    assert status == 404  # judged by its upload id, not by a key
    assert body["error"]["status"] == "NOT_FOUND"  # type: ignore[index]
