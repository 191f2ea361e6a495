"""Pricing answers as they are decoded: each answer's cost, and a job's total, fast and exact.

`AnswerPricer` gives the same figures as `pricing.cost_of(...).as_metadata()` (a unit test
compares them for every model of the table), in about a third of the time (3 µs an answer):
the rates of each model and tier are turned once into integers (USD per 10^18 tokens), so one
answer costs a few integer multiplications and correctly rounded divisions, instead of
`Decimal` arithmetic and a `Cost` object. A rate with more than 12 decimals falls back to `cost_of`.

`CostTally` adds answers up exactly (integers) into a `Cost`: a job's total is the sum of its
answers to the last digit.

Which model prices an answer: the response's `modelVersion` when the price table knows it
(what Google says answered), else the model the batch was sent to. An answer of a model the
table does not know, or without `usageMetadata`, gets no cost (and is not counted in a total).
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Context, Decimal, localcontext
from typing import Any, NamedTuple

from langchain_gemini_batch.convert.google_response import wire_usage
from langchain_gemini_batch.pricing import Cost, PriceTable, cost_of, default_prices
from langchain_gemini_batch.pricing._model import ModelPrice, Rates
from langchain_gemini_batch.pricing._table import today_utc
from langchain_gemini_batch.schema import TokenUsage

__all__ = ["AnswerCost", "AnswerPricer", "CostTally", "wire_usage"]

_RATE_DIGITS = 12
_DENOMINATOR = 10 ** (_RATE_DIGITS + 6)  # rates are per million tokens
_MAX_MODELS = 256
_MEMO_SIZE = 4096
"""Answers' cost metadata remembered by (model version, token counts)."""
_EXACT = Context(prec=60)
"""Enough digits that no sum of amounts is ever rounded."""


def _scaled(value: Decimal) -> int | None:
    scaled = value.scaleb(_RATE_DIGITS)
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _integer_rates(rates: Rates) -> tuple[int, int, int] | None:
    """`(input, cached input, output)` in USD per 10^18 tokens, or `None` if not exact."""
    values = (_scaled(rates.input), _scaled(rates.cached_input_rate), _scaled(rates.output))
    if None in values:
        return None
    return values  # type: ignore[return-value]


def _numerator(amount: Decimal) -> int | Decimal:
    with localcontext(_EXACT):
        scaled = amount.scaleb(_RATE_DIGITS + 6)
    return int(scaled) if scaled == scaled.to_integral_value() else scaled


def _usd(numerator: int | Decimal) -> Decimal:
    with localcontext(_EXACT):
        return Decimal(numerator).scaleb(-(_RATE_DIGITS + 6))


def _float(numerator: int | Decimal) -> float:
    if type(numerator) is int:
        value: float = numerator / _DENOMINATOR  # int / int is correctly rounded
        return value
    return float(_usd(numerator))


class AnswerCost(NamedTuple):
    """One answer's cost as numerators over 10^18 USD (exact), and where it came from.

    Numerators are integers, except on the `cost_of` fallback (exact `Decimal`s).
    """

    batch: int | Decimal
    online: int | Decimal
    usage: TokenUsage
    priced_as: str
    prices_as_of: date | None

    def as_metadata(self) -> dict[str, Any]:
        """The same dict as `Cost.as_metadata()` (floats correctly rounded from the exact sums)."""
        return _metadata(self.batch, self.online, self.priced_as, self.prices_as_of)


def _metadata(
    batch: int | Decimal, online: int | Decimal, priced_as: str, as_of: date | None
) -> dict[str, Any]:
    return {
        "batch_usd": _float(batch),
        "online_usd": _float(online),
        "saved_usd": _float(online - batch),
        "currency": "USD",
        "priced_as": priced_as,
        "prices_as_of": _iso(as_of),
    }


@functools.lru_cache(maxsize=64)
def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


_Rates = tuple[tuple[int, int, int], tuple[int, int, int]]


class _Model:
    """One model's price with its rates as integers, per tier (computed on first use)."""

    __slots__ = ("as_of", "price", "priced_as", "tiers")

    def __init__(self, price: ModelPrice, priced_as: str) -> None:
        self.price = price
        self.priced_as = priced_as
        self.as_of = price.as_of
        self.tiers: dict[int, _Rates | None] = {}

    def tier(self, prompt: int) -> int:
        tiers = self.price.long_prompt
        return sum(1 for t in tiers if prompt > t.above_tokens) if tiers else 0

    def rates(self, prompt: int) -> _Rates | None:
        tier = self.tier(prompt)
        if tier not in self.tiers:
            batch = _integer_rates(self.price.rates(prompt, batch=True))
            online = _integer_rates(self.price.rates(prompt, batch=False))
            self.tiers[tier] = None if batch is None or online is None else (batch, online)
        return self.tiers[tier]


class AnswerPricer:
    """Prices answers at batch and online rates (see the module docstring).

    Args:
        model: The model the batch was sent to (used when a response names no model the
            table knows).
        prices: The price table (default: `default_prices()`, read once here).
        on: The day whose prices apply (default: today, UTC, read once here).
    """

    def __init__(
        self, model: str | None = None, *, prices: PriceTable | None = None, on: date | None = None
    ) -> None:
        self.model = model
        self.prices = prices if prices is not None else default_prices()
        self.on = on or today_utc()
        self._models: dict[str, _Model | None] = {}
        self._memo: dict[tuple[str | None, int, int, int], dict[str, Any]] = {}

    def _lookup(self, name: str) -> _Model | None:
        if name in self._models:
            return self._models[name]
        price = self.prices.get(name, on=self.on)
        priced_as = self.prices.resolve(name)
        found = None if price is None or priced_as is None else _Model(price, priced_as)
        if len(self._models) >= _MAX_MODELS:
            self._models.clear()
        self._models[name] = found
        return found

    def _entry(self, model_version: str | None) -> tuple[_Model, str] | None:
        """The model an answer is priced as: its `modelVersion` if known, else the batch's."""
        entry = self._lookup(model_version) if model_version else None
        if entry is not None and model_version:
            return entry, model_version
        if self.model:
            entry = self._lookup(self.model)
            if entry is not None:
                return entry, self.model
        return None

    def _charge(
        self, usage: TokenUsage, model_version: str | None
    ) -> tuple[_Model, int | Decimal, int | Decimal] | None:
        found = self._entry(model_version)
        if found is None:
            return None
        entry, name = found
        prompt = usage.input_tokens
        rates = entry.rates(prompt)
        if rates is None:  # a rate with too many decimals for the integer path
            exact = cost_of(usage, name, prices=self.prices, on=self.on)
            if exact is None:
                return None
            return entry, _numerator(exact.batch_usd), _numerator(exact.online_usd)
        cached = min(usage.cached_tokens, prompt)
        uncached = prompt - cached
        output = usage.output_tokens
        (b_in, b_cached, b_out), (o_in, o_cached, o_out) = rates
        return (
            entry,
            uncached * b_in + cached * b_cached + output * b_out,
            uncached * o_in + cached * o_cached + output * o_out,
        )

    def price(
        self, usage: TokenUsage | None, model_version: str | None = None
    ) -> AnswerCost | None:
        """One answer's cost, or `None` (no usage, or no known model)."""
        if usage is None:
            return None
        charged = self._charge(usage, model_version)
        if charged is None:
            return None
        entry, batch, online = charged
        return AnswerCost(batch, online, usage, entry.priced_as, entry.as_of)

    def metadata(
        self, usage: TokenUsage | None, model_version: str | None = None
    ) -> dict[str, Any] | None:
        """`price(...).as_metadata()`, or `None` (a new dict each time)."""
        if usage is None:
            return None
        memo_key = (model_version, usage.input_tokens, usage.cached_tokens, usage.output_tokens)
        known = self._memo.get(memo_key)
        if known is not None:
            return dict(known)  # answers of the same size cost the same
        charged = self._charge(usage, model_version)
        if charged is None:
            return None
        entry, batch, online = charged
        found = _metadata(batch, online, entry.priced_as, entry.as_of)
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[memo_key] = found
        return dict(found)


class CostTally:
    """Adds answers' costs exactly; `total` is the `Cost` of everything added.

    Attributes:
        answers: Answers seen (priced or not).
        unpriced: Answers that could not be priced (no usage, or a model the table lacks).
    """

    def __init__(self) -> None:
        self.answers = 0
        self.unpriced = 0
        self._batch: int | Decimal = 0
        self._online: int | Decimal = 0
        self._tokens = [0, 0, 0, 0]
        self._priced = 0
        self._names: set[str] = set()
        self._days: set[date | None] = set()

    def copy(self) -> CostTally:
        """An independent tally with the same answers counted."""
        other = CostTally()
        other.answers, other.unpriced = self.answers, self.unpriced
        other._batch, other._online, other._priced = self._batch, self._online, self._priced
        other._tokens = list(self._tokens)
        other._names, other._days = set(self._names), set(self._days)
        return other

    def add(self, cost: AnswerCost | None) -> None:
        """Count one answer (`None`: an answer that could not be priced)."""
        self.answers += 1
        if cost is None:
            self.unpriced += 1
            return
        self._priced += 1
        if isinstance(cost.batch, int) and isinstance(cost.online, int):
            self._batch += cost.batch
            self._online += cost.online
        else:
            with localcontext(_EXACT):  # exact for Decimal numerators too
                self._batch += cost.batch
                self._online += cost.online
        usage = cost.usage
        self._tokens[0] += usage.input_tokens
        self._tokens[1] += usage.cached_tokens
        self._tokens[2] += usage.output_tokens
        self._tokens[3] += usage.thinking_tokens
        self._names.add(cost.priced_as)
        self._days.add(cost.prices_as_of)

    def add_sums(
        self,
        batch: int,
        online: int,
        tokens: tuple[int, int, int, int],
        *,
        answers: int,
        priced_as: str,
        as_of: date | None,
    ) -> None:
        """Count `answers` priced answers at once, from their summed numerators and tokens.

        `tokens` are the summed input, cached, output and thinking tokens.
        """
        self.answers += answers
        self._priced += answers
        self._batch += batch
        self._online += online
        for index, value in enumerate(tokens):
            self._tokens[index] += value
        self._names.add(priced_as)
        self._days.add(as_of)

    @property
    def total(self) -> Cost:
        """The exact sum (`Cost.zero()` when nothing was priced)."""
        if not self._priced:
            return Cost.zero()
        return Cost(
            batch_usd=_usd(self._batch),
            online_usd=_usd(self._online),
            input_tokens=self._tokens[0],
            cached_tokens=self._tokens[1],
            output_tokens=self._tokens[2],
            thinking_tokens=self._tokens[3],
            requests=self._priced,
            priced_as=next(iter(self._names)) if len(self._names) == 1 else None,
            prices_as_of=next(iter(self._days)) if len(self._days) == 1 else None,
        )
