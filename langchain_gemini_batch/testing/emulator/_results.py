"""Batch inputs and results: parse requests, decide failures, serialise the output once.

Inline requests and JSONL lines are parsed at create time; each request's failure is decided
when it is processed; the finished output is serialised once, when the job ends.

Inline result item: `{"response": GenerateContentResponse, "metadata": <echoed>}` or
`{"error": {"code", "message"}, "metadata": ...}` (a bare google.rpc.Status: no `details`,
which would crash google-genai's `JobError`). JSONL result line: `{"response": ..., "key": ...}`
or `{"error": ..., "key": ...}`, `key` last.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import (
    KNOWN_INLINED_REQUEST_FIELDS,
    FieldViolation,
    field,
    known_unknowns,
    unknown_request_fields,
)
from langchain_gemini_batch.testing.emulator._model import generate_response
from langchain_gemini_batch.testing.emulator._options import EmulatorOptions
from langchain_gemini_batch.testing.emulator._wire import ApiError, dumps, invalid_argument

__all__ = [
    "INTERNAL_ITEM_ERROR",
    "Fate",
    "InputItem",
    "contents_problem",
    "decide_fate",
    "inline_output",
    "jsonl_output",
    "parse_inline",
    "parse_jsonl",
    "violations_error",
]

Fate = tuple[int, str] | None
"""A request's fate: `None` to succeed, or the `(code, message)` of its error."""

INTERNAL_ITEM_ERROR = (13, "Internal error encountered.")
_INPUT_PATH = "batch.input_config.requests.requests"


@dataclass
class InputItem:
    """One request of a batch job.

    Attributes:
        request: The GenerateContentRequest (`None` when the JSONL line was unusable).
        metadata: The inline item's `metadata`, echoed on its result (`None` when absent).
        key: The request's key (`metadata.key` inline, `key` in JSONL), for `fail_keys`.
        problem: An error decided at create time (a malformed JSONL line), or `None`.
    """

    request: Mapping[str, Any] | None
    metadata: Any = None
    key: str | None = None
    problem: Fate = None


def contents_problem(request: object) -> str | None:
    """Returns Google's message when a request has no `contents`, else `None`."""
    contents = field(request, "contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    return None


def violations_error(violations: Sequence[FieldViolation]) -> ApiError:
    """Google's 400 for unknown field names (all of them, one per line)."""
    return invalid_argument(
        "\n".join(v.description for v in violations),
        [(v.path, v.description) for v in violations],
    )


def parse_inline(requests: object) -> list[InputItem]:
    """Parses `inputConfig.requests.requests`, rejecting unknown fields as Google does.

    Args:
        requests: The list of `{"request": ..., "metadata": ...}` items.

    Raises:
        ApiError: 400 when the list is missing or empty, or a name is unknown anywhere.
    """
    if not isinstance(requests, list) or not requests:
        raise invalid_argument(
            "* BatchGenerateContentRequest.batch.input_config.requests.requests: "
            "requests must not be empty"
        )
    items: list[InputItem] = []
    violations: list[FieldViolation] = []
    for index, entry in enumerate(requests):
        path = f"{_INPUT_PATH}[{index}]"
        violations += known_unknowns(entry, KNOWN_INLINED_REQUEST_FIELDS, path)
        request = field(entry, "request")
        violations += unknown_request_fields(request, f"{path}.request")
        metadata = field(entry, "metadata")
        key = field(metadata, "key")
        problem = contents_problem(request)
        items.append(
            InputItem(
                request=request if isinstance(request, Mapping) else {},
                metadata=metadata,
                key=key if isinstance(key, str) else None,
                problem=(3, problem) if problem else None,
            )
        )
    if violations:
        raise violations_error(violations)
    return items


def parse_jsonl(data: bytes) -> list[InputItem]:
    """Parses a JSONL input file; a malformed line becomes that request's error, not the job's.

    Args:
        data: The file's bytes: one `{"key": ..., "request": {...}}` object per line.
    """
    items: list[InputItem] = []
    for number, raw in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            message = f"Invalid JSON payload on line {number}: {exc.msg}."
            items.append(InputItem(request=None, problem=(3, message)))
            continue
        key = field(line, "key")
        key = key if isinstance(key, str) else None
        request = field(line, "request")
        violations = unknown_request_fields(request, "request")
        problem = "\n".join(v.description for v in violations) or contents_problem(request)
        items.append(
            InputItem(
                request=request if isinstance(request, Mapping) else None,
                key=key,
                problem=(3, problem) if problem else None,
            )
        )
    return items


def decide_fate(item: InputItem, rng: random.Random, options: EmulatorOptions) -> Fate:
    """Decides whether a request fails, from its own problem and the fault options.

    One random number is drawn per request whatever the options, so changing `fail_keys` does
    not shift which requests `fail_fraction` picks.

    Args:
        item: The request.
        rng: The job's random stream.
        options: The emulator options (`fail_keys`, `fail_fraction`).
    """
    draw = rng.random()
    if item.problem is not None:
        return item.problem
    if item.key is not None and item.key in options.fail_keys:
        return INTERNAL_ITEM_ERROR
    if draw < options.fail_fraction:
        return INTERNAL_ITEM_ERROR
    return None


def _outcome(item: InputItem, fate: Fate, model: str) -> dict[str, Any]:
    if fate is not None or item.request is None:
        code, message = fate or INTERNAL_ITEM_ERROR
        return {"error": {"code": code, "message": message}}
    return {"response": generate_response(item.request, model=model)}


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
) -> str:
    """Returns the JSON text of an inline job's output: `{"inlinedResponses": {...}}`.

    Args:
        items: The job's requests.
        fates: Each request's fate, same order.
        model: The job's model.
        rng: The job's random stream (for `shuffle_results`).
        options: The emulator options (`shuffle_results`, `drop_metadata`).
    """
    results = []
    for index in _order(len(items), rng, options.shuffle_results):
        item = items[index]
        result = _outcome(item, fates[index], model)
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
) -> bytes:
    """Returns a file job's results file: one `{"response"|"error": ..., "key": ...}` per line.

    Args:
        items: The job's requests.
        fates: Each request's fate, same order.
        model: The job's model.
        rng: The job's random stream (for `shuffle_results`).
        options: The emulator options (`shuffle_results`, `drop_metadata`).
    """
    lines = []
    for index in _order(len(items), rng, options.shuffle_results):
        item = items[index]
        result = _outcome(item, fates[index], model)
        if item.key is not None and not options.drop_metadata:
            result["key"] = item.key
        lines.append(dumps(result))
    return ("\n".join(lines) + "\n").encode() if lines else b""
