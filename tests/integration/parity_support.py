"""Run the same input through `ChatGoogleGenerativeAI` and `ChatGeminiBatch`; read both wires.

The emulator's request log keeps every body: langchain-google-genai's online
`generateContent` body and the request inside `ChatGeminiBatch`'s batch job (and its online
body) are read back and cut down to the fields that carry the request's meaning.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.runnables import Runnable
from langchain_google_genai import ChatGoogleGenerativeAI

from langchain_gemini_batch import ChatGeminiBatch
from langchain_gemini_batch.testing.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"
KEY = "parity-test-key"
WIRE_FIELDS = (
    "contents",
    "systemInstruction",
    "generationConfig",
    "safetySettings",
    "tools",
    "toolConfig",
    "cachedContent",
    "labels",
)
"""What the issue compares: everything that shapes the answer."""

Build = Callable[[BaseChatModel], Runnable[Any, Any]]


def plain(model: BaseChatModel) -> Runnable[Any, Any]:
    return model


def wire(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in WIRE_FIELDS if name in body}


def lcgg_model(server: EmulatorServer, **kwargs: Any) -> ChatGoogleGenerativeAI:
    kwargs.setdefault("model", MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ChatGoogleGenerativeAI(
            api_key=KEY, base_url=server.base_url, max_retries=1, **kwargs
        )


def our_model(server: EmulatorServer, **kwargs: Any) -> ChatGeminiBatch:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("api_key", KEY)
    return ChatGeminiBatch(base_url=server.base_url, max_retries=0, batch_poll_interval=0, **kwargs)


def _run(call: Callable[[], Any]) -> None:
    """Send; the answer (or Google's refusal of the request) does not matter here."""
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        call()


def lcgg_wire(
    server: EmulatorServer,
    settings: dict[str, Any],
    messages: LanguageModelInput,
    build: Build = plain,
    **call: Any,
) -> dict[str, Any]:
    """The body langchain-google-genai sends for one `invoke`."""
    model = lcgg_model(server, **settings)
    return _online_body(server, build(model), messages, "langchain-google-genai", call)


def batch_wire(
    server: EmulatorServer,
    settings: dict[str, Any],
    messages: LanguageModelInput,
    build: Build = plain,
    **call: Any,
) -> dict[str, Any]:
    """The request inside the one batch job `ChatGeminiBatch.batch([messages])` creates."""
    server.clear_requests()
    runnable = build(our_model(server, **settings))
    _run(lambda: runnable.batch([messages], **call))
    creates = [r.body for r in server.requests if r.action == "batchGenerateContent"]
    assert len(creates) == 1, f"ChatGeminiBatch created {len(creates)} jobs"
    [item] = creates[0]["batch"]["inputConfig"]["requests"]["requests"]
    return wire(item["request"])


def online_wire(
    server: EmulatorServer,
    settings: dict[str, Any],
    messages: LanguageModelInput,
    build: Build = plain,
    **call: Any,
) -> dict[str, Any]:
    """The body `ChatGeminiBatch` sends for one online `invoke`."""
    model = our_model(server, **settings)
    return _online_body(server, build(model), messages, "ChatGeminiBatch", call)


def _online_body(
    server: EmulatorServer,
    runnable: Any,
    messages: LanguageModelInput,
    who: str,
    call: dict[str, Any],
) -> dict[str, Any]:
    """The one `generateContent` body `runnable.invoke(messages, **call)` sends."""
    server.clear_requests()
    _run(lambda: runnable.invoke(messages, **call))
    bodies = [r.body for r in server.requests if r.action == "generateContent"]
    assert len(bodies) == 1, f"{who} sent {len(bodies)} online requests"
    return wire(bodies[0])
