"""Estimate what a batch will cost before it is sent.

Input: the prompt tokens of each request, from Google's `countTokens` or `approximate_tokens`.
Output tokens are unknown until the answers come back, so the estimate has three figures:

- `low`: prompts only (every request is billed at least its prompt);
- `expected`: prompts plus an assumed output per request: `output_tokens` when given, else the
  request's `max_output_tokens`, else `DEFAULT_OUTPUT_TOKENS`;
- `high`: prompts plus `max_output_tokens` per request (thinking counts toward that limit), or
  `None` when no limit is known.

No cache hits are assumed (cached tokens would only make it cheaper).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from langchain_gemini_batch.pricing._cost import Cost
from langchain_gemini_batch.pricing._defaults import default_prices
from langchain_gemini_batch.pricing._model import MILLION, ModelPrice, Rates
from langchain_gemini_batch.pricing._table import PriceTable

__all__ = ["DEFAULT_OUTPUT_TOKENS", "CostEstimate", "approximate_tokens", "estimate_batch_cost"]

DEFAULT_OUTPUT_TOKENS = 1_000
"""Assumed output tokens (thinking included) per request when nothing better is known.
Thinking models often write several thousand: pass `output_tokens` or `max_output_tokens`."""

OutputAssumption = Literal["given", "max_output_tokens", "default"]


def approximate_tokens(text: str) -> int:
    """A token count without calling Google: one token per 4 characters, rounded up, at least 1.

    This is Google's rule of thumb for English text ("a token is about 4 characters") and
    exactly the emulator's tokenizer. Real counts differ by language and for code; images,
    audio and video are not text: use `countTokens` for those.

    Args:
        text: The prompt text (system instruction and turns joined).
    """
    return max(1, math.ceil(len(text) / 4))


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """A batch's cost before it is sent: `low` <= `expected` <= `high`, batch and online.

    Example:
        ```python
        est = estimate_batch_cost("gemini-2.5-flash", [1200, 800], max_output_tokens=512)
        print(f"about ${est.batch_usd:.4f} (online ${est.online_usd:.4f})")
        ```
    """

    model: str
    """The model as given."""
    requests: int
    input_tokens: int
    """The prompt tokens of all requests."""
    expected_output_tokens: int
    """The output tokens assumed for `expected`, all requests together."""
    output_assumption: OutputAssumption
    """Where the assumed output came from: `given`, `max_output_tokens` or `default`."""
    low: Cost
    """Prompts only."""
    expected: Cost
    """Prompts plus the assumed output."""
    high: Cost | None
    """Prompts plus `max_output_tokens` for every request; `None` without a limit."""

    @property
    def batch_usd(self) -> Decimal:
        """The expected cost through the Batch API."""
        return self.expected.batch_usd

    @property
    def online_usd(self) -> Decimal:
        """The expected cost of the same requests sent online."""
        return self.expected.online_usd

    @property
    def saved_usd(self) -> Decimal:
        """The expected saving of the Batch API."""
        return self.expected.saved_usd

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: `low`/`expected`/`high` as `Cost.as_dict()` (or `None`) and counts."""
        return {
            "model": self.model,
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "expected_output_tokens": self.expected_output_tokens,
            "output_assumption": self.output_assumption,
            "currency": "USD",
            "low": self.low.as_dict(),
            "expected": self.expected.as_dict(),
            "high": self.high.as_dict() if self.high else None,
        }


def _per_request(value: int | Sequence[int], n: int, name: str) -> list[int]:
    values = [value] * n if isinstance(value, int) else list(value)
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries for {n} requests")
    return [_checked(v, name) for v in values]


def _checked(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be non-negative integers, got {value!r}")
    return value


def _tier(price: ModelPrice, prompt: int) -> int:
    return sum(1 for tier in price.long_prompt if prompt > tier.above_tokens)


def _rates(price: ModelPrice, tier: int, *, batch: bool) -> Rates:
    if tier == 0:
        return price.batch if batch else price.online
    long = price.long_prompt[tier - 1]
    return long.batch if batch else long.online


def _charge(rates: Rates, prompt: int, output: int) -> Decimal:
    return (prompt * rates.input + output * rates.output) / MILLION


def _cost(
    price: ModelPrice,
    totals: dict[int, list[int]],
    outputs: dict[int, int],
    *,
    priced_as: str | None,
) -> Cost:
    batch = online = Decimal(0)
    for tier, (prompt_sum, _requests) in totals.items():
        out = outputs.get(tier, 0)
        batch += _charge(_rates(price, tier, batch=True), prompt_sum, out)
        online += _charge(_rates(price, tier, batch=False), prompt_sum, out)
    return Cost(
        batch_usd=batch,
        online_usd=online,
        input_tokens=sum(total[0] for total in totals.values()),
        output_tokens=sum(outputs.values()),
        requests=sum(total[1] for total in totals.values()),
        priced_as=priced_as,
        prices_as_of=price.as_of,
    )


def estimate_batch_cost(
    model: str,
    input_tokens: Iterable[int],
    *,
    output_tokens: int | Sequence[int] | None = None,
    max_output_tokens: int | Sequence[int] | None = None,
    prices: PriceTable | None = None,
    on: date | None = None,
) -> CostEstimate | None:
    """Estimate a batch's cost from each request's prompt tokens.

    Args:
        model: The model name.
        input_tokens: Prompt tokens per request (`countTokens`' `totalTokens`, or
            `approximate_tokens`). Each request's own count picks its long-prompt tier.
        output_tokens: Assumed output tokens (thinking included), one number for every
            request or one per request.
        max_output_tokens: The requests' output limit, one number or one per request.
        prices: The table (default: `default_prices()`).
        on: The day whose prices apply (default: today, UTC).

    Returns:
        The estimate, or `None` when the table has no price for `model`.

    Raises:
        ValueError: A count is negative or not an integer, or a per-request list has the
            wrong length.
    """
    table = prices if prices is not None else default_prices()
    price = table.get(model, on=on)
    if price is None:
        return None
    prompts = [_checked(count, "input_tokens") for count in input_tokens]
    n = len(prompts)
    limits = None
    if max_output_tokens is not None:
        limits = _per_request(max_output_tokens, n, "max_output_tokens")
    assumption: OutputAssumption
    if output_tokens is not None:
        assumed, assumption = _per_request(output_tokens, n, "output_tokens"), "given"
    elif limits is not None:
        assumed, assumption = limits, "max_output_tokens"
    else:
        assumed, assumption = [DEFAULT_OUTPUT_TOKENS] * n, "default"

    totals: dict[int, list[int]] = {}
    expected_out: dict[int, int] = {}
    high_out: dict[int, int] = {}
    for i, prompt in enumerate(prompts):
        tier = _tier(price, prompt)
        total = totals.setdefault(tier, [0, 0])
        total[0] += prompt
        total[1] += 1
        expected_out[tier] = expected_out.get(tier, 0) + assumed[i]
        if limits is not None:
            high_out[tier] = high_out.get(tier, 0) + limits[i]

    priced_as = table.resolve(model)
    return CostEstimate(
        model=model,
        requests=n,
        input_tokens=sum(prompts),
        expected_output_tokens=sum(assumed),
        output_assumption=assumption,
        low=_cost(price, totals, {}, priced_as=priced_as),
        expected=_cost(price, totals, expected_out, priced_as=priced_as),
        high=None if limits is None else _cost(price, totals, high_out, priced_as=priced_as),
    )
