"""Values Google would refuse are the package's errors, before anything is sent."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import ChatGeminiBatch, InvalidRequestError, LMOutput
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.conftest import API_KEY, FAST, MODEL, jobs_created, make_invoker

SURROGATE = "bad \ud800 text"


async def test_a_lone_surrogate_names_its_request_and_field(
    server: EmulatorServer, journal_path: Path
) -> None:
    invoker = make_invoker(server, journal_path)
    with pytest.raises(InvalidRequestError, match=r"'q2'.*contents\[0\]\.parts\[0\]\.text"):
        await invoker.batch.invoke({"q1": "fine", "q2": SURROGATE}, polling=FAST)
    assert server.requests == []  # nothing was sent
    results = await invoker.batch.invoke(
        {"q1": "fine", "q2": SURROGATE}, polling=FAST, skip_invalid=True
    )
    assert isinstance(results["q1"], LMOutput)
    assert isinstance(results["q2"], InvalidRequestError)
    assert jobs_created(server) == 1


async def test_a_bad_request_id_is_refused(server: EmulatorServer, journal_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="lone surrogate"):
        await make_invoker(server, journal_path).batch.create({"id-\udc00": "hi"})
    assert server.requests == []


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"temperature": math.nan}, "temperature"),
        ({"temperature": math.inf}, "temperature"),
        ({"temperature": 3.5}, "temperature"),
        ({"max_output_tokens": 0}, "maxOutputTokens"),
        ({"max_output_tokens": -5}, "maxOutputTokens"),
        ({"top_p": 1.5}, "topP"),
        (
            {"response_mime_type": "application/json", "response_json_schema": {"type": "foo"}},
            "responseJsonSchema.type",
        ),
        ({"tools": [{"function_declarations": [{"name": "bad name!"}]}]}, "name 'bad name!'"),
    ],
)
async def test_bad_settings_fail_before_anything_is_sent(
    server: EmulatorServer, journal_path: Path, settings: dict[str, Any], field: str
) -> None:
    invoker = make_invoker(server, journal_path)
    with pytest.raises(InvalidRequestError, match=field):
        await invoker.batch.create({"a": "hi"}, settings)
    with pytest.raises(InvalidRequestError, match=field):
        await invoker.invoke("hi", settings)  # online too
    assert server.requests == []


async def test_in_abatch_a_bad_input_fails_alone(server: EmulatorServer) -> None:
    model = ChatGeminiBatch(
        model=MODEL, api_key=API_KEY, base_url=server.base_url, batch_poll_interval=0.01
    )
    outcomes = await model.abatch(["one", SURROGATE, "three"], return_exceptions=True)
    assert [type(o).__name__ for o in outcomes] == ["AIMessage", "InvalidRequestError", "AIMessage"]
    assert "lone surrogate" in str(outcomes[1])
    assert jobs_created(server) == 1
