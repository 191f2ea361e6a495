"""Canned Google responses behind the real google-genai SDK (an httpx2 MockTransport).

The SDK builds and sends real HTTP requests; this transport answers them from queues of
canned responses and records what was sent, so unit tests need no server and no network.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import httpx2
from google.genai import types

from langchain_gemini_batch import GoogleLMInvoker

BASE_URL = "http://fake-google.test"


@dataclass
class Sent:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


def operation(
    job_id: str = "job1",
    state: str = "BATCH_STATE_PENDING",
    *,
    inlined: list[dict[str, Any]] | None = None,
    responses_file: str | None = None,
    stats: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
    display_name: str = "langchain-gemini-batch",
) -> dict[str, Any]:
    """A batch Operation as Google sends it."""
    metadata: dict[str, Any] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": "models/gemini-2.5-flash",
        "displayName": display_name,
        "createTime": "2026-01-01T00:00:00.000000000Z",
        "updateTime": "2026-01-01T00:00:01.000000000Z",
        "state": state,
        "name": f"batches/{job_id}",
    }
    if stats:
        metadata["batchStats"] = stats
    op: dict[str, Any] = {"name": f"batches/{job_id}", "metadata": metadata}
    if inlined is not None or responses_file is not None:
        output = (
            {"inlinedResponses": {"inlinedResponses": inlined}}
            if inlined is not None
            else {"responsesFile": responses_file}
        )
        metadata["output"] = output
        op["response"] = output
    if state in {
        "BATCH_STATE_SUCCEEDED",
        "BATCH_STATE_FAILED",
        "BATCH_STATE_CANCELLED",
        "BATCH_STATE_EXPIRED",
    }:
        op["done"] = True
    if error:
        op["error"] = error
    return op


def answer(text: str, *, prompt_tokens: int = 3, thoughts: int = 0) -> dict[str, Any]:
    """A GenerateContentResponse with one text candidate."""
    usage = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": len(text.split()),
        "totalTokenCount": prompt_tokens + len(text.split()) + thoughts,
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return {
        "candidates": [
            {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}
        ],
        "usageMetadata": usage,
        "modelVersion": "gemini-2.5-flash-001",
        "responseId": "resp-" + text[:8],
    }


class FakeGoogle:
    """Routes `(METHOD, path regex)` to queued responses; records every request sent."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._routes: dict[tuple[str, str], deque[Any]] = defaultdict(deque)

    def on(self, method: str, pattern: str, *responses: Any) -> None:
        """Queue responses (dicts, or `(status, body)`, or `(status, body, headers)`)."""
        self._routes[(method.upper(), pattern)].extend(responses)

    def requests_to(self, method: str, pattern: str) -> list[Sent]:
        return [s for s in self.sent if s.method == method and re.search(pattern, s.path)]

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        raw = request.content
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        path = request.url.path
        self.sent.append(
            Sent(request.method, path, request.url.query.decode(), dict(request.headers), body)
        )
        for (method, pattern), queue in self._routes.items():
            if method == request.method and re.search(pattern, path) and queue:
                reply = queue[0] if len(queue) == 1 else queue.popleft()
                status, payload, headers = 200, reply, dict[str, str]()
                if isinstance(reply, tuple):
                    status, payload, *rest = reply
                    headers = rest[0] if rest else {}
                if isinstance(payload, bytes):
                    return httpx2.Response(status, content=payload, headers=headers)
                return httpx2.Response(status, json=payload, headers=headers)
        if request.method == "GET" and path.endswith("/batches"):
            return httpx2.Response(200, json={"operations": []})  # no earlier jobs by default
        return httpx2.Response(
            404, json={"error": {"code": 404, "message": f"no route {path}", "status": "NOT_FOUND"}}
        )

    def invoker(self, **kwargs: Any) -> GoogleLMInvoker:
        transport = httpx2.MockTransport(self.handler)
        options = types.HttpOptions(
            client_args={"transport": transport},
            async_client_args={"transport": transport},
            retry_options=types.HttpRetryOptions(initial_delay=0.001, max_delay=0.002),
        )
        kwargs.setdefault("api_key", "fake-key-123")
        return GoogleLMInvoker(
            kwargs.pop("model_name", "gemini-2.5-flash"),
            base_url=BASE_URL,
            http_options=options,
            **kwargs,
        )
