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
from langchain_gemini_batch.langchain.settings import split_call_options

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
        ValidationError,
        match=r"unknown ChatGeminiBatch argument 'temprature'.*did you mean 'temperature'",
    ):
        make(temprature=0.2)


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
    with pytest.raises(ValidationError) as caught:
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


def test_identifying_params_and_default_hyperparameters() -> None:
    model = make(temperature=0, top_k=3, thinking_budget=0, include_thoughts=False)
    assert model._identifying_params == {
        "model": "gemini-2.5-flash",
        "temperature": 0,
        "top_k": 3,
        "thinking_config": {"thinking_budget": 0, "include_thoughts": False},
    }
    assert model._llm_type == "gemini-batch-chat"


def test_split_call_options() -> None:
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    options = split_call_options(
        "gemini-2.5-flash",
        None,
        {
            "stop": ["x"],
            "max_tokens": 9,
            "tools": [add],
            "tool_choice": "add",
            "model": "gemini-2.5-pro",
            "ls_structured_output_format": {"schema": {}},
            "seed": 4,
        },
    )
    assert options.model == "gemini-2.5-pro"
    assert options.stop == ["x"]
    assert options.ls_structured_output_format == {"schema": {}}
    assert options.hyperparameters["stop_sequences"] == ["x"]
    assert options.hyperparameters["max_output_tokens"] == 9
    assert options.hyperparameters["seed"] == 4
    assert options.hyperparameters["tool_config"] == {
        "function_calling_config": {"mode": "ANY", "allowed_function_names": ["add"]}
    }
    assert options.hyperparameters["tools"][0]["function_declarations"][0]["name"] == "add"
    assert set(options.hyperparameters) == {
        "stop_sequences",
        "max_output_tokens",
        "seed",
        "tools",
        "tool_config",
    }
    # an explicit stop argument wins over a bound one
    assert split_call_options("m", ["y"], {"stop": ["x"]}).stop == ["y"]


def test_bind_tools_binds_gemini_tools_and_tool_config() -> None:
    class Lookup(BaseModel):
        """Look a word up."""

        word: str

    bound = make().bind_tools([Lookup], tool_choice="any")
    kwargs = bound.kwargs  # type: ignore[attr-defined]
    assert kwargs["tool_config"] == {"function_calling_config": {"mode": "ANY"}}
    assert kwargs["tools"][0]["function_declarations"][0]["name"] == "Lookup"


def test_with_structured_output_rejects_bad_arguments() -> None:
    model = make()
    with pytest.raises(ValueError, match="unknown method 'xml'"):
        model.with_structured_output({"type": "object"}, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unsupported with_structured_output arguments"):
        model.with_structured_output({"type": "object"}, tools=[])
    with pytest.raises(ValueError, match="needs a schema"):
        model.with_structured_output(None)


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
