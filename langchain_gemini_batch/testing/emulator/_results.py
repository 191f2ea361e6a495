"""Batch results: decide each request's failure, serialise the output once.

Inputs are parsed at create time (`_inputs`); each request's failure is decided when it is
processed; the finished output is serialised once, when the job ends.

Inline result item: `{"response": GenerateContentResponse, "metadata": <echoed>}` or
`{"error": {"code", "message"}, "metadata": ...}` (a bare google.rpc.Status: no `details`,
which would crash google-genai's `JobError`). JSONL result line: `{"response": ..., "key": ...}`
or `{"error": ..., "key": ...}`, `key` last.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_gemini_batch.testing.emulator._inputs import Fate, InputItem
from langchain_gemini_batch.testing.emulator._model import generate_response
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._plain import plain_response_json, quote
from langchain_gemini_batch.testing.emulator._strict_json import gc_paused
from langchain_gemini_batch.testing.emulator._wire import dumps, rpc_status

__all__ = [
    "INTERNAL_ITEM_ERROR",
    "Fate",
    "Responder",
    "decide_fate",
    "inline_output",
    "jsonl_output",
]

INTERNAL_ITEM_ERROR = (13, "Internal error encountered.")


def decide_fate(item: InputItem, rng: random.Random, options: EmulatorOptions) -> Fate:
    """Decides whether a request fails, from its own problem and the fault options.

    One random number is drawn per request whatever the options, so changing `fail_keys` does
    not shift which requests `fail_fraction` picks.

    Args:
        item: The request.
        rng: The job's random stream.
        options: The emulator options (`fail_keys`, `fail_fraction`, `fail_code`).
    """
    draw = rng.random()
    if item.problem is not None:
        return item.problem
    if item.key is not None and item.key in options.fail_keys:
        chosen = options.fail_keys.get(item.key) if isinstance(options.fail_keys, Mapping) else None
        return rpc_status(chosen or options.fail_code)
    if draw < options.fail_fraction:
        return rpc_status(options.fail_code)
    return None


Responder = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Answers one request of a batch (a GenerateContentResponse or an EmbedContentResponse)."""


def _outcome(item: InputItem, fate: Fate, respond: Responder) -> dict[str, Any]:
    if fate is not None or item.request is None:
        code, message = fate or INTERNAL_ITEM_ERROR
        return {"error": {"code": code, "message": message}}
    return {"response": respond(item.request)}


def _responder(model: str, respond: Responder | None) -> Responder:
    if respond is not None:
        return respond
    return lambda request: generate_response(request, model=model)


def _order(count: int, rng: random.Random, shuffle: bool) -> list[int]:
    order = list(range(count))
    if shuffle:
        rng.shuffle(order)
    return order


def inline_output(
    items: Sequence[InputItem],
    fates: Sequence[Fate],
    *,
    model: str,
    rng: random.Random,
    options: EmulatorOptions,
    respond: Responder | None = None,
) -> str:
    """Returns the JSON text of an inline job's output: `{"inlinedResponses": {...}}`.

    Args:
        items: The job's requests.
        fates: Each request's fate, same order.
        model: The job's model.
        rng: The job's random stream (for `shuffle_results`).
        options: The emulator options (`shuffle_results`, `drop_metadata`).
        respond: Answers one request (default: the deterministic generation model).
    """
    answer = _responder(model, respond)
    results = []
    with gc_paused():
        for index in _order(len(items), rng, options.shuffle_results):
            item = items[index]
            result = _outcome(item, fates[index], answer)
            if item.metadata is not None and not options.drop_metadata:
                result["metadata"] = item.metadata
            results.append(result)
        return dumps({"inlinedResponses": {"inlinedResponses": results}})


def jsonl_output(
    items: Sequence[InputItem],
    fates: Sequence[Fate],
    *,
    model: str,
    rng: random.Random,
    options: EmulatorOptions,
    respond: Responder | None = None,
    key_first: bool = False,
    plain: bool = False,
) -> bytes:
    """Returns a file job's results file: one `{"response"|"error": ..., "key": ...}` per line.

    Args:
        items: The job's requests.
        fates: Each request's fate, same order.
        model: The job's model.
        rng: The job's random stream (for `shuffle_results`).
        options: The emulator options (`shuffle_results`, `drop_metadata`).
        respond: Answers one request (default: the deterministic generation model).
        key_first: Write `key` first (embedding results files) instead of last.
        plain: Generation requests answered by the deterministic model: write the answers of
            plain requests directly (`_plain.plain_response_json`, the same bytes).
    """
    answer = _responder(model, respond)
    out = bytearray()
    keyed = not options.drop_metadata
    model_id = model.split("/", 1)[1] if "/" in model else model
    with gc_paused():  # a million small dicts, no cycles: keep the collector out of the loop
        for index in _order(len(items), rng, options.shuffle_results):
            item = items[index]
            text = None
            if plain and fates[index] is None and item.request is not None:
                text = plain_response_json(item.request, model_id)
            if text is not None:  # the same bytes as below, written directly
                out += b'{"response":'
                out += text.encode()
                if item.key is not None and keyed:
                    out += b',"key":'
                    out += quote(item.key).encode()
                out += b"}\n"
                continue
            result = _outcome(item, fates[index], answer)
            if item.key is not None and keyed:
                if key_first:
                    result = {"key": item.key, **result}
                else:
                    result["key"] = item.key
            out += dumps(result).encode()
            out += b"\n"
    return bytes(out)
