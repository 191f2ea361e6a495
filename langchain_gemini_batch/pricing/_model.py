"""What one model costs: `Rates`, `PriceTier` and `ModelPrice` (validated, frozen, no I/O).

Every price is USD per **million** tokens, held as `Decimal` so sums of many small costs stay
exact. Prices are validated: negative, NaN or infinite values are rejected, and unknown keys are
an error (a typo in a user's price file must not silently price something at zero).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["MILLION", "ModelPrice", "Price", "PriceTier", "Rates"]

MILLION = Decimal(1_000_000)
"""Prices are per this many tokens."""

Price = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A price in USD per million tokens: finite and not negative (floats are read via `str`)."""

_HALF = Decimal("0.5")
_RATE_KEYS = frozenset({"input", "output", "cached_input", "audio_input", "cached_audio_input"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rates(_Frozen):
    """One set of per-million-token prices (online or batch, one prompt-size tier).

    Example:
        ```python
        Rates(input="0.30", output="2.50", cached_input="0.03", audio_input="1.00")
        ```
    """

    input: Price
    """Prompt tokens that were not read from a cache (text, image and video)."""
    output: Price
    """Generated tokens, thinking included (0 for embedding models). Required, so that a
    forgotten output price is an error rather than free output."""
    cached_input: Price | None = None
    """Prompt tokens read from a context cache; `None`: billed as `input`."""
    audio_input: Price | None = None
    """Audio prompt tokens, where Google prices them apart; `None`: billed as `input`."""
    cached_audio_input: Price | None = None
    """Cached audio prompt tokens; `None`: billed as `cached_input`."""

    @property
    def cached_input_rate(self) -> Decimal:
        """The price of a cached prompt token."""
        return self.input if self.cached_input is None else self.cached_input

    @property
    def audio_input_rate(self) -> Decimal:
        """The price of an uncached audio prompt token."""
        return self.input if self.audio_input is None else self.audio_input

    @property
    def cached_audio_input_rate(self) -> Decimal:
        """The price of a cached audio prompt token."""
        if self.cached_audio_input is not None:
            return self.cached_audio_input
        return self.cached_input_rate

    def halved(self) -> Rates:
        """Google's batch rule for rates it does not list: input and output at 50%.

        Cached rates are kept: on the Gemini Developer API a cache hit in a batch costs what
        it costs online for the Gemini 2.5 models ("same as standard"), and the cache discount
        does not stack with the batch discount on Vertex AI either.
        """
        return self.model_copy(
            update={
                "input": self.input * _HALF,
                "output": self.output * _HALF,
                "audio_input": None if self.audio_input is None else self.audio_input * _HALF,
            }
        )


def _flat_to_nested(data: Any) -> Any:
    """Accept `{"input": ..., "output": ...}` as shorthand for `{"online": {...}}`."""
    if not isinstance(data, dict) or "online" in data:
        return data
    flat = {key: value for key, value in data.items() if key in _RATE_KEYS}
    if not flat:
        return data
    rest = {key: value for key, value in data.items() if key not in _RATE_KEYS}
    return {**rest, "online": flat}


def _with_batch(data: Any) -> Any:
    """Fill a missing `batch` with the online rates halved (see `Rates.halved`)."""
    data = _flat_to_nested(data)
    if isinstance(data, dict) and data.get("batch") is None and "online" in data:
        data = {**data, "batch": Rates.model_validate(data["online"]).halved()}
    return data


class PriceTier(_Frozen):
    """Higher rates for long prompts: they apply when the prompt has more than `above_tokens`.

    Google prices every token of such a request (input, cached input and output) at the
    higher rate, for example Gemini 2.5 Pro above 200,000 prompt tokens.
    """

    above_tokens: int = Field(gt=0)
    """The tier applies to prompts of more than this many tokens (cached tokens included)."""
    online: Rates
    batch: Rates
    """Defaults to the online rates with input and output halved."""

    @model_validator(mode="before")
    @classmethod
    def _default_batch(cls, data: Any) -> Any:
        return _with_batch(data)


class ModelPrice(_Frozen):
    """What one model costs online and through the Batch API, with where the figures come from.

    A plain dict is accepted wherever a `ModelPrice` is (user overrides, price files). The short
    form `{"input": 0.3, "output": 2.5}` means the online rates; `batch` then defaults to half
    of the online input and output prices with cached prices unchanged, which is Google's rule.

    Example:
        ```python
        ModelPrice.model_validate({
            "input": 0.30, "output": 2.50, "cached_input": 0.03,
            "batch": {"input": 0.15, "output": 1.25, "cached_input": 0.03},
            "long_prompt": [{"above_tokens": 200_000, "input": 0.60, "output": 5.00}],
            "source": "https://ai.google.dev/gemini-api/docs/pricing", "as_of": "2026-11-30",
        })
        ```
    """

    online: Rates
    """Standard (interactive) prices."""
    batch: Rates
    """Batch API prices; defaults to `online` with input and output halved."""
    long_prompt: tuple[PriceTier, ...] = ()
    """Higher tiers for long prompts (the highest tier whose `above_tokens` is exceeded wins)."""
    cache_storage_per_hour: Price | None = None
    """Explicit context caching: USD per million cached tokens per hour. Informational: storage
    is billed per cache, not per answer, so `cost_of` does not add it."""
    effective_from: date | None = None
    """First day these prices apply (for announced price changes); `None`: always."""
    as_of: date | None = None
    """The day the figures were read from `source`."""
    source: str | None = None
    """Where the figures come from (a URL)."""
    notes: str = ""
    """How sure the figures are, and what was inferred."""

    @model_validator(mode="before")
    @classmethod
    def _default_batch(cls, data: Any) -> Any:
        return _with_batch(data)

    @field_validator("long_prompt")
    @classmethod
    def _sorted_tiers(cls, tiers: tuple[PriceTier, ...]) -> tuple[PriceTier, ...]:
        limits = [tier.above_tokens for tier in tiers]
        if len(set(limits)) != len(limits):
            raise ValueError("long_prompt tiers need distinct above_tokens")
        return tuple(sorted(tiers, key=lambda tier: tier.above_tokens))

    def rates(self, prompt_tokens: int, *, batch: bool) -> Rates:
        """The rates that apply to a request with `prompt_tokens` prompt tokens.

        Args:
            prompt_tokens: The whole prompt (cached tokens included), which picks the tier.
            batch: Batch API rates when true, online rates otherwise.
        """
        chosen: Rates = self.batch if batch else self.online
        for tier in self.long_prompt:
            if prompt_tokens > tier.above_tokens:
                chosen = tier.batch if batch else tier.online
        return chosen
