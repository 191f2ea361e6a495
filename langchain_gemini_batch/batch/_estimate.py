"""What a batch will cost, before it is sent: prompt tokens counted or approximated per request.

Each request is built exactly as `create` would build it (so the system instruction and the
settings count), then its prompt tokens are taken either from Google's `countTokens` (one call
per request, at most `concurrency` at a time) or from `approximate_tokens`' rule applied to the
request's text: the text parts of `systemInstruction` and `contents`, plus the compact JSON of
every `functionCall` / `functionResponse`. Attachments (images, audio, PDF) and tool
declarations are not text and count nothing in the approximation: use `count_tokens=True` for
such requests. The output each request may write comes from its `maxOutputTokens`.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any

from langchain_gemini_batch.batch._plan import _pairs
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.errors import InvalidRequestError
from langchain_gemini_batch.pricing import (
    DEFAULT_OUTPUT_TOKENS,
    CostEstimate,
    PriceTable,
    estimate_batch_cost,
)

__all__ = ["DEFAULT_COUNT_CONCURRENCY", "estimate_requests", "max_output_tokens", "prompt_tokens"]

DEFAULT_COUNT_CONCURRENCY = 8
"""`countTokens` calls in flight at once when counting with Google."""

Counter = Callable[[dict[str, Any]], Awaitable[int]]


def _get(mapping: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = mapping.get(camel)
    return mapping.get(snake) if value is None else value


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _text_chars(content: object) -> int:
    if not isinstance(content, Mapping):
        return 0
    chars = 0
    for part in content.get("parts") or []:
        if not isinstance(part, Mapping):
            continue
        text = part.get("text")
        if isinstance(text, str):
            chars += len(text)
        for camel, snake in (
            ("functionCall", "function_call"),
            ("functionResponse", "function_response"),
        ):
            value = _get(part, camel, snake)
            if value is not None:
                chars += len(_compact(value))
    return chars


def prompt_tokens(request: Mapping[str, Any]) -> int:
    """A request's prompt tokens by `approximate_tokens`' rule (ceil(characters / 4), >= 1)."""
    chars = _text_chars(_get(request, "systemInstruction", "system_instruction"))
    for content in request.get("contents") or []:
        chars += _text_chars(content)
    return max(1, math.ceil(chars / 4))


def max_output_tokens(request: Mapping[str, Any]) -> int | None:
    """The request's `generationConfig.maxOutputTokens`, if any."""
    config = _get(request, "generationConfig", "generation_config")
    if not isinstance(config, Mapping):
        return None
    limit = _get(config, "maxOutputTokens", "max_output_tokens")
    return int(limit) if isinstance(limit, int) and not isinstance(limit, bool) else None


def _built(
    requests: Mapping[str, Any] | Iterable[tuple[str, Any]], codec: Codec
) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for key, item in _pairs(requests):
        if key in seen:
            raise InvalidRequestError("duplicate request ID", request_id=key)
        seen.add(key)
        yield codec.build(key, item)


async def _count_all(
    requests: Iterator[dict[str, Any]], count: Counter, concurrency: int
) -> list[tuple[int, int | None]]:
    """`(prompt tokens, max output tokens)` of each request, `concurrency` calls at a time."""
    found: list[tuple[int, int | None]] = []

    async def worker() -> None:
        for request in requests:  # one shared iterator: each request is counted once
            found.append((await count(request), max_output_tokens(request)))

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return found


async def estimate_requests(
    requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
    codec: Codec,
    model: str,
    *,
    count: Counter | None = None,
    concurrency: int = DEFAULT_COUNT_CONCURRENCY,
    output_tokens: int | None = None,
    prices: PriceTable | None = None,
) -> CostEstimate | None:
    """Estimate the cost of `requests` (see the module docstring).

    Args:
        requests: Request ID to input, or `(id, input)` pairs, as `create` takes them.
        codec: Builds each request.
        model: The model that will answer.
        count: Google's `countTokens` for one built request (`None`: approximate).
        concurrency: `countTokens` calls in flight at once.
        output_tokens: Assumed output tokens per request (default: each request's
            `maxOutputTokens`, else `DEFAULT_OUTPUT_TOKENS`).
        prices: The price table.

    Returns:
        The estimate, or `None` when the price table does not know `model`.

    Raises:
        InvalidRequestError: A request is invalid, or the batch is empty.
    """
    built = _built(requests, codec)
    if count is None:
        measured = [(prompt_tokens(r), max_output_tokens(r)) for r in built]
    else:
        measured = await _count_all(built, count, concurrency)
    if not measured:
        raise InvalidRequestError("the batch holds no requests")
    prompts = [tokens for tokens, _ in measured]
    limits = [limit for _, limit in measured]
    known_limits = [limit for limit in limits if limit is not None]
    all_limited = len(known_limits) == len(limits)
    assumed: int | list[int] | None = output_tokens
    if assumed is None and known_limits and not all_limited:
        # Some requests have a limit, others not: each is assumed its own limit or the default.
        assumed = [DEFAULT_OUTPUT_TOKENS if limit is None else limit for limit in limits]
    return estimate_batch_cost(
        model,
        prompts,
        output_tokens=assumed,
        max_output_tokens=known_limits if all_limited else None,
        prices=prices,
    )
