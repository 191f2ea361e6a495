"""`Cost` and `cost_of`: what an answer cost at batch price, and what it would have cost online.

Billing rules applied (Gemini Developer API):

- The prompt (`input_tokens`, Gemini `promptTokenCount` + `toolUsePromptTokenCount`) *includes*
  the cached tokens (`cachedContentTokenCount`); so `input_tokens - cached_tokens` are billed at
  the input rate and `cached_tokens` at the cached rate.
- `output_tokens` (`candidatesTokenCount + thoughtsTokenCount`) are billed at the output rate:
  thinking is output. `thinking_tokens` is reported, never billed a second time.
- The prompt size (cached tokens included) picks the tier (e.g. > 200k tokens for 2.5 Pro) for
  every token of the request.
- Context-cache storage (per hour) and tool fees (Search grounding) are not included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from langchain_gemini_batch.pricing._defaults import default_prices
from langchain_gemini_batch.pricing._model import MILLION, ModelPrice, Rates
from langchain_gemini_batch.pricing._table import PriceTable
from langchain_gemini_batch.schema import TokenUsage

__all__ = ["Cost", "cost_metadata", "cost_of", "usage_counts"]

_ZERO = Decimal(0)
_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one answer (or, summed, of a job) at batch and at online prices, in USD.

    Money is `Decimal`: the sum of 100,000 answers is exact, so a job's total equals the sum
    of its answers to the last digit. `as_metadata()` gives JSON-friendly floats.

    Example:
        ```python
        total = sum(costs, Cost.zero())
        print(f"${total.batch_usd:.4f} instead of ${total.online_usd:.4f}")
        ```
    """

    batch_usd: Decimal
    """What the work costs through the Batch API."""
    online_usd: Decimal
    """What the same work would cost with online (standard) calls."""
    input_tokens: int = 0
    """Prompt tokens, cached ones included."""
    cached_tokens: int = 0
    """Prompt tokens read from a context cache (billed at the cached rate)."""
    output_tokens: int = 0
    """Generated tokens, thinking included."""
    thinking_tokens: int = 0
    """The thinking part of `output_tokens`."""
    requests: int = 1
    """How many answers this cost covers."""
    priced_as: str | None = None
    """The price-table entry used (`None` when a sum mixes entries)."""
    prices_as_of: date | None = None
    """The date of that entry's figures (`None` when a sum mixes dates)."""

    @classmethod
    def zero(cls) -> Cost:
        """The cost of nothing: the start value for `sum()`."""
        return cls(batch_usd=_ZERO, online_usd=_ZERO, requests=0)

    @classmethod
    def total(cls, costs: Iterable[Cost | None]) -> Cost:
        """The sum of `costs`, skipping `None` (answers of unknown models); same as `sum()`."""
        batch = online = _ZERO
        tokens = [0, 0, 0, 0, 0]
        names: set[str | None] = set()
        days: set[date | None] = set()
        for cost in costs:
            if cost is None or cost._is_zero():
                continue
            batch += cost.batch_usd
            online += cost.online_usd
            tokens[0] += cost.input_tokens
            tokens[1] += cost.cached_tokens
            tokens[2] += cost.output_tokens
            tokens[3] += cost.thinking_tokens
            tokens[4] += cost.requests
            names.add(cost.priced_as)
            days.add(cost.prices_as_of)
        return cls(
            batch_usd=batch,
            online_usd=online,
            input_tokens=tokens[0],
            cached_tokens=tokens[1],
            output_tokens=tokens[2],
            thinking_tokens=tokens[3],
            requests=tokens[4],
            priced_as=names.pop() if len(names) == 1 else None,
            prices_as_of=days.pop() if len(days) == 1 else None,
        )

    @property
    def saved_usd(self) -> Decimal:
        """`online_usd - batch_usd`: what the Batch API saved."""
        return self.online_usd - self.batch_usd

    @property
    def uncached_input_tokens(self) -> int:
        """Prompt tokens billed at the input rate."""
        return max(self.input_tokens - self.cached_tokens, 0)

    @classmethod
    def _trusted(
        cls,
        *,
        batch_usd: Decimal,
        online_usd: Decimal,
        usage: TokenUsage,
        requests: int,
        priced_as: str | None,
        prices_as_of: date | None,
    ) -> Cost:
        """Build without the frozen-dataclass `__init__` (3x slower), for `cost_of`'s hot path."""
        cost = _new(cls)
        for name, value in (
            ("batch_usd", batch_usd),
            ("online_usd", online_usd),
            ("input_tokens", usage.input_tokens),
            ("cached_tokens", usage.cached_tokens),
            ("output_tokens", usage.output_tokens),
            ("thinking_tokens", usage.thinking_tokens),
            ("requests", requests),
            ("priced_as", priced_as),
            ("prices_as_of", prices_as_of),
        ):
            _set(cost, name, value)
        return cost

    def _is_zero(self) -> bool:
        return self.requests == 0 and not self.batch_usd and not self.online_usd

    def __add__(self, other: Cost) -> Cost:
        if not isinstance(other, Cost):
            return NotImplemented
        if self._is_zero():
            return other
        if other._is_zero():
            return self
        return Cost(
            batch_usd=self.batch_usd + other.batch_usd,
            online_usd=self.online_usd + other.online_usd,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            thinking_tokens=self.thinking_tokens + other.thinking_tokens,
            requests=self.requests + other.requests,
            priced_as=self.priced_as if self.priced_as == other.priced_as else None,
            prices_as_of=self.prices_as_of if self.prices_as_of == other.prices_as_of else None,
        )

    def __radd__(self, other: object) -> Cost:
        if other == 0:  # sum() without a start value
            return self
        return NotImplemented

    def as_metadata(self) -> dict[str, Any]:
        """The per-answer dict for `response_metadata["cost"]` / `LMOutput.metadata["cost"]`.

        `{"batch_usd": float, "online_usd": float, "saved_usd": float, "currency": "USD",
        "priced_as": str | None, "prices_as_of": "YYYY-MM-DD" | None}`. Each float is the
        nearest to the exact decimal amount (no further rounding).
        """
        return {
            "batch_usd": float(self.batch_usd),
            "online_usd": float(self.online_usd),
            "saved_usd": float(self.saved_usd),
            "currency": "USD",
            "priced_as": self.priced_as,
            "prices_as_of": self.prices_as_of.isoformat() if self.prices_as_of else None,
        }

    def as_dict(self) -> dict[str, Any]:
        """`as_metadata()` plus the token counts and `requests`: the shape for a job's total."""
        return {
            **self.as_metadata(),
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "output_tokens": self.output_tokens,
            "thinking_tokens": self.thinking_tokens,
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> Cost:
        """Rebuild a cost from `as_metadata()`/`as_dict()` output (e.g. to total messages).

        Amounts come back exact for amounts of up to 15 significant digits; missing token
        counts are 0.
        """
        as_of = metadata.get("prices_as_of")
        return cls(
            batch_usd=Decimal(str(metadata["batch_usd"])),
            online_usd=Decimal(str(metadata["online_usd"])),
            input_tokens=int(metadata.get("input_tokens", 0)),
            cached_tokens=int(metadata.get("cached_tokens", 0)),
            output_tokens=int(metadata.get("output_tokens", 0)),
            thinking_tokens=int(metadata.get("thinking_tokens", 0)),
            requests=int(metadata.get("requests", 1)),
            priced_as=metadata.get("priced_as"),
            prices_as_of=date.fromisoformat(as_of) if as_of else None,
        )


def _count(value: object, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"token count {name} must be a non-negative integer, got {value!r}")
    return value


def _first(usage: Mapping[str, Any], *names: str) -> int:
    for name in names:
        if usage.get(name) is not None:
            return _count(usage[name], name)
    return 0


def usage_counts(usage: TokenUsage | Mapping[str, Any]) -> TokenUsage:
    """Read token counts from a `TokenUsage` or a dict in one of three shapes.

    - This package's `TokenUsage` fields (`input_tokens`, `output_tokens`,
      `thinking_tokens`, `cached_tokens`).
    - LangChain's `usage_metadata` (`input_tokens`, `output_tokens`,
      `input_token_details.cache_read`, `output_token_details.reasoning`).
    - Gemini's `usageMetadata`, camelCase or snake_case (`promptTokenCount` +
      `toolUsePromptTokenCount` in, `candidatesTokenCount` + `thoughtsTokenCount` out,
      `cachedContentTokenCount`).

    Raises:
        ValueError: A count is negative or not an integer.
    """
    if isinstance(usage, TokenUsage):
        return usage
    if any(key in usage for key in ("promptTokenCount", "prompt_token_count")):
        thoughts = _first(usage, "thoughtsTokenCount", "thoughts_token_count")
        return TokenUsage(
            input_tokens=_first(usage, "promptTokenCount", "prompt_token_count")
            + _first(usage, "toolUsePromptTokenCount", "tool_use_prompt_token_count"),
            output_tokens=_first(usage, "candidatesTokenCount", "candidates_token_count")
            + thoughts,
            thinking_tokens=thoughts,
            cached_tokens=_first(usage, "cachedContentTokenCount", "cached_content_token_count"),
        )
    input_details = usage.get("input_token_details") or {}
    output_details = usage.get("output_token_details") or {}
    return TokenUsage(
        input_tokens=_first(usage, "input_tokens"),
        output_tokens=_first(usage, "output_tokens"),
        thinking_tokens=_first(usage, "thinking_tokens") or _first(output_details, "reasoning"),
        cached_tokens=_first(usage, "cached_tokens") or _first(input_details, "cache_read"),
    )


def _charge(rates: Rates, parts: tuple[int, int, int, int, int]) -> Decimal:
    """`parts`: uncached text, uncached audio, cached text, cached audio, output tokens."""
    text, audio, cached_text, cached_audio, output = parts
    total = _ZERO
    if text:
        total += text * rates.input
    if audio:
        total += audio * rates.audio_input_rate
    if cached_text:
        total += cached_text * rates.cached_input_rate
    if cached_audio:
        total += cached_audio * rates.cached_audio_input_rate
    if output:
        total += output * rates.output
    return total / MILLION


def _price_usage(
    price: ModelPrice, counts: TokenUsage, *, audio_tokens: int, cached_audio_tokens: int
) -> tuple[Decimal, Decimal]:
    cached = min(counts.cached_tokens, counts.input_tokens)
    uncached = counts.input_tokens - cached
    if audio_tokens > uncached or cached_audio_tokens > cached:
        raise ValueError(
            f"audio_tokens ({audio_tokens}) / cached_audio_tokens ({cached_audio_tokens}) "
            f"exceed the uncached ({uncached}) / cached ({cached}) prompt tokens"
        )
    parts = (
        uncached - audio_tokens,
        audio_tokens,
        cached - cached_audio_tokens,
        cached_audio_tokens,
        counts.output_tokens,
    )
    prompt = counts.input_tokens
    batch = _charge(price.rates(prompt, batch=True), parts)
    online = _charge(price.rates(prompt, batch=False), parts)
    return batch, online


def cost_of(
    usage: TokenUsage | Mapping[str, Any],
    model: str,
    *,
    prices: PriceTable | None = None,
    on: date | None = None,
    audio_tokens: int = 0,
    cached_audio_tokens: int = 0,
) -> Cost | None:
    """The cost of one answer at batch price, and what it would have cost online.

    When pricing many answers, resolve `prices=default_prices()` and `on=` (e.g. the day the
    job was created, UTC) once and pass them: that skips reading the environment and the clock
    for every answer.

    Args:
        usage: The answer's token counts (see `usage_counts` for the accepted shapes).
        model: The model name (`gemini-2.5-flash`, `models/gemini-2.5-flash`, ...).
        prices: The table to use (default: `default_prices()`, i.e. the built-in table merged
            with the `GEMINI_BATCH_PRICES` file).
        on: The day whose prices apply (default: today, UTC).
        audio_tokens: How many of the uncached prompt tokens are audio (priced apart for some
            models; `TokenUsage` has no modality breakdown, so 0 by default).
        cached_audio_tokens: How many of the cached prompt tokens are audio.

    Returns:
        The `Cost`, or `None` when the table has no price for `model`.

    Raises:
        ValueError: A token count is invalid.

    Example:
        ```python
        cost = cost_of(output.token_usage, "gemini-2.5-flash")
        output.metadata["cost"] = cost.as_metadata() if cost else None
        ```
    """
    table = prices if prices is not None else default_prices()
    price = table.get(model, on=on)
    if price is None:
        return None
    counts = usage_counts(usage)
    batch, online = _price_usage(
        price,
        counts,
        audio_tokens=_count(audio_tokens, "audio_tokens") if audio_tokens else 0,
        cached_audio_tokens=(
            _count(cached_audio_tokens, "cached_audio_tokens") if cached_audio_tokens else 0
        ),
    )
    return Cost._trusted(
        batch_usd=batch,
        online_usd=online,
        usage=counts,
        requests=1,
        priced_as=table.resolve(model),
        prices_as_of=price.as_of,
    )


def cost_metadata(
    usage: TokenUsage | Mapping[str, Any],
    model: str,
    *,
    prices: PriceTable | None = None,
    on: date | None = None,
) -> dict[str, Any] | None:
    """`cost_of(...).as_metadata()`, or `None` for an unknown model."""
    cost = cost_of(usage, model, prices=prices, on=on)
    return None if cost is None else cost.as_metadata()
