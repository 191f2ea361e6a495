"""Fast paths for plain requests: text turns only, no settings, tools or system instruction.

A batch of a million short prompts is almost all plain requests, and the general model
(`_model.generate_response`) walks every rule for each of them. For a plain request the rules
reduce to: answer `"Echo: " + P`, finish `STOP`, count the characters of every text part. This
module computes exactly what the general path computes for such a request (a unit test
compares the two over many shapes), in a fraction of the time; anything else goes the general
way.
"""

from __future__ import annotations

import hashlib
import json
import math
from base64 import urlsafe_b64encode
from collections.abc import Mapping
from typing import Any

__all__ = ["compact", "is_plain", "plain_response", "plain_response_json", "quote"]

_ECHO = "Echo: "
_BLOCK_MARKER = "[[blocked]]"
compact = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
"""Sorted-key compact JSON (what the model hashes and measures)."""
quote = json.encoder.encode_basestring
"""A string as JSON, exactly as `compact` and `_wire.dumps` write it (no ASCII escaping)."""
_quote = quote


def is_plain(request: Mapping[str, Any]) -> bool:
    """Whether a request holds only `contents` of text parts (any roles)."""
    if type(request) is not dict or len(request) != 1:
        return False
    contents = request.get("contents")
    if type(contents) is not list or not contents:
        return False
    for content in contents:
        if type(content) is not dict:
            return False
        parts = content.get("parts")
        if type(parts) is not list:
            return False
        for name in content:
            if name != "parts" and name != "role":  # noqa: PLR1714 - faster than a set here
                return False
        if "role" in content and type(content["role"]) is not str:
            return False
        for part in parts:
            if type(part) is not dict or len(part) != 1 or type(part.get("text")) is not str:
                return False
    return True


def _answer(request: Mapping[str, Any], model_id: str) -> tuple[str, int, int, str] | None:
    """`(answer, prompt tokens, answer tokens, responseId)` of a plain request, else `None`."""
    if not is_plain(request):
        return None
    contents = request["contents"]
    prompt = ""
    for content in reversed(contents):
        if content.get("role") not in (None, "user"):
            continue
        texts = [part["text"] for part in content["parts"]]
        if texts:
            prompt = "\n".join(texts)
            break
    if _BLOCK_MARKER in prompt:
        return None
    chars = sum(len(part["text"]) for content in contents for part in content["parts"])
    answer = _ECHO + prompt
    digest = hashlib.sha256(f"{model_id}\n{_request_json(contents)}".encode()).digest()
    return (
        answer,
        max(1, math.ceil(chars / 4)),
        max(1, math.ceil(len(answer) / 4)),
        urlsafe_b64encode(digest).decode("ascii")[:22],
    )


def _request_json(contents: list[dict[str, Any]]) -> str:
    """`compact(request)` of a plain request, written directly (sorted: `parts` < `role`)."""
    turns = []
    for content in contents:
        parts = ",".join(['{"text":' + _quote(part["text"]) + "}" for part in content["parts"]])
        role = content.get("role")
        turns.append(
            '{"parts":[' + parts + "]" + ("" if role is None else ',"role":' + _quote(role)) + "}"
        )
    return '{"contents":[' + ",".join(turns) + "]}"


def plain_response(request: Mapping[str, Any], model_id: str) -> dict[str, Any] | None:
    """The model's answer to a plain request (`None` when it is not plain, or is blocked)."""
    found = _answer(request, model_id)
    if found is None:
        return None
    answer, prompt_tokens, answer_tokens, response_id = found
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": answer}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": answer_tokens,
            "totalTokenCount": prompt_tokens + answer_tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
        },
        "modelVersion": model_id,
        "responseId": response_id,
    }


def plain_response_json(request: Mapping[str, Any], model_id: str) -> str | None:
    """`_wire.dumps(plain_response(request, model_id))`, written directly (or `None`)."""
    found = _answer(request, model_id)
    if found is None:
        return None
    answer, prompt, tokens, response_id = found
    return (
        '{"candidates":[{"content":{"parts":[{"text":'
        + _quote(answer)
        + '}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":'
        + f'{{"promptTokenCount":{prompt},"candidatesTokenCount":{tokens},'
        + f'"totalTokenCount":{prompt + tokens},"promptTokensDetails":'
        + f'[{{"modality":"TEXT","tokenCount":{prompt}}}]}},"modelVersion":'
        + _quote(model_id)
        + ',"responseId":"'
        + response_id
        + '"}'
    )
