"""Totalling answers' costs straight off the wire, for a million answers at a time.

`WireTally` reads each answer's `usageMetadata` and `modelVersion` as Google sends them and adds
token sums per model and price tier; `total` prices the sums once. Costs are linear in tokens
within a tier, so the total equals the sum of every answer priced on its own (what `CostTally`
adds up), to the last digit, for a fraction of the work per answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.batch._costing import (
    _MAX_MODELS,
    AnswerPricer,
    CostTally,
    _Model,
    wire_usage,
)
from langchain_gemini_batch.pricing import Cost

__all__ = ["WireTally"]

_Slot = tuple[_Model, str, bool, list[int]]
"""How `WireTally` prices a model version: its entry, the name it is priced as, whether the
tier (or exactness) must be found per answer, and the sums of its only tier otherwise."""
_LOOK_UP: Any = object()
"""`WireTally`'s marker for a model version not looked up yet."""


class WireTally:
    """`CostTally` for answers read straight off the wire (`usageMetadata`, `modelVersion`).

    Answers are not priced one by one: token sums are kept per model and price tier, and
    priced once in `total`. Costs are linear in tokens within a tier, so the total is the same
    exact sum, for a fraction of the work per answer (a model whose rates need `Decimal`
    arithmetic is priced answer by answer, as `CostTally` does).

    Args:
        pricer: Prices the sums (and says which model an answer is priced as).
    """

    def __init__(self, pricer: AnswerPricer) -> None:
        self.pricer = pricer
        self._tally = CostTally()
        self._sums: dict[tuple[str, int], list[int]] = {}
        self._entries: dict[str, _Model] = {}
        self._slots: dict[str | None, _Slot | None] = {}

    def add(self, raw: Mapping[str, Any] | None, model_version: str | None) -> None:
        """Count one answer from its wire `usageMetadata` (`None`: an answer without usage)."""
        slot = self._slots.get(model_version, _LOOK_UP) if raw else None
        if slot is _LOOK_UP:
            slot = self._slot(model_version)
        if slot is None or raw is None:
            self._tally.add(None)
            return
        entry, name, tiered, flat = slot
        get = raw.get
        thoughts = int(get("thoughtsTokenCount", 0))
        prompt = int(get("promptTokenCount", 0)) + int(get("toolUsePromptTokenCount", 0))
        if tiered:
            if entry.rates(prompt) is None:  # rates with too many decimals: price it alone
                self._tally.add(self.pricer.price(wire_usage(raw), model_version))
                return
            sums = self._sums_of(entry, name, entry.tier(prompt))
        else:
            sums = flat
        cached = int(get("cachedContentTokenCount", 0))
        clamped = cached if cached < prompt else prompt
        sums[0] += 1
        sums[1] += prompt - clamped
        sums[2] += clamped
        sums[3] += int(get("candidatesTokenCount", 0)) + thoughts
        sums[4] += thoughts
        sums[5] += cached

    def _slot(self, model_version: str | None) -> _Slot | None:
        """How answers of `model_version` are priced, looked up once per model version."""
        found = self.pricer._entry(model_version)
        slot: _Slot | None = None
        if found is not None:
            entry, name = found
            tiered = bool(entry.price.long_prompt) or entry.rates(0) is None
            slot = (entry, name, tiered, [] if tiered else self._sums_of(entry, name, 0))
        if len(self._slots) < _MAX_MODELS:
            self._slots[model_version] = slot
        return slot

    def _sums_of(self, entry: _Model, name: str, tier: int) -> list[int]:
        sums = self._sums.get((name, tier))
        if sums is None:
            sums = self._sums[(name, tier)] = [0, 0, 0, 0, 0, 0]
            self._entries[name] = entry
        return sums

    @property
    def unpriced(self) -> int:
        """Answers that could not be priced."""
        return self._tally.unpriced

    @property
    def total(self) -> Cost:
        """The exact sum of every answer's cost (`Cost.zero()` when nothing was priced)."""
        tally = self._tally.copy()
        for (name, tier), (count, uncached, cached, output, thoughts, raw_cached) in sorted(
            self._sums.items()
        ):
            entry = self._entries[name]
            rates = entry.tiers[tier]
            assert rates is not None
            (b_in, b_cached, b_out), (o_in, o_cached, o_out) = rates
            tally.add_sums(
                uncached * b_in + cached * b_cached + output * b_out,
                uncached * o_in + cached * o_cached + output * o_out,
                (uncached + cached, raw_cached, output, thoughts),
                answers=count,
                priced_as=entry.priced_as,
                as_of=entry.as_of,
            )
        return tally.total
