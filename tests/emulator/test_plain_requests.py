"""The emulator's fast paths for plain requests answer exactly as its general model does."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from langchain_gemini_batch.testing.emulator import _inputs, _model
from langchain_gemini_batch.testing.emulator._inputs import parse_jsonl
from langchain_gemini_batch.testing.emulator._plain import plain_response, plain_response_json
from langchain_gemini_batch.testing.emulator._wire import dumps

pytestmark = pytest.mark.emulator

_PIECES = ["a", " ", '"', "\\", "\n", "é", "😀", "\u2028", "[[blocked]]", "x" * 40, "\x00", "{}"]


def _general(request: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(_model, "plain_response", lambda *_: None)
        return _model.generate_response(request, model="models/gemini-2.5-flash")


def _random_request(rng: random.Random) -> dict[str, Any]:
    contents = []
    for _ in range(rng.randint(1, 4)):
        parts = [
            {"text": "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 6)))}
            for _ in range(rng.randint(0, 3))
        ]
        content: dict[str, Any] = {"parts": parts}
        role = rng.choice([None, None, "user", "model", "system"])
        if role is not None:
            content["role"] = role
        contents.append(content)
    return {"contents": contents}


def test_plain_answers_equal_the_general_model_to_the_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    plain = 0
    for _ in range(1500):
        request = _random_request(rng)
        general = _general(request, monkeypatch)
        fast = plain_response(request, "gemini-2.5-flash")
        text = plain_response_json(request, "gemini-2.5-flash")
        if fast is None:  # blocked prompts take the general way
            assert text is None
            assert "[[blocked]]" in json.dumps(request, ensure_ascii=False)
            continue
        plain += 1
        assert fast == general
        assert text == dumps(fast) == dumps(general)  # same fields, same order, same bytes
    assert plain > 1000


@pytest.mark.parametrize(
    "request_body",
    [
        {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"temperature": 0}},
        {"contents": [{"parts": [{"text": "hi", "thought": True}]}]},
        {"contents": [{"parts": [{"text": "hi"}], "role": None}]},
        {"contents": [{"parts": [{"inlineData": {"data": "", "mimeType": "a/b"}}]}]},
        {"contents": [{"parts": [{"text": "hi"}]}], "systemInstruction": {"parts": []}},
    ],
)
def test_anything_else_is_not_plain(request_body: dict[str, Any]) -> None:
    assert plain_response(request_body, "gemini-2.5-flash") is None
    assert plain_response_json(request_body, "gemini-2.5-flash") is None


def test_plain_jsonl_lines_are_read_as_the_full_checks_read_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(3)
    lines = [json.dumps({"key": f"k{i}", "request": _random_request(rng)}) for i in range(300)]
    lines += [
        '{"key": "nan", "request": {"contents": [{"parts": [{"text": NaN}]}]}}',
        '{"key": "extra", "request": {"contents": [{"parts": []}]}, "other": 1}',
        '{"key": "empty", "request": {"contents": []}}',
        '{"key": "config", "request": {"contents": [{"parts": []}], "generationConfig": {"x": 1}}}',
        "not json",
        "",
    ]
    data = "\n".join(lines).encode()
    fast = parse_jsonl(data)
    with monkeypatch.context() as patch:
        patch.setattr(_inputs, "_plain_line", lambda raw: None)
        checked = parse_jsonl(data)
    assert fast == checked
    assert [item.key for item in fast[-5:]] == [None, "extra", "empty", "config", None]
    assert all(item.problem is None for item in fast[:300])
