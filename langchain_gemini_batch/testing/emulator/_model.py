r"""The deterministic model: a pure function from a GenerateContentRequest to a response.

Tests can compute every answer from these rules (`generate_response` applies them):

- **Prompt text** `P`: the text parts (not thoughts) of the last `contents` entry with role
  `user` (or no role) that has any, joined with a newline; `""` when there is none.
- **Answer text**: `"Echo: " + P`.
- **Tool results**: when the last `contents` entry holds `functionResponse` parts, the answer is
  `"; ".join(f"{name} returned {json}")` over them, `json` being the response object encoded
  with sorted keys and no spaces. This takes precedence over everything below.
- **Tool calls**: with `tools[].functionDeclarations` and `toolConfig.functionCallingConfig.mode`
  `ANY`, the answer is one `functionCall` part for the first declaration (the first one listed
  in `allowedFunctionNames`, when given); with mode `AUTO`, `VALIDATED` or no mode, a call is
  made only to the first declaration whose name occurs in `P`; mode `NONE` never calls. The
  call's `args` are `example_value(parameters, P)` (see `_schema_values`; `parametersJsonSchema`
  wins over `parameters`; `{}` without a schema).
- **Structured output**: with `responseMimeType` `application/json`, the text is
  `json.dumps(example_value(schema, P))` for `responseJsonSchema` (preferred) or
  `responseSchema`, and `json.dumps({"text": "Echo: " + P})` without a schema. `text/x.enum`
  answers the schema's first enum value.
- **Stop sequences**: the text is cut before the earliest occurrence of any `stopSequences`
  entry (finishReason `STOP`). Then **max tokens**: when the text has more than
  `maxOutputTokens` tokens it is cut to `4 * maxOutputTokens` characters (finishReason
  `MAX_TOKENS`).
- **Thinking**: on when `thinkingConfig` has `includeThoughts` (and `thinkingBudget` is not 0),
  a non-zero `thinkingBudget` (`-1` = dynamic), or a `thinkingLevel`. The thought text is
  `"Thinking about: " + P`; with `includeThoughts` it is sent first as
  `{"text": ..., "thought": true}`. `thoughtsTokenCount` counts it, capped at a positive budget.
- **Tokens**: `count_tokens(s) = max(1, ceil(len(s) / 4))`. `promptTokenCount` counts the
  characters of every text part of `systemInstruction` and `contents` plus the compact JSON of
  every `functionCall`/`functionResponse` object, as one string. `candidatesTokenCount` counts
  the answer text (or `name + compact JSON of args` for a call), times `candidateCount`.
  `totalTokenCount` = prompt + candidates + thoughts. `promptTokensDetails` is one TEXT entry.
- **Metadata**: `modelVersion` is the model id (`gemini-2.5-flash`); `responseId` is the first
  22 characters of the URL-safe base64 SHA-256 of `model + "\n" + request` (sorted-key JSON).
  `candidateCount` identical candidates are returned (indexes 0..n-1).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field
from langchain_gemini_batch.testing.emulator._schema_values import example_value

__all__ = [
    "ECHO_PREFIX",
    "THOUGHT_PREFIX",
    "count_tokens",
    "generate_response",
    "prompt_text",
    "stream_chunks",
]

ECHO_PREFIX = "Echo: "
THOUGHT_PREFIX = "Thinking about: "


def count_tokens(text: str) -> int:
    """The emulator's token rule: one token per 4 characters, rounded up, at least 1.

    Args:
        text: Any text.
    """
    return max(1, math.ceil(len(text) / 4))


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _parts(content: object) -> list[Mapping[str, Any]]:
    parts = field(content, "parts")
    return [p for p in parts if isinstance(p, Mapping)] if isinstance(parts, list) else []


def prompt_text(request: Mapping[str, Any]) -> str:
    """Returns `P`: the text of the last user turn that has text (see the module rules).

    Args:
        request: A GenerateContentRequest in camelCase or snake_case.
    """
    contents = field(request, "contents")
    for content in reversed(contents if isinstance(contents, list) else []):
        if field(content, "role") not in (None, "user"):
            continue
        texts = [
            p["text"]
            for p in _parts(content)
            if isinstance(p.get("text"), str) and not p.get("thought")
        ]
        if texts:
            return "\n".join(texts)
    return ""


def _prompt_token_count(request: Mapping[str, Any]) -> int:
    contents = field(request, "contents")
    all_contents = [field(request, "systemInstruction"), *(contents or [])]
    chars = 0
    for content in all_contents:
        for part in _parts(content):
            if isinstance(part.get("text"), str):
                chars += len(part["text"])
            for name in ("functionCall", "functionResponse"):
                value = field(part, name)
                if value is not None:
                    chars += len(_compact(value))
    return max(1, math.ceil(chars / 4))


def _function_responses(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    contents = field(request, "contents")
    if not isinstance(contents, list) or not contents:
        return []
    responses = [field(p, "functionResponse") for p in _parts(contents[-1])]
    return [r for r in responses if isinstance(r, Mapping)]


def _declarations(request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    tools = field(request, "tools")
    found: list[Mapping[str, Any]] = []
    for tool in tools if isinstance(tools, list) else []:
        declarations = field(tool, "functionDeclarations")
        if isinstance(declarations, list):
            found += [d for d in declarations if isinstance(d, Mapping)]
    return found


def _function_call(request: Mapping[str, Any], text: str) -> dict[str, Any] | None:
    declarations = _declarations(request)
    calling = field(field(request, "toolConfig"), "functionCallingConfig")
    mode = str(field(calling, "mode") or "AUTO").upper()
    if not declarations or mode == "NONE":
        return None
    allowed = field(calling, "allowedFunctionNames")
    if mode == "ANY":
        if isinstance(allowed, list) and allowed:
            by_name = {field(d, "name"): d for d in declarations}
            declarations = [by_name[name] for name in allowed if name in by_name] or declarations
        chosen: Mapping[str, Any] | None = declarations[0]
    else:
        chosen = next((d for d in declarations if str(field(d, "name")) in text), None)
    if chosen is None:
        return None
    schema = field(chosen, "parametersJsonSchema") or field(chosen, "parameters")
    args = example_value(schema, text) if schema else {}
    return {"name": field(chosen, "name"), "args": args if isinstance(args, dict) else {}}


def _answer_text(request: Mapping[str, Any], text: str) -> str:
    responses = _function_responses(request)
    if responses:
        return "; ".join(
            f"{field(r, 'name')} returned {_compact(field(r, 'response'))}" for r in responses
        )
    config = field(request, "generationConfig")
    mime = field(config, "responseMimeType")
    schema = field(config, "responseJsonSchema") or field(config, "responseSchema")
    if mime == "application/json":
        value = example_value(schema, text) if schema else {"text": ECHO_PREFIX + text}
        return json.dumps(value, ensure_ascii=False)
    if mime == "text/x.enum" and isinstance(schema, Mapping):
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return str(enum[0])
    return ECHO_PREFIX + text


def _cut(text: str, config: object) -> tuple[str, str]:
    stops = field(config, "stopSequences")
    if isinstance(stops, list):
        cuts = [text.find(s) for s in stops if isinstance(s, str) and s and s in text]
        if cuts:
            text = text[: min(cuts)]
    limit = field(config, "maxOutputTokens")
    if isinstance(limit, int) and limit > 0 and count_tokens(text) > limit:
        return text[: 4 * limit], "MAX_TOKENS"
    return text, "STOP"


def _thinking(config: object) -> tuple[bool, bool, int | None]:
    """Returns (thinking on, include the thought part, positive budget or None)."""
    thinking = field(config, "thinkingConfig")
    if not isinstance(thinking, Mapping):
        return False, False, None
    include = bool(field(thinking, "includeThoughts"))
    budget = field(thinking, "thinkingBudget")
    budget = budget if isinstance(budget, int) and not isinstance(budget, bool) else None
    on = (include and budget != 0) or (budget is not None and budget != 0)
    on = on or field(thinking, "thinkingLevel") is not None
    return on, include and on, budget if budget is not None and budget > 0 else None


def _response_id(request: Mapping[str, Any], model: str) -> str:
    digest = hashlib.sha256(f"{model}\n{_compact(request)}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def generate_response(request: Mapping[str, Any], *, model: str) -> dict[str, Any]:
    """Answers a GenerateContentRequest deterministically (the rules are in the module docstring).

    Args:
        request: The request as sent on the wire (camelCase or snake_case names).
        model: The model id or name (`gemini-2.5-flash` or `models/gemini-2.5-flash`).

    Returns:
        A GenerateContentResponse in Google's JSON shape (`candidates`, `usageMetadata`,
        `modelVersion`, `responseId`).
    """
    model_id = model.split("/", 1)[1] if "/" in model else model
    config = field(request, "generationConfig")
    text = prompt_text(request)
    parts: list[dict[str, Any]] = []
    thinking, include_thought, budget = _thinking(config)
    thought = THOUGHT_PREFIX + text
    if include_thought:
        parts.append({"text": thought, "thought": True})
    call = None if _function_responses(request) else _function_call(request, text)
    if call is not None:
        parts.append({"functionCall": call})
        answer_tokens, finish = count_tokens(str(call["name"]) + _compact(call["args"])), "STOP"
    else:
        answer, finish = _cut(_answer_text(request, text), config)
        parts.append({"text": answer})
        answer_tokens = count_tokens(answer)
    count = field(config, "candidateCount")
    count = count if isinstance(count, int) and count > 0 else 1
    prompt_tokens = _prompt_token_count(request)
    thought_tokens = 0
    if thinking:
        thought_tokens = count_tokens(thought)
        if budget is not None:
            thought_tokens = min(thought_tokens, budget)
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": answer_tokens * count,
        "totalTokenCount": prompt_tokens + answer_tokens * count + thought_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
    }
    if thinking:
        usage["thoughtsTokenCount"] = thought_tokens
    candidates = [
        {"content": {"parts": parts, "role": "model"}, "finishReason": finish, "index": i}
        for i in range(count)
    ]
    return {
        "candidates": candidates,
        "usageMetadata": usage,
        "modelVersion": model_id,
        "responseId": _response_id(request, model_id),
    }


def _split(text: str) -> list[str]:
    pieces = 3 if len(text) >= 3 else max(1, len(text))
    size = math.ceil(len(text) / pieces) if text else 1
    return [text[i : i + size] for i in range(0, len(text), size)] or [text]


def stream_chunks(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Splits a response into the chunks `streamGenerateContent` sends.

    Thought and function-call parts travel alone; the answer text is split into up to three
    pieces. `finishReason` and `usageMetadata` ride on the last chunk only.

    Args:
        response: A response made by `generate_response`.

    Returns:
        The GenerateContentResponse chunks, in order.
    """
    candidates: Sequence[Mapping[str, Any]] = response["candidates"]
    steps: list[dict[str, Any]] = []
    for part in candidates[0]["content"]["parts"]:
        if "text" in part and not part.get("thought"):
            steps += [{"text": piece} for piece in _split(part["text"])]
        else:
            steps.append(dict(part))
    chunks: list[dict[str, Any]] = []
    for number, part in enumerate(steps):
        last = number == len(steps) - 1
        chunk_candidates = []
        for candidate in candidates:
            chunk: dict[str, Any] = {"content": {"parts": [part], "role": "model"}}
            if last:
                chunk["finishReason"] = candidate["finishReason"]
            chunk["index"] = candidate["index"]
            chunk_candidates.append(chunk)
        body: dict[str, Any] = {"candidates": chunk_candidates}
        if last:
            body["usageMetadata"] = response["usageMetadata"]
        body["modelVersion"] = response["modelVersion"]
        body["responseId"] = response["responseId"]
        chunks.append(body)
    return chunks
