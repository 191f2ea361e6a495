"""Errors LangChain understands, and keys that never leave.

Every failure reaches LangChain code as the langchain-core class langchain-google-genai
raises for it (checked side by side on the emulator), also as `GeminiBatchError` and as
google-genai's `ClientError`/`ServerError`. The API key is nowhere reachable from an error
(arguments, attributes, cause and context chain, pickles, tracebacks with local variables),
nor in a pickled model or invoker, before or after first use.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import traceback
import warnings
from typing import Any

import pytest
from google.genai import errors as genai_errors
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelNotFoundError,
    ModelRateLimitError,
)

from langchain_gemini_batch import ChatGeminiBatch, GoogleLMInvoker
from langchain_gemini_batch.errors import GeminiAPIError, GeminiBatchError, MissingApiKeyError
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.integration.parity_support import lcgg_model, our_model

pytestmark = pytest.mark.emulator

PLANTED = "AIza-planted-key-7f3e9c41"  # a fake key; it must appear nowhere
RIGHT = "the-one-key-the-emulator-takes"


def langchain_class(error: BaseException) -> type:
    """The most specific langchain-core exception class of an error."""
    return next(c for c in type(error).__mro__ if c.__module__ == "langchain_core.exceptions")


def _raised(call: Any) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except Exception as exc:  # the error is what is examined
            return exc
    raise AssertionError("no error was raised")


@pytest.mark.parametrize("code", [400, 403, 404, 429, 500, 503])
def test_http_errors_are_the_class_langchain_google_genai_raises(
    server: EmulatorServer, code: int
) -> None:
    server.inject_errors(code, action="generateContent")
    theirs = _raised(lambda: lcgg_model(server).invoke("hi"))
    server.inject_errors(code, action="generateContent")
    ours = _raised(lambda: our_model(server).invoke("hi"))
    assert langchain_class(ours) is langchain_class(theirs)
    assert isinstance(ours, GeminiAPIError)
    sdk_class = genai_errors.ClientError if code < 500 else genai_errors.ServerError
    assert isinstance(ours, sdk_class)
    assert (ours.code, ours.response) == (code, None)
    # the same failure on batch create reaches abatch callers as the same class
    server.inject_errors(code, action="batchGenerateContent")
    failed = _raised(lambda: our_model(server).batch(["hi"]))
    assert langchain_class(failed) is langchain_class(theirs)


@pytest.mark.parametrize(
    "name",
    [
        "not-a-model",
        "gemini-9-nope",
    ],
)
def test_an_unknown_model_is_not_found_and_creates_no_job(
    server: EmulatorServer, name: str
) -> None:
    model = our_model(server, model=name)
    online = _raised(lambda: model.invoke("hi"))
    batch = _raised(lambda: model.batch(["hi"]))
    assert isinstance(online, ModelNotFoundError)
    assert isinstance(batch, ModelNotFoundError)
    assert f"models/{name} is not found" in str(batch)
    assert server.count("batchGenerateContent", status=200) == 0


def test_no_connection_is_a_connection_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = ChatGeminiBatch(
        model="gemini-2.5-flash",
        api_key=PLANTED,
        base_url=f"http://127.0.0.1:{port}",
        max_retries=0,
    )
    error = _raised(lambda: model.invoke("hi"))
    assert isinstance(error, ModelConnectionError)
    assert isinstance(error, GeminiBatchError)
    _assert_no_key(error, PLANTED)


def _reachable(error: BaseException) -> list[object]:
    """The error, its chain, and every attribute value, as far as they go."""
    seen: list[object] = []
    todo: list[object] = [error]
    while todo:
        item = todo.pop()
        if any(item is s for s in seen) or len(seen) > 10_000:
            continue
        seen.append(item)
        if isinstance(item, BaseException):
            todo += [item.__cause__, item.__context__, *item.args]
        if isinstance(item, dict):
            todo += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set)):
            todo += list(item)
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            todo += list(vars(item).values())
    return seen


def _assert_no_key(error: BaseException, key: str) -> None:
    assert error.__cause__ is None
    assert error.__context__ is None
    for item in _reachable(error):
        assert key not in repr(item)
        if isinstance(item, (bytes, str)):
            assert key not in str(item)
    assert key.encode() not in pickle.dumps(error)
    assert key not in str(pickle.loads(pickle.dumps(error)).__dict__)
    assert key not in "".join(traceback.format_exception(error))
    # error trackers capture every frame's local variables: no frame of the package holds it
    captured = traceback.TracebackException.from_exception(error, capture_locals=True)
    for frame in captured.stack:
        if frame.filename == __file__:
            continue  # this test's own frames hold the key on purpose
        assert key not in str(frame.locals), f"{frame.name} holds the key in a local"


def test_a_rejected_key_is_an_auth_error_that_carries_no_key() -> None:
    with EmulatorServer(job_seconds=0, api_key=RIGHT) as server:
        model = our_model(server, api_key=PLANTED)
        for call in (lambda: model.invoke("hi"), lambda: model.batch(["hi"])):
            error = _raised(call)
            assert isinstance(error, ModelAuthenticationError)  # Google: 400 API_KEY_INVALID
            assert isinstance(error, genai_errors.ClientError)
            assert isinstance(error, GeminiBatchError)
            _assert_no_key(error, PLANTED)


def test_errors_with_a_good_key_carry_no_key(server: EmulatorServer) -> None:
    model = our_model(server)
    server.inject_errors(429, action="generateContent")
    error = _raised(lambda: model.invoke("hi"))
    assert isinstance(error, ModelRateLimitError)
    key = model.google_api_key.get_secret_value() if model.google_api_key else ""
    _assert_no_key(error, key)


def test_models_pickle_without_the_key_before_and_after_use(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ChatGeminiBatch(
        model="gemini-2.5-flash", api_key=PLANTED, base_url=server.base_url, batch_poll_interval=0
    )
    before = pickle.dumps(model)
    model.batch(["hi"])
    model.invoke("hi")
    after = pickle.dumps(model)
    assert PLANTED.encode() not in before
    assert PLANTED.encode() not in after
    restored = pickle.loads(after)
    assert restored.google_api_key is None  # never carried; read from the environment
    error = _raised(lambda: restored.invoke("hi"))
    assert isinstance(error, MissingApiKeyError)
    assert isinstance(error, ModelError)
    monkeypatch.setenv("GOOGLE_API_KEY", "from-env")
    again = pickle.loads(after)
    assert again.invoke("hi").content == "Echo: hi"
    assert again.model_dump(exclude={"google_api_key"}) == model.model_dump(
        exclude={"google_api_key"}
    )


def test_invokers_pickle_without_the_key_before_and_after_use(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoker = GoogleLMInvoker("gemini-2.5-flash", PLANTED, base_url=server.base_url, max_retries=0)
    before = pickle.dumps(invoker)
    asyncio.run(invoker.invoke("hi"))
    asyncio.run(invoker.batch.invoke({"a": "hi"}, status_check_interval=0))
    after = pickle.dumps(invoker)
    assert PLANTED.encode() not in before
    assert PLANTED.encode() not in after
    monkeypatch.setenv("GEMINI_API_KEY", "from-env")
    restored = pickle.loads(after)
    assert asyncio.run(restored.invoke("again")).text == "Echo: again"
