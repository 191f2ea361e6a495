"""`ChatGeminiBatch` without a server: construction, secrets, options, bindings, sync bridge."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from langchain_core.load import dumpd
from pydantic import BaseModel, SecretStr, ValidationError

from langchain_gemini_batch._sync import iterate_sync, run_sync
from langchain_gemini_batch.chat_models import ChatGeminiBatch
from langchain_gemini_batch.errors import (
    BackendNotSupportedError,
    InvalidRequestError,
    UnknownParameterError,
)
from langchain_gemini_batch.langchain.generation import call_options
from langchain_gemini_batch.langchain.settings import ChatSettings

KEY = "AIza-very-secret-0042"


def make(**kwargs: object) -> ChatGeminiBatch:
    return ChatGeminiBatch(model="gemini-2.5-flash", api_key=KEY, **kwargs)


def test_constructor_aliases_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ChatGeminiBatch(model_name="gemini-2.5-pro", max_tokens=64, api_key="k")  # type: ignore[call-arg]
    assert (model.model, model.max_output_tokens) == ("gemini-2.5-pro", 64)
    assert model.google_api_key == SecretStr("k")
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini-env")
    assert ChatGeminiBatch(model="m").google_api_key == SecretStr("from-gemini-env")
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google-env")
    assert ChatGeminiBatch(model="m").google_api_key == SecretStr("from-google-env")


def test_construction_does_no_io_and_builds_no_client() -> None:
    model = make()
    model.bind_tools([{"google_search": {}}]).with_config(tags=["x"])
    assert model._invokers == {}
    invoker = model._invoker()
    assert model._invoker() is invoker  # built once, reused
    assert "sdk" not in invoker.client.__dict__  # the google-genai client is still lazy


def test_unknown_arguments_are_rejected_with_a_suggestion() -> None:
    with pytest.raises(
        UnknownParameterError,
        match=r"unknown ChatGeminiBatch argument 'temprature'; did you mean 'temperature'",
    ):
        make(temprature=0.2)
    with pytest.raises(UnknownParameterError, match="did you mean 'base_url'"):
        make(api_base="http://x")


@pytest.mark.parametrize("name", ["batch_timout", "maxOutputTokens", "request_timeout"])
def test_hints_only_name_a_setting_that_means_the_same(name: str) -> None:
    if name == "request_timeout":  # langchain-google-genai's alias of timeout: accepted
        assert make(request_timeout=3).timeout == 3
        return
    with pytest.raises(UnknownParameterError) as caught:
        make(**{name: 1})
    expected = {"batch_timout": "batch_timeout", "maxOutputTokens": "max_output_tokens"}[name]
    assert f"did you mean {expected!r}" in str(caught.value)


@pytest.mark.parametrize("name", ["api_versions_x", "output_formats", "batch_size"])
def test_no_hint_for_a_name_that_only_looks_alike(name: str) -> None:
    with pytest.raises(UnknownParameterError) as caught:
        make(**{name: 1})
    assert "did you mean" not in str(caught.value)


def test_langchain_google_genai_defaults_and_aliases() -> None:
    model = make()
    assert (model.temperature, model.max_retries, model.n, model.timeout) == (0.7, 6, 1, None)
    assert model.streaming is None
    gemini3 = ChatGeminiBatch(model="gemini-3-flash-preview", api_key=KEY)
    assert gemini3.temperature is None  # lcgg leaves Gemini 3's default to Google
    assert ChatGeminiBatch(model="gemini-3-flash-preview", temperature=0.2).temperature == 0.2
    aliased = make(
        request_timeout=9,
        retries=2,
        candidate_count=2,
        stop_sequences=["x"],
        thinking_level="low",
        client_options={"api_endpoint": "http://127.0.0.1:1"},
        default_metadata_input=[("a", "b")],
    )
    assert (aliased.timeout, aliased.max_retries, aliased.n, aliased.stop) == (9, 2, 2, ["x"])
    assert (aliased.reasoning_effort, aliased.thinking_level) == ("low", "low")
    assert aliased.base_url == "http://127.0.0.1:1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 2.5}, "temperature must be in the range"),
        ({"top_p": 1.5}, "top_p must be in the range"),
        ({"top_k": 0}, "top_k must be positive"),
        ({"presence_penalty": -3}, "presence_penalty must be in the range"),
        ({"client_options": {"api_endpoint": "x", "other": 1}}, "may only hold 'api_endpoint'"),
        ({"model_kwargs": {"temperature": 1}}, "pass 'temperature' as a constructor argument"),
        ({"model_kwargs": {"respone_logprobs": 1}}, "did you mean 'response_logprobs'"),
    ],
)
def test_settings_are_validated_as_langchain_google_genai_does(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make(**kwargs)


def test_a_grpc_transport_is_refused_saying_why() -> None:
    with pytest.raises(BackendNotSupportedError, match="over REST through google-genai"):
        make(transport="grpc")
    assert make(transport="rest").transport == "rest"


def test_vertex_ai_settings_are_accepted_and_checked_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEMINI_BATCH_GCS_STAGING_URI", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    model = make(vertexai=True, project="p", location="europe-west4")  # no error yet
    assert model.uses_vertexai()
    with pytest.raises(InvalidRequestError, match="gcs_staging_uri"):
        model.batch(["hi"])  # batches on Vertex AI stage their requests in Cloud Storage
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    assert make().uses_vertexai()
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "false")
    assert not make(project="p").uses_vertexai()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_poll_interval": 5, "batch_poll_max_interval": 1}, "batch_poll_max_interval"),
        ({"batch_inline_max_bytes": 50_000_000}, "inline_max_bytes"),
        ({"batch_poll_interval": -1}, "greater than or equal to 0"),
        ({"batch_timeout": 0}, "greater than 0"),
    ],
)
def test_batch_options_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make(**kwargs)


def test_the_key_never_appears_in_repr_dumps_or_errors() -> None:
    model = make()
    serialized = json.dumps(dumpd(model))
    assert '"GOOGLE_API_KEY"' in serialized  # a reference to the env var, not the value
    with pytest.raises(UnknownParameterError) as caught:
        make(temprature=1)
    texts = [repr(model), str(model), serialized, repr(model._invoker()), str(caught.value)]
    texts.append(repr(model.asdict()))
    for text in texts:
        assert KEY not in text


def test_ls_params() -> None:
    model = make(temperature=0.3, max_tokens=10, stop=["END"])
    assert model._get_ls_params() == {
        "ls_provider": "google_genai",
        "ls_model_name": "gemini-2.5-flash",
        "ls_model_type": "chat",
        "ls_temperature": 0.3,
        "ls_max_tokens": 10,
        "ls_stop": ["END"],
    }
    override = model._get_ls_params(model="models/gemini-2.5-pro", temperature=1, max_tokens=5)
    assert (override["ls_model_name"], override["ls_temperature"]) == ("gemini-2.5-pro", 1.0)
    assert override["ls_max_tokens"] == 5


def test_identifying_params_are_langchain_google_genais() -> None:
    model = make(temperature=0, top_k=3, thinking_budget=0, include_thoughts=False)
    params = model._identifying_params
    assert params["model"] == "gemini-2.5-flash"
    assert (params["temperature"], params["top_k"], params["n"]) == (0, 3, 1)
    assert (params["thinking_budget"], params["include_thoughts"]) == (0, False)
    assert model._llm_type == "gemini-batch-chat"


def test_call_options() -> None:
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    options = call_options(
        ChatSettings(model="gemini-2.5-flash", temperature=0.7),
        None,
        {
            "stop": ["x"],
            "max_tokens": 9,
            "tools": [add],
            "tool_choice": "add",
            "model": "gemini-2.5-pro",
            "ls_structured_output_format": {"schema": {}},
            "seed": 4,
            "timeout": 5,
        },
    )
    assert options.model == "gemini-2.5-pro"
    assert options.stop == ["x"]
    assert options.timeout == 5
    assert options.ls_structured_output_format == {"schema": {}}
    hyper = options.hyperparameters
    assert (hyper["stop_sequences"], hyper["max_output_tokens"], hyper["seed"]) == (["x"], 9, 4)
    assert (hyper["temperature"], hyper["candidate_count"], hyper["safety_settings"]) == (
        0.7,
        1,
        [],
    )
    config = hyper["tool_config"].function_calling_config
    assert (config.mode, config.allowed_function_names) == ("ANY", ["add"])
    assert hyper["tools"][0].function_declarations[0].name == "add"
    assert set(hyper) == {
        "stop_sequences",
        "max_output_tokens",
        "seed",
        "tools",
        "tool_config",
        "temperature",
        "candidate_count",
        "safety_settings",
    }
    # an explicit stop argument wins over a bound one
    assert call_options(ChatSettings(model="m"), ["y"], {"stop": ["x"]}).stop == ["y"]
    with pytest.raises(InvalidRequestError, match="only supported when response_mime_type"):
        call_options(ChatSettings(model="m"), None, {"response_schema": {"type": "object"}})
    with pytest.raises(InvalidRequestError, match="without tools"):
        call_options(ChatSettings(model="m"), None, {"tool_choice": "any"})


def test_bind_tools_binds_openai_tools_and_the_raw_tool_choice() -> None:
    class Lookup(BaseModel):
        """Look a word up."""

        word: str

    bound = make().bind_tools([Lookup], tool_choice="any", tool_config={"retrieval_config": {}})
    kwargs = bound.kwargs  # type: ignore[attr-defined]
    assert kwargs["tool_choice"] == "any"
    assert kwargs["tool_config"] == {"retrieval_config": {}}
    assert kwargs["tools"][0]["function"]["name"] == "Lookup"
    native = make().bind_tools([{"google_search": {}}]).kwargs  # type: ignore[attr-defined]
    assert isinstance(native["tools"][0]["google_search"], dict)  # lcgg's plain Tool dump


def test_with_structured_output_rejects_bad_arguments() -> None:
    model = make()
    with pytest.raises(ValueError, match="unknown method 'xml'"):
        model.with_structured_output({"type": "object"}, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unsupported with_structured_output arguments"):
        model.with_structured_output({"type": "object"}, tools=[])
    with pytest.raises(InvalidRequestError, match="needs a schema"):
        model.with_structured_output(None, method="function_calling")


async def test_run_sync_inside_a_running_loop_uses_a_worker_thread() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_sync(answer) == 42


def test_iterate_sync_yields_items_and_raises_errors() -> None:
    async def numbers() -> AsyncIterator[int]:
        for number in range(3):
            yield number
        raise RuntimeError("boom")

    seen = []
    items = iterate_sync(numbers)
    seen.extend([next(items), next(items), next(items)])
    with pytest.raises(RuntimeError, match="boom"):
        next(items)
    assert seen == [0, 1, 2]


async def test_empty_abatch_makes_no_call() -> None:
    assert await make().abatch([]) == []
    assert make().batch([]) == []
