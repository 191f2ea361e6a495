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
- **Thought signatures**: when thinking is on and the model thinks (catalog `thinking: true`;
  other names: `gemini-2.5*`, `gemini-3*`, `*-latest`), every `functionCall` part carries a
  `thoughtSignature`: standard base64 of `b"emulator-thought-signature\0"` + SHA-256 of
  `model_id + "\n" + request JSON + "\n" + "call:0"`; with `includeThoughts`, the answer text
  part carries one too (label `text`). Unlike Google, whose 2.5/3 models think (and sign calls)
  by default, the emulator thinks only when asked, so plain answers stay as they were; real
  signatures are opaque and must be sent back, which the emulator does not check.
- **Code execution**: with a `codeExecution` tool and no function call, the answer text is
  preceded by `{"executableCode": {"language": "PYTHON", "code": "print(<P as JSON>)\n"}}` and
  `{"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": P + "\n"}}`.
- **Google Search**: with a `googleSearch` (or `googleSearchRetrieval`) tool and a text answer,
  the candidate carries `groundingMetadata`: `searchEntryPoint.renderedContent`, two
  `groundingChunks` (`web.uri` `https://vertexaisearch.cloud.google.com/grounding-api-redirect/
  <id>`, `web.title` `example.com` then `example.org`), `groundingSupports` splitting the answer
  at the space nearest its middle into two segments (`startIndex` / `endIndex` in UTF-8 bytes,
  a zero `startIndex` omitted, `text`) supported by chunk 0 and 1, and `webSearchQueries: [P]`.
- **Logprobs**: with `responseLogprobs: true` the candidate carries `avgLogprobs` and
  `logprobsResult`: `chosenCandidates` over the answer cut into 4-character tokens (for a call:
  its name + compact args), `logProbabilitySum`, and with `logprobs: N` > 0, `topCandidates`
  (N per position, the chosen token first); values from `_model_features.logprobs`.
- **Safety**: candidates carry no `safetyRatings`, as Gemini 2.5 answers normally do not. When
  `P` contains `[[blocked]]` there are no candidates: `promptFeedback` is `{"blockReason":
  "SAFETY", "safetyRatings": [...]}` (sexually explicit, hate speech, harassment NEGLIGIBLE;
  dangerous content HIGH) and `usageMetadata` counts the prompt only. In a batch this is that
  request's (successful) response. The exact ratings Google sends are unverified.
- **Tokens**: `count_tokens(s) = max(1, ceil(len(s) / 4))`. `promptTokenCount` counts the
  characters of every text part of `systemInstruction` and `contents` plus the compact JSON of
  every `functionCall`/`functionResponse` object, as one string. `candidatesTokenCount` counts
  the answer text (or `name + compact JSON of args` for a call; plus executed code and its
  output), times `candidateCount`.
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
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._catalog import thinking_model
from langchain_gemini_batch.testing.emulator._fields import field
from langchain_gemini_batch.testing.emulator._model_features import (
    BLOCK_MARKER,
    blocked_feedback,
    code_execution_parts,
    grounding_metadata,
    has_tool,
    logprobs,
    thought_signature,
)
from langchain_gemini_batch.testing.emulator._plain import compact, plain_response
from langchain_gemini_batch.testing.emulator._schema_values import example_value

__all__ = [
    "ECHO_PREFIX",
    "THOUGHT_PREFIX",
    "count_tokens",
    "generate_response",
    "prompt_text",
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
    return compact(value)


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


def _candidate_parts(
    request: Mapping[str, Any], text: str, config: object, model_id: str
) -> tuple[list[dict[str, Any]], str, str, int | None, dict[str, Any]]:
    """Returns (parts, answer, finishReason, thought tokens or None, extra candidate fields)."""
    parts: list[dict[str, Any]] = []
    thinking, include_thought, budget = _thinking(config)
    signed = thinking and thinking_model(model_id)
    request_json = _compact(request)
    thought = THOUGHT_PREFIX + text
    if include_thought:
        parts.append({"text": thought, "thought": True})
    extra: dict[str, Any] = {}
    call = None if _function_responses(request) else _function_call(request, text)
    if call is not None:
        part: dict[str, Any] = {"functionCall": call}
        if signed:
            part["thoughtSignature"] = thought_signature(model_id, request_json, "call:0")
        parts.append(part)
        answer, finish = str(call["name"]) + _compact(call["args"]), "STOP"
    else:
        if has_tool(request, "codeExecution"):
            parts += code_execution_parts(text)
        answer, finish = _cut(_answer_text(request, text), config)
        part = {"text": answer}
        if signed and include_thought:
            part["thoughtSignature"] = thought_signature(model_id, request_json, "text")
        parts.append(part)
        if has_tool(request, "googleSearch"):
            extra["groundingMetadata"] = grounding_metadata(answer, text)
    if field(config, "responseLogprobs") is True:
        top = field(config, "logprobs")
        average, result = logprobs(answer, int(top) if isinstance(top, (int, str)) else 0)
        extra = {"avgLogprobs": average, "logprobsResult": result, **extra}
    thought_tokens = None
    if thinking:
        thought_tokens = count_tokens(thought)
        if budget is not None:
            thought_tokens = min(thought_tokens, budget)
    return parts, answer, finish, thought_tokens, extra


def _candidate_tokens(parts: list[dict[str, Any]], answer: str) -> int:
    extra = "".join(
        str(field(field(p, "executableCode"), "code") or "")
        + str(field(field(p, "codeExecutionResult"), "output") or "")
        for p in parts
    )
    return count_tokens(extra + answer)


def generate_response(request: Mapping[str, Any], *, model: str) -> dict[str, Any]:
    """Answers a GenerateContentRequest deterministically (the rules are in the module docstring).

    Args:
        request: The request as sent on the wire (camelCase or snake_case names).
        model: The model id or name (`gemini-2.5-flash` or `models/gemini-2.5-flash`).

    Returns:
        A GenerateContentResponse in Google's JSON shape (`candidates`, `usageMetadata`,
        `modelVersion`, `responseId`; `promptFeedback` instead of candidates when blocked).
    """
    model_id = model.split("/", 1)[1] if "/" in model else model
    plain = plain_response(request, model_id)  # the same answer, computed quickly
    if plain is not None:
        return plain
    config = field(request, "generationConfig")
    text = prompt_text(request)
    prompt_tokens = _prompt_token_count(request)
    prompt_details = [{"modality": "TEXT", "tokenCount": prompt_tokens}]
    if BLOCK_MARKER in text:
        return {
            "promptFeedback": blocked_feedback(),
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "totalTokenCount": prompt_tokens,
                "promptTokensDetails": prompt_details,
            },
            "modelVersion": model_id,
            "responseId": _response_id(request, model_id),
        }
    parts, answer, finish, thought_tokens, extra = _candidate_parts(request, text, config, model_id)
    answer_tokens = _candidate_tokens(parts, answer)
    count = field(config, "candidateCount")
    count = count if isinstance(count, int) and count > 0 else 1
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": answer_tokens * count,
        "totalTokenCount": prompt_tokens + answer_tokens * count + (thought_tokens or 0),
        "promptTokensDetails": prompt_details,
    }
    if thought_tokens is not None:
        usage["thoughtsTokenCount"] = thought_tokens
    candidates = [
        {"content": {"parts": parts, "role": "model"}, "finishReason": finish, **extra, "index": i}
        for i in range(count)
    ]
    return {
        "candidates": candidates,
        "usageMetadata": usage,
        "modelVersion": model_id,
        "responseId": _response_id(request, model_id),
    }
